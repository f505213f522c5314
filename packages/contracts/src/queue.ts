import { z } from 'zod';

export const QueueStateSchema = z.enum(['prequeue', 'waiting', 'admitted', 'sold_out', 'expired']);
export type QueueState = z.infer<typeof QueueStateSchema>;

/** 2. POST /v1/events/{eventId}/queue */
export const JoinResponseSchema = z
  .object({
    queueToken: z.string(),
    state: QueueStateSchema,
    position: z.number().int().min(1).nullable(),
    pollAfterMs: z.number().int().min(0),
  })
  .meta({ id: 'JoinResponse' });
export type JoinResponse = z.infer<typeof JoinResponseSchema>;

export const AdmissionSchema = z
  .object({ token: z.string(), expiresAt: z.iso.datetime({ offset: true }) })
  .meta({ id: 'Admission' });

/** 3. GET /v1/events/{eventId}/queue/me */
export const QueueStatusSchema = z
  .object({
    state: QueueStateSchema,
    position: z.number().int().min(1).nullable(),
    aheadOfYou: z.number().int().min(0).nullable(),
    estimatedWaitSeconds: z.number().int().min(0).nullable(),
    pollAfterMs: z.number().int().min(0),
    admission: AdmissionSchema.nullable(),
  })
  .meta({ id: 'QueueStatus' });
export type QueueStatus = z.infer<typeof QueueStatusSchema>;

export const BearerHeadersSchema = z.object({
  authorization: z.string().optional().describe('Bearer <token>'),
});
