import { ErrorBodySchema, EventParamsSchema, JoinChallengeSchema } from '@frequency/contracts';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { QueueService } from '../../queue/queue-service.js';
import { acceptEmptyJsonBody } from '../empty-json-body.js';

/** Extension: the join challenge (proof of work) a join must solve while the event asks for one. */
export const challengeRoutes: FastifyPluginCallbackZod<{ queue: QueueService }> = (
  app,
  { queue },
  done,
) => {
  acceptEmptyJsonBody(app);
  app.post(
    '/v1/events/:eventId/challenge',
    {
      schema: {
        tags: ['queue'],
        summary: 'Extension: a join challenge (proof of work) at the event’s current difficulty',
        description:
          'Find a nonce such that the first `bits` bits of SHA-256 of the UTF-8 string ' +
          '`${challenge}.${nonce}` are zero, then join with `{ challenge, nonce }` before ' +
          '`expiresAt`. Each challenge works once. With `bits` 0 the event asks for none and a join ' +
          'needs no body. Each challenge counts against the client’s join limit (429 beyond it).',
        params: EventParamsSchema,
        response: {
          201: JoinChallengeSchema,
          404: ErrorBodySchema,
          422: ErrorBodySchema,
          429: ErrorBodySchema.describe('RATE_LIMITED, with Retry-After'),
        },
      },
    },
    async (request, reply) => {
      const challenge = await queue.challenge(request.params.eventId, request.ip);
      return reply.code(201).send(challenge);
    },
  );
  done();
};
