import { createHash, timingSafeEqual } from 'node:crypto';
import {
  AdminEventViewSchema,
  AppError,
  CreateEventBodySchema,
  ErrorBodySchema,
  EventConfigSchema,
  EventParamsSchema,
  PatchEventBodySchema,
} from '@frequency/contracts';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { Redis } from 'ioredis';
import type { EventCache } from '../../events/event-cache.js';
import { createEvent, patchEvent } from '../../events/event-store.js';
import { toAdminView } from '../../events/views.js';
import type { QueueService } from '../../queue/queue-service.js';
import { bearerToken } from '../../tokens/queue-token.js';

export interface AdminRoutesOptions {
  redis: Redis;
  cache: EventCache;
  queue: QueueService;
  opsToken: string;
  checkoutWindowSeconds: number;
  prequeueWindowMs: number;
}

const errors = {
  401: ErrorBodySchema,
  404: ErrorBodySchema,
  422: ErrorBodySchema,
};

/** 6. The ops API, behind the OPS_TOKEN bearer token. */
export const adminRoutes: FastifyPluginCallbackZod<AdminRoutesOptions> = (app, options, done) => {
  // Digests of equal length let timingSafeEqual compare without leaking the token's length.
  const expected = createHash('sha256').update(options.opsToken).digest();
  app.addHook('onRequest', (request, _reply, next) => {
    const token = bearerToken(request.headers.authorization);
    const given = createHash('sha256')
      .update(token ?? '')
      .digest();
    if (token === null || !timingSafeEqual(given, expected)) {
      next(new AppError('UNAUTHORIZED', 'the ops API needs Authorization: Bearer <OPS_TOKEN>'));
      return;
    }
    next();
  });

  app.post(
    '/v1/admin/events',
    {
      schema: {
        tags: ['ops'],
        summary: 'Create an event with its own queue and stock',
        security: [{ bearer: [] }],
        body: CreateEventBodySchema,
        response: { 201: AdminEventViewSchema, ...errors, 409: ErrorBodySchema },
      },
    },
    async (request, reply) => {
      const result = await createEvent(options.redis, request.body, {
        checkoutWindowSeconds: options.checkoutWindowSeconds,
      });
      if (result === 'exists')
        throw new AppError('EVENT_EXISTS', `event ${request.body.id} exists`);
      const snapshot = await options.cache.refresh(request.body.id);
      if (!snapshot) throw new Error('the event just created cannot be read back');
      return reply.code(201).send(toAdminView(snapshot, Date.now(), options.prequeueWindowMs));
    },
  );

  app.get(
    '/v1/admin/events/:eventId',
    {
      schema: {
        tags: ['ops'],
        summary: 'Config and live figures of an event',
        security: [{ bearer: [] }],
        params: EventParamsSchema,
        response: { 200: AdminEventViewSchema, ...errors },
      },
    },
    async (request) => {
      const snapshot = await options.queue.snapshot(request.params.eventId);
      return toAdminView(snapshot, Date.now(), options.prequeueWindowMs);
    },
  );

  app.patch(
    '/v1/admin/events/:eventId',
    {
      schema: {
        tags: ['ops'],
        summary:
          'Change rate, capacity, pause or opening time; every replica applies it within 1 s',
        security: [{ bearer: [] }],
        params: EventParamsSchema,
        body: PatchEventBodySchema,
        response: { 200: EventConfigSchema, ...errors },
      },
    },
    async (request) => {
      // An unknown id is answered from the in-memory index, like every other route, before any write.
      await options.queue.snapshot(request.params.eventId);
      const config = await patchEvent(options.redis, request.params.eventId, request.body);
      if (!config) throw new AppError('NOT_FOUND', `no event ${request.params.eventId}`);
      await options.cache.refresh(request.params.eventId);
      const { checkoutWindowSeconds: _window, ...view } = config;
      return view;
    },
  );
  done();
};
