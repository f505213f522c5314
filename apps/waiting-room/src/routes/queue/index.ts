import {
  ErrorBodySchema,
  EventParamsSchema,
  JoinBodySchema,
  JoinResponseSchema,
  QueueStatusSchema,
} from '@frequency/contracts';
import { type FastifyPluginCallbackZod, serializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { QueueService } from '../../queue/queue-service.js';
import { bearerToken } from '../../tokens/queue-token.js';
import { acceptEmptyJsonBody } from '../empty-json-body.js';

const errors = {
  401: ErrorBodySchema,
  404: ErrorBodySchema,
  422: ErrorBodySchema,
};

/**
 * Success bodies of the hot routes are built by typed code from the same zod types, so re-validating
 * them on every response buys nothing and costs a sizeable share of a poll; errors still go through
 * the zod serializer.
 */
const trustedSuccess: typeof serializerCompiler = (route) => {
  if (route.httpStatus?.startsWith('2')) return (data: unknown) => JSON.stringify(data);
  return serializerCompiler(route);
};

/** Join, status and leave. */
export const queueRoutes: FastifyPluginCallbackZod<{ queue: QueueService }> = (
  app,
  { queue },
  done,
) => {
  // This plugin is encapsulated: the compiler applies to its routes only.
  app.setSerializerCompiler(trustedSuccess);
  acceptEmptyJsonBody(app);
  app.post(
    '/v1/events/:eventId/queue',
    {
      schema: {
        tags: ['queue'],
        summary: 'Join the line (or get your entry back with your queue token)',
        description:
          'Before opening the entry goes to the pre-queue (position null) and gets a random place at ' +
          'opening; afterwards places are first come, first served. Sent again with ' +
          '`Authorization: Bearer <queueToken>` it answers 200 with the same entry (no challenge ' +
          'needed). Extension: while the event has `joinChallengeBits` > 0, a new join carries a ' +
          'solved challenge `{ challenge, nonce }` (see POST …/challenge); otherwise the body is ' +
          'empty or `{}`.',
        params: EventParamsSchema,
        body: JoinBodySchema.nullish(),
        response: {
          200: JoinResponseSchema,
          201: JoinResponseSchema,
          ...errors,
          403: ErrorBodySchema.describe('CHALLENGE_FAILED: missing, wrong, expired or used'),
          409: ErrorBodySchema.describe('SOLD_OUT, or EVENT_NOT_OPEN before the pre-queue opens'),
          429: ErrorBodySchema.describe('RATE_LIMITED, with Retry-After'),
        },
      },
    },
    async (request, reply) => {
      const { eventId } = request.params;
      const token = bearerToken(request.headers.authorization);
      if (request.headers.authorization !== undefined) {
        const claims = queue.authenticate(eventId, token);
        return reply.code(200).send(await queue.rejoin(eventId, token ?? '', claims));
      }
      // The join limit is charged to `request.ip`: the connecting address, or behind
      // TRUSTED_PROXY_HOPS proxies of ours the hop the outermost one appended; never a hop the
      // client wrote (the shared server options set that rule for every service).
      return reply.code(201).send(await queue.join(eventId, request.ip, request.body));
    },
  );

  app.get(
    '/v1/events/:eventId/queue/me',
    {
      schema: {
        tags: ['queue'],
        summary: 'Your place, wait and, once admitted, your admission token',
        description:
          'Authorization: Bearer <queueToken>, the JWT the join returned (HS256, typ queue+jwt). ' +
          'A missing, forged, tampered or other-event token is 401 TOKEN_INVALID, an expired one ' +
          '401 TOKEN_EXPIRED. Answered from memory for a waiting fan: the token carries the place.',
        security: [{ bearer: [] }],
        params: EventParamsSchema,
        response: { 200: QueueStatusSchema, ...errors },
      },
    },
    async (request) => {
      const { eventId } = request.params;
      const claims = queue.authenticate(eventId, bearerToken(request.headers.authorization));
      return queue.status(eventId, claims);
    },
  );

  app.delete(
    '/v1/events/:eventId/queue/me',
    {
      schema: {
        tags: ['queue'],
        summary: 'Leave the line; the place is not admitted (an admission is given back)',
        security: [{ bearer: [] }],
        params: EventParamsSchema,
        response: { 204: z.null().describe('left'), ...errors },
      },
    },
    async (request, reply) => {
      const { eventId } = request.params;
      const claims = queue.authenticate(eventId, bearerToken(request.headers.authorization));
      await queue.snapshot(eventId);
      await queue.leave(eventId, claims);
      return reply.code(204).send(null);
    },
  );
  done();
};
