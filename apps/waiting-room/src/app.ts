import { corsPlugin, parseCorsOrigins } from '@frequency/observability/cors';
import { createPubSub } from '@frequency/config/pubsub';
import { createRedisClient, isRedisUnavailable, pingRedis } from '@frequency/config/redis';
import { createHttpApp, createMetrics, type HttpApp, type Logger } from '@frequency/observability';
import { AdmissionController } from './admission/controller.js';
import type { Env } from './env.js';
import { EventCache } from './events/event-cache.js';
import { EventDefinitionPublisher } from './ledger/event-definitions.js';
import { createWaitingRoomMetrics } from './metrics.js';
import { OpsLoginLimiter } from './ops/login-limiter.js';
import { OpsTokens } from './ops/ops-tokens.js';
import { JoinChallenges } from './queue/join-challenges.js';
import { QueueService } from './queue/queue-service.js';
import { SeenRecorder } from './queue/seen-recorder.js';
import { waitingRoomCommands } from './redis/commands.js';
import { adminRoutes } from './routes/admin/index.js';
import { challengeRoutes } from './routes/challenge/index.js';
import { eventRoutes } from './routes/events/index.js';
import { jwksRoutes } from './routes/jwks/index.js';
import { queueRoutes } from './routes/queue/index.js';
import { AdmissionTokenSigner } from './tokens/admission-tokens.js';
import { QueueTokens } from './tokens/queue-token.js';

export interface BuildOptions {
  env: Env;
  logger: Logger;
}

/** The parts tests and operators reach past HTTP: leadership, caches, the batch of last-seen polls. */
export interface WaitingRoomInternals {
  admission: AdmissionController;
  cache: EventCache;
  definitions: EventDefinitionPublisher;
  recorder: SeenRecorder;
  queue: QueueService;
  instanceId: string;
}

declare module 'fastify' {
  interface FastifyInstance {
    waitingRoom: WaitingRoomInternals;
  }
}

/** The waiting room: queue API, JWKS and ops API. Builds; never listens, never reads process.env. */
export async function buildApp({ env, logger }: BuildOptions): Promise<HttpApp> {
  const metrics = createMetrics('waiting-room');
  const redis = createRedisClient({
    url: env.REDIS_URL,
    clusterNodes: env.REDIS_CLUSTER_NODES,
    keyPrefix: env.REDIS_KEY_PREFIX,
    name: `waiting-room:${env.INSTANCE_ID}`,
  });
  // Loaded before the first command, so no auto-pipeline of this client lacks them.
  waitingRoomCommands(redis);
  const signer = await AdmissionTokenSigner.fromJwks(env.ADMISSION_PRIVATE_JWKS);
  const logError =
    (msg: string) =>
    (err: unknown): void => {
      logger.error({ err }, msg);
    };
  const cache = new EventCache(redis, env.EVENT_REFRESH_MS, logError('event refresh failed'), {
    onStale: (eventId) => {
      wrMetrics.staleSnapshots.inc({ event: eventId });
    },
    onStateRestored: (eventId) => {
      wrMetrics.stateRestores.inc({ event: eventId });
      logger.warn({ eventId }, 'queue state written back after Redis forgot it');
    },
  });
  const wrMetrics = createWaitingRoomMetrics(metrics, cache);
  const recorder = new SeenRecorder(redis, env.SEEN_FLUSH_MS, logError('last-seen flush failed'));
  const prequeueWindowMs = env.PREQUEUE_OPENS_BEFORE_SECONDS * 1000;
  const challenges = new JoinChallenges(redis, {
    ttlMs: env.JOIN_CHALLENGE_TTL_SECONDS * 1000,
    joinRateLimit: env.JOIN_RATE_LIMIT_MAX,
    joinRateWindowMs: env.JOIN_RATE_LIMIT_WINDOW_SECONDS * 1000,
  });
  const queue = new QueueService(
    redis,
    cache,
    new QueueTokens(env.QUEUE_TOKEN_SECRET, env.QUEUE_TOKEN_TTL_SECONDS),
    signer,
    recorder,
    wrMetrics,
    {
      joinRateLimit: env.JOIN_RATE_LIMIT_MAX,
      joinRateWindowMs: env.JOIN_RATE_LIMIT_WINDOW_SECONDS * 1000,
      prequeueWindowMs,
      abandonAfterSeconds: env.QUEUE_ABANDON_AFTER_SECONDS,
    },
    challenges,
  );
  const admission = new AdmissionController(redis, cache, wrMetrics, logger, {
    instanceId: env.INSTANCE_ID,
    tickMs: env.ADMISSION_TICK_MS,
    leaseMs: env.LEADER_LEASE_MS,
    abandonAfterSeconds: env.QUEUE_ABANDON_AFTER_SECONDS,
    onAdmitted: (eventId, entryId, jti, expiresAtMs) => {
      queue.rememberAdmission(eventId, entryId, jti, expiresAtMs);
    },
  });

  const pubsub = createPubSub({
    projectId: env.PUBSUB_PROJECT_ID,
    emulatorHost: env.PUBSUB_EMULATOR_HOST,
  });
  const definitions = new EventDefinitionPublisher({
    pubsub,
    topicName: env.PUBSUB_EVENTS_TOPIC,
    cache,
    metrics: wrMetrics,
    logger,
    deadlineMs: env.LEDGER_PUBLISH_TIMEOUT_MS,
    intervalMs: env.LEDGER_SYNC_INTERVAL_MS,
    // One copy per event and interval, from the replica leading its admission.
    sendsCopyOf: (eventId) => admission.isLeader(eventId),
  });

  const app = await createHttpApp({
    logger,
    metrics,
    unavailable: isRedisUnavailable,
    http: { trustedProxyHops: env.TRUSTED_PROXY_HOPS },
    // Redis only. Pub/Sub carries event definitions to the ledger, which is not on any fan's path
    // (joins, polls and admissions need Redis alone) and catches up through the periodic copy; a
    // replica taken out of rotation for a broker outage would turn fans away for nothing.
    readiness: { redis: () => pingRedis(redis, env.REDIS_URL) },
    openapi: {
      title: 'Frequency waiting room',
      description: 'Queue, admission tokens (JWKS) and the ops API',
      version: '1.0.0',
    },
  });
  // Every body here is JSON; without this, text/plain would reach validation and answer 422, not 415.
  app.removeContentTypeParser('text/plain');
  // Fans' browsers call this API from the web origin.
  await app.register(corsPlugin, { origins: parseCorsOrigins(env.CORS_ORIGINS) });
  app.decorate('waitingRoom', {
    admission,
    cache,
    definitions,
    recorder,
    queue,
    instanceId: env.INSTANCE_ID,
  });

  await app.register(eventRoutes, { queue, prequeueWindowMs });
  await app.register(queueRoutes, { queue });
  await app.register(challengeRoutes, { queue });
  await app.register(jwksRoutes, { signer });
  await app.register(adminRoutes, {
    redis,
    cache,
    queue,
    definitions,
    metrics: wrMetrics,
    tokens: OpsTokens.fromEnv(env.OPS_TOKEN, env.OPS_TOKENS),
    loginLimiter: new OpsLoginLimiter(redis, env.OPS_LOGIN_FAILURES_PER_MINUTE),
    auditMaxEntries: env.OPS_AUDIT_MAX_ENTRIES,
    checkoutWindowSeconds: env.CHECKOUT_WINDOW_SECONDS,
    prequeueWindowMs,
  });

  app.addHook('onReady', async () => {
    await cache.refreshAll();
    cache.start();
    recorder.start();
    admission.start();
    definitions.start();
  });
  app.addHook('onClose', async () => {
    definitions.stop();
    await admission.stop({ releaseLeases: true });
    recorder.stop();
    cache.stop();
    await recorder.flush().catch(logError('last-seen flush failed'));
    await pubsub.close().catch(logError('closing Pub/Sub failed'));
    await redis.quit().catch(() => {
      redis.disconnect();
    });
  });
  return app;
}
