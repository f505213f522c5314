import { z } from 'zod';
import { EventIdSchema } from './events.js';

/** Who made an ops change: the name of the ops token used (`OPS_TOKEN` is named `ops`). */
export const OpsActorSchema = z.string().regex(/^[a-z0-9._-]{1,40}$/, 'a-z, 0-9, ".", "_", "-"');

/** A config value as the ops API shows it: numbers, booleans, ISO dates; null where none was set. */
const AuditValueSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const AuditChangeSchema = z
  .object({
    field: z.string().describe('The event config field, e.g. admissionRatePerSecond'),
    from: AuditValueSchema.describe('Value before the change; null when the event was created'),
    to: AuditValueSchema,
  })
  .meta({ id: 'AuditChange' });
export type AuditChange = z.infer<typeof AuditChangeSchema>;

export const AuditActionSchema = z.enum(['create_event', 'patch_event']);
export type AuditAction = z.infer<typeof AuditActionSchema>;

/** One successful ops change, as kept in the audit trail. */
export const AuditEntrySchema = z
  .object({
    id: z.string().describe('Stream id; orders entries of one event'),
    at: z.iso.datetime({ offset: true }),
    actor: OpsActorSchema,
    action: AuditActionSchema,
    eventId: EventIdSchema,
    changes: z.array(AuditChangeSchema),
    requestId: z.string(),
  })
  .meta({ id: 'AuditEntry' });
export type AuditEntry = z.infer<typeof AuditEntrySchema>;

/** Extension: GET /v1/admin/audit?limit=&event= */
export const AuditQuerySchema = z.strictObject({
  limit: z.coerce.number().int().min(1).max(500).default(50).describe('Newest entries first'),
  event: EventIdSchema.optional().describe('Only this event’s entries'),
});
export type AuditQuery = z.infer<typeof AuditQuerySchema>;

export const AuditListSchema = z
  .object({ entries: z.array(AuditEntrySchema).describe('Newest first') })
  .meta({ id: 'AuditList' });
export type AuditList = z.infer<typeof AuditListSchema>;
