import { z } from 'zod';

export const EventIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'lowercase letters, digits and dashes, 2-63 characters');
export const EventParamsSchema = z.strictObject({ eventId: EventIdSchema });

export const EventPhaseSchema = z.enum(['scheduled', 'prequeue', 'open', 'paused', 'sold_out']);
export type EventPhase = z.infer<typeof EventPhaseSchema>;

const isoDate = z.iso.datetime({ offset: true });
/** Leading zero bits of SHA-256 a join's proof of work must show; each bit doubles a join's cost. */
const joinChallengeBits = z.number().int().min(0).max(32);
const maxPerBuyer = z.number().int().min(1).max(1_000);

/** 1. GET /v1/events/{eventId} */
export const EventViewSchema = z
  .object({
    id: EventIdSchema,
    name: z.string(),
    venue: z.string(),
    ticketsTotal: z.number().int(),
    maxPerOrder: z.number().int(),
    opensAt: isoDate,
    phase: EventPhaseSchema,
    waiting: z.number().int(),
    admittedTotal: z.number().int(),
    admissionRatePerSecond: z.number(),
    shuffleCommitment: z
      .string()
      .nullable()
      .describe('Extension: SHA-256 (hex) of the pre-queue shuffle seed, published before opening'),
    shuffleSeed: z
      .string()
      .nullable()
      .describe('Extension: the shuffle seed (hex), revealed once the event has opened'),
    joinChallengeBits: joinChallengeBits.describe(
      'Extension: proof-of-work bits a join must solve (0 = none); when above 0, POST …/challenge first',
    ),
  })
  .meta({ id: 'Event' });
export type EventView = z.infer<typeof EventViewSchema>;

/** The configuration ops set when creating an event (6, POST /v1/admin/events). */
export const CreateEventBodySchema = z
  .strictObject({
    id: EventIdSchema,
    name: z.string().trim().min(1).max(200),
    venue: z.string().trim().min(1).max(200),
    ticketsTotal: z.number().int().min(1).max(100_000_000),
    maxPerOrder: z.number().int().min(1).max(20),
    opensAt: isoDate,
    admissionRatePerSecond: z.number().min(0).max(100_000),
    maxActiveCheckouts: z.number().int().min(1).max(10_000_000),
    joinChallengeBits: joinChallengeBits
      .optional()
      .describe('Extension: proof-of-work bits a join must solve (default 0 = no challenge)'),
    maxPerBuyer: maxPerBuyer
      .optional()
      .describe('Extension: tickets per buyer e-mail across all orders (default maxPerOrder)'),
  })
  .meta({ id: 'CreateEvent' });
export type CreateEventBody = z.infer<typeof CreateEventBodySchema>;

export const PatchEventBodySchema = z
  .strictObject({
    admissionRatePerSecond: z.number().min(0).max(100_000).optional(),
    maxActiveCheckouts: z.number().int().min(1).max(10_000_000).optional(),
    paused: z.boolean().optional(),
    opensAt: isoDate.optional(),
    joinChallengeBits: joinChallengeBits.optional(),
    maxPerBuyer: maxPerBuyer.optional(),
  })
  .refine((body) => Object.keys(body).length > 0, 'give at least one field to change')
  .meta({ id: 'PatchEvent' });
export type PatchEventBody = z.infer<typeof PatchEventBodySchema>;

export const EventConfigSchema = CreateEventBodySchema.extend({
  paused: z.boolean(),
  joinChallengeBits,
  maxPerBuyer,
}).meta({ id: 'EventConfig' });
export type EventConfig = z.infer<typeof EventConfigSchema>;

/** 6. GET /v1/admin/events/{eventId}: config and live figures. */
export const AdminEventViewSchema = z
  .object({
    config: EventConfigSchema,
    phase: EventPhaseSchema,
    waiting: z.number().int(),
    admittedTotal: z.number().int(),
    activeCheckouts: z.number().int(),
    ticketsRemaining: z.number().int(),
    ticketsSold: z.number().int(),
    admissionRatePerSecond: z.number(),
    achievedAdmissionRatePerSecond: z.number(),
    skippedTotal: z.number().int(),
  })
  .meta({ id: 'AdminEvent' });
export type AdminEventView = z.infer<typeof AdminEventViewSchema>;
