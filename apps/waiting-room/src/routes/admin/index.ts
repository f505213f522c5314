import {
  AdminEventViewSchema,
  AppError,
  AuditListSchema,
  AuditQuerySchema,
  CreateEventBodySchema,
  ErrorBodySchema,
  EventConfigSchema,
  EventParamsSchema,
  PatchEventBodySchema,
} from '@frequency/contracts';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginCallbackZod } from 'fastify-type-provider-zod';
import type { RedisClient } from '@frequency/config/redis';
import { readAudit } from '../../events/audit.js';
import type { EventCache } from '../../events/event-cache.js';
import type { EventDefinitionPublisher } from '../../ledger/event-definitions.js';
import { type AuditContext, createEvent, patchEvent } from '../../events/event-store.js';
import { toAdminView } from '../../events/views.js';
import type { WaitingRoomMetrics } from '../../metrics.js';
import type { OpsLoginLimiter } from '../../ops/login-limiter.js';
import type { OpsTokens } from '../../ops/ops-tokens.js';
import type { QueueService } from '../../queue/queue-service.js';
import { bearerToken } from '../../tokens/queue-token.js';

export interface AdminRoutesOptions {
  redis: RedisClient;
  cache: EventCache;
  queue: QueueService;
  definitions: EventDefinitionPublisher;
  metrics: WaitingRoomMetrics;
  tokens: OpsTokens;
  loginLimiter: OpsLoginLimiter;
  auditMaxEntries: number;
  checkoutWindowSeconds: number;
  prequeueWindowMs: number;
}

const errors = {
  401: ErrorBodySchema,
  404: ErrorBodySchema,
  422: ErrorBodySchema,
  429: ErrorBodySchema.describe('RATE_LIMITED after too many failed logins, with Retry-After'),
};

/** What the create and change routes say about the ledger, in the OpenAPI document. */
const ledgerNote =
  'The event definition (config, `version`, shuffle) then goes to the ledger through Pub/Sub. ' +
  'The answer waits for the broker at most LEDGER_PUBLISH_TIMEOUT_MS (1 s): if it does not take ' +
  'the message in time, the answer is the same, the failure is logged and counted ' +
  '(`waiting_room_event_definitions_total{result="failed"}`), and the periodic copy (every ' +
  'LEDGER_SYNC_INTERVAL_MS, 30 s) delivers it.';

/**
 * 6. The ops API, behind named bearer tokens (OPS_TOKEN is "ops", OPS_TOKENS adds more). A client
 * (request.ip) with too many failed logins is locked out for the rest of the minute; every
 * successful change is recorded with the token's name in the event's audit stream.
 */
export const adminRoutes: FastifyPluginCallbackZod<AdminRoutesOptions> = (app, options, done) => {
  const { metrics, loginLimiter } = options;
  // The name of the token each authenticated request came with; entries go with their request.
  const actors = new WeakMap<FastifyRequest, string>();

  app.addHook('onRequest', async (request) => {
    const client = request.ip;
    const lockedForMs = await loginLimiter.lockedForMs(client);
    if (lockedForMs > 0) {
      metrics.opsLoginFailures.inc({ outcome: 'locked_out' });
      request.log.warn(
        { clientIp: client, requestId: request.id },
        'ops login refused: locked out',
      );
      throw new AppError('RATE_LIMITED', 'too many failed ops logins from this client', {
        'retry-after': String(Math.max(1, Math.ceil(lockedForMs / 1000))),
      });
    }
    const actor = options.tokens.identify(bearerToken(request.headers.authorization));
    if (actor === null) {
      const failures = await loginLimiter.recordFailure(client);
      metrics.opsLoginFailures.inc({ outcome: 'rejected' });
      // Never the token: a near miss in a log is half a leaked secret.
      request.log.warn({ clientIp: client, requestId: request.id, failures }, 'ops login failed');
      throw new AppError('UNAUTHORIZED', 'the ops API needs Authorization: Bearer <ops token>');
    }
    actors.set(request, actor);
  });

  const auditOf = (request: FastifyRequest): AuditContext => {
    const actor = actors.get(request);
    if (actor === undefined) throw new Error('ops request without an authenticated actor');
    return { actor, requestId: request.id, maxEntries: options.auditMaxEntries };
  };

  app.post(
    '/v1/admin/events',
    {
      schema: {
        tags: ['ops'],
        summary: 'Create an event with its own queue and stock',
        description: `The event gets config version 1. ${ledgerNote}`,
        security: [{ bearer: [] }],
        body: CreateEventBodySchema,
        response: { 201: AdminEventViewSchema, ...errors, 409: ErrorBodySchema },
      },
    },
    async (request, reply) => {
      const audit = auditOf(request);
      const result = await createEvent(options.redis, request.body, {
        checkoutWindowSeconds: options.checkoutWindowSeconds,
        audit,
      });
      if (result === 'exists')
        throw new AppError('EVENT_EXISTS', `event ${request.body.id} exists`);
      metrics.opsChanges.inc({ actor: audit.actor, field: 'event' });
      const snapshot = await options.cache.refresh(request.body.id);
      if (!snapshot) throw new Error('the event just created cannot be read back');
      await options.definitions.publish([snapshot], 'create');
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
        description: `A change raises the config \`version\` by at least 1. ${ledgerNote}`,
        security: [{ bearer: [] }],
        params: EventParamsSchema,
        body: PatchEventBodySchema,
        response: {
          200: EventConfigSchema,
          ...errors,
          503: ErrorBodySchema.describe(
            'UNAVAILABLE while Redis forgot the event and it is restored',
          ),
        },
      },
    },
    async (request) => {
      // An unknown id is answered from the in-memory index, like every other route, before any write.
      const { eventId } = request.params;
      const known = await options.queue.snapshot(eventId);
      const audit = auditOf(request);
      const result = await patchEvent(options.redis, eventId, request.body, audit, known.version);
      // The event is known here, so a config Redis no longer has is one the ledger is restoring.
      if (!result)
        throw new AppError('UNAVAILABLE', `event ${eventId} is being restored, try again`);
      for (const [field] of result.changes) metrics.opsChanges.inc({ actor: audit.actor, field });
      const snapshot = await options.cache.refresh(eventId);
      if (snapshot && result.changes.length > 0) {
        await options.definitions.publish([snapshot], 'patch');
      }
      const { checkoutWindowSeconds: _window, ...view } = result.config;
      return view;
    },
  );

  app.get(
    '/v1/admin/audit',
    {
      schema: {
        tags: ['ops'],
        summary: 'Extension: recent successful ops changes, newest first (who, when, old → new)',
        security: [{ bearer: [] }],
        querystring: AuditQuerySchema,
        response: { 200: AuditListSchema, ...errors },
      },
    },
    async (request) => ({ entries: await readAudit(options.redis, request.query) }),
  );
  done();
};
