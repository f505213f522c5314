import { z } from 'zod';
import { AdmissionIdSchema, QueueEntryIdSchema } from './ids.js';
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
