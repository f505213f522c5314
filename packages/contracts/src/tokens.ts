import { z } from 'zod';
import { AdmissionIdSchema, OrderIdSchema, QueueEntryIdSchema } from './ids.js';
import { EventIdSchema } from './events.js';

/** A place in line or a pre-queue arrival number: 1-based. */
const PlaceSchema = z.number().int().min(1).max(Number.MAX_SAFE_INTEGER);
const queueTokenBase = {
  evt: EventIdSchema,
  sub: QueueEntryIdSchema,
  exp: z.number().int().positive(),
};

/**
 * Claims of the queue token, a JWS (HS256, header typ `queue+jwt`) that only the waiting room issues
 * and checks. Besides the event, the entry and the expiry it carries the fan's place in line (`seq`)
 * or, before the opening shuffle, the pre-queue arrival number (`pre`): exactly one of them, and
 * nothing else, so a token with a claim the waiting room did not write is not one of its tokens.
 */
export const QueueTokenClaimsSchema = z.union([
  z.strictObject({ ...queueTokenBase, seq: PlaceSchema }),
  z.strictObject({ ...queueTokenBase, pre: PlaceSchema }),
]);
export type QueueTokenClaims = z.infer<typeof QueueTokenClaimsSchema>;

/** The JWS `typ` header of queue tokens (RFC 8725 3.11: explicit typing), pinned by the verifier. */
export const queueTokenType = 'queue+jwt';

/** Claims of the admission token (ES256, verified by checkout through the JWKS). */
export const AdmissionTokenClaimsSchema = z.object({
  typ: z.literal('admission'),
  iss: z.literal('frequency-waiting-room'),
  aud: z.literal('frequency-checkout'),
  evt: EventIdSchema,
  sub: QueueEntryIdSchema,
  jti: AdmissionIdSchema,
  iat: z.number().int(),
  exp: z.number().int(),
});
export type AdmissionTokenClaims = z.infer<typeof AdmissionTokenClaimsSchema>;

export const admissionTokenIssuer = 'frequency-waiting-room';
export const admissionTokenAudience = 'frequency-checkout';

/**
 * Claims of the receipt token: checkout's own long-lived, read-only token for one order (HS256 with
 * RECEIPT_SECRET, header typ `receipt+jwt`, verified only by checkout). It reads that order and
 * nothing else: no event-wide right, no way to place or change an order.
 */
export const ReceiptTokenClaimsSchema = z.object({
  iss: z.literal('frequency-checkout'),
  sub: OrderIdSchema,
  evt: EventIdSchema,
  iat: z.number().int(),
  exp: z.number().int(),
});
export type ReceiptTokenClaims = z.infer<typeof ReceiptTokenClaimsSchema>;

export const receiptTokenIssuer = 'frequency-checkout';
/** The JWS `typ` header of receipt tokens (RFC 8725 3.11: explicit typing), pinned by the verifier. */
export const receiptTokenType = 'receipt+jwt';
