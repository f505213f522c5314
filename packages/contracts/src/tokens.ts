import { z } from 'zod';
import { AdmissionIdSchema, OrderIdSchema, QueueEntryIdSchema } from './ids.js';
import { EventIdSchema } from './events.js';

/** Claims of the queue token (HMAC-signed by the waiting room, verified only by the waiting room). */
export const QueueTokenClaimsSchema = z.object({
  typ: z.literal('queue'),
  evt: EventIdSchema,
  sub: QueueEntryIdSchema,
  exp: z.number().int(),
});
export type QueueTokenClaims = z.infer<typeof QueueTokenClaimsSchema>;

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
