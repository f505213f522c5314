import { z } from 'zod';

export const QueueStateSchema = z.enum(['prequeue', 'waiting', 'admitted', 'sold_out', 'expired']);
export type QueueState = z.infer<typeof QueueStateSchema>;

/** Extension: POST /v1/events/{eventId}/challenge (join challenge, proof of work). */
export const JoinChallengeSchema = z
  .object({
    challenge: z.string().describe('Random, single use; solve it and send it back with the join'),
    bits: z
      .number()
      .int()
      .min(0)
      .max(32)
      .describe(
        'Leading zero bits SHA-256 of `${challenge}.${nonce}` (UTF-8) must show; 0 = no challenge',
      ),
    expiresAt: z.iso
      .datetime({ offset: true })
      .describe('After this the challenge is refused; ask for a new one'),
  })
  .meta({ id: 'JoinChallenge' });
export type JoinChallenge = z.infer<typeof JoinChallengeSchema>;

/**
 * Bounds on what a client may send back: far above the issued challenge (25 characters) and any
 * nonce a solver needs (a decimal counter), so a valid join never hits them.
 */
const challengeField = z.string().min(1).max(64);
const nonceField = z.string().min(1).max(64);

/**
 * Extension: the join body. Empty, `{}`, or exactly `{ challenge, nonce }`; anything else (an array,
 * another field, a wrong type) is refused with 422 before the join is looked at.
 */
export const JoinBodySchema = z
  .union([z.strictObject({ challenge: challengeField, nonce: nonceField }), z.strictObject({})])
  .meta({
    id: 'JoinBody',
    description:
      'Extension: while the event has joinChallengeBits > 0, the solved challenge ({ challenge, nonce }); otherwise empty or {}',
  });
export type JoinBody = z.infer<typeof JoinBodySchema>;

/** 2. POST /v1/events/{eventId}/queue */
export const JoinResponseSchema = z
  .object({
    queueToken: z
      .string()
      .describe(
        'A signed JWT (JWS compact form, HS256, header typ queue+jwt) with exp, the event (evt), the entry id (sub, q_…) and the place in line (seq) or, before the opening shuffle, the pre-queue arrival number (pre). Send it as Authorization: Bearer <queueToken>; clients treat it as opaque.',
      ),
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
