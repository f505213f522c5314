import { corsPlugin, parseCorsOrigins } from '@frequency/observability/cors';
import { checkTopic, createPubSub } from '@frequency/config/pubsub';
import { createRedisClient, isRedisUnavailable, pingRedis } from '@frequency/config/redis';
import { createHttpApp, type HttpApp, type Logger } from '@frequency/observability';
import { SignatureThread } from './admission/signature-thread.js';
import { AdmissionVerifier } from './admission/verifier.js';
import { AvailabilityReader } from './availability/availability.js';
import type { Env } from './env.js';
import { EventIndex } from './events/event-index.js';
import { createCheckoutMetrics, observeSignatureQueue } from './metrics.js';
import { OutboxRelay } from './orders/outbox-relay.js';
import { IntentPublisher } from './orders/publisher.js';
import { ReplicaAcks } from './orders/replica-acks.js';
import { OrderService } from './orders/service.js';
import { ReceiptTokens } from './receipts/receipt-tokens.js';
import { availabilityRoutes } from './routes/availability/index.js';
import { orderRoutes } from './routes/orders/index.js';

export interface BuildOptions {
  env: Env;
  logger: Logger;
  /** Parse every response with its zod schema as well (route tests); see createHttpApp. */
  checkResponses?: boolean;
}

/** Checkout: availability and orders. Reserves in Redis, publishes to Pub/Sub; never writes to a database. */
export async function buildApp({ env, logger, checkResponses }: BuildOptions): Promise<HttpApp> {
  const metrics = createCheckoutMetrics();
  const redis = createRedisClient({
    url: env.REDIS_URL,
    clusterNodes: env.REDIS_CLUSTER_NODES,
    keyPrefix: env.REDIS_KEY_PREFIX,
    name: 'checkout',
  });
  // WAIT blocks its connection: with replica acknowledgements on, reservations get a connection of
  // their own, so a slow replica holds back orders only, not availability or order reads.
  const writes = env.REDIS_MIN_REPLICAS_ACK > 0 ? redis.duplicate() : redis;
  const pubsub = createPubSub({
    projectId: env.PUBSUB_PROJECT_ID,
    emulatorHost: env.PUBSUB_EMULATOR_HOST,
  });
  const publisher = new IntentPublisher({
    pubsub,
    logger,
    names: {
      topic: env.PUBSUB_TOPIC,
      subscription: env.PUBSUB_SUBSCRIPTION,
      deadLetterTopic: env.PUBSUB_DEAD_LETTER_TOPIC,
    },
  });
  const signatures = new SignatureThread({
    onLost: (err) => {
      metrics.signatureThreadLost.inc();
      logger.error({ err }, 'admission signature thread died; the next check starts a new one');
    },
    maxPending: env.SIGNATURE_QUEUE_MAX,
    onRefused: () => {
      metrics.signatureChecksRefused.inc();
    },
  });
  observeSignatureQueue(metrics, () => signatures.stats.pending);
  const verifier = new AdmissionVerifier({
    signatures,
    jwksUrl: new URL('/.well-known/jwks.json', env.WAITING_ROOM_URL).toString(),
    refetchCooldownMs: env.JWKS_REFETCH_COOLDOWN_MS,
    maxAgeMs: env.JWKS_MAX_AGE_MS,
  });
  const receipts = new ReceiptTokens({
    secret: env.RECEIPT_SECRET,
    previousSecret: env.RECEIPT_SECRET_PREVIOUS,
    ttlSeconds: env.RECEIPT_TTL_SECONDS,
  });
  if (receipts.ephemeral)
    logger.warn(
      'RECEIPT_SECRET is not set: receipts are signed with a key of this process only and stop ' +
        'working when it restarts or on another replica',
    );
  const orders = new OrderService({
    redis,
    writes,
    publisher,
    metrics,
    receipts,
    replicaAcks: new ReplicaAcks({
      redis: writes,
      minReplicas: env.REDIS_MIN_REPLICAS_ACK,
      timeoutMs: env.REDIS_WAIT_TIMEOUT_MS,
      metrics,
      logger,
    }),
    publishTimeoutMs: env.PUBLISH_TIMEOUT_MS,
    republishAfterMs: env.OUTBOX_REPUBLISH_AFTER_MS,
  });
  const relay = new OutboxRelay({
    redis,
    publisher,
    metrics,
    logger,
    intervalMs: env.OUTBOX_RELAY_INTERVAL_MS,
    republishAfterMs: env.OUTBOX_REPUBLISH_AFTER_MS,
  });
  const availability = new AvailabilityReader(redis, metrics, env.AVAILABILITY_CACHE_MS);
  const events = new EventIndex(redis, env.EVENT_INDEX_REFRESH_MS);

  const app = await createHttpApp({
    logger,
    metrics,
    ...(checkResponses === undefined ? {} : { checkResponses }),
    // The signature queue's share per client is charged to request.ip: the same rule as the join limit.
    unavailable: isRedisUnavailable,
    http: { trustedProxyHops: env.TRUSTED_PROXY_HOPS },
    readiness: {
      redis: () => pingRedis(redis, env.REDIS_URL),
      pubsub: () =>
        checkTopic(pubsub, env.PUBSUB_TOPIC, { emulatorHost: env.PUBSUB_EMULATOR_HOST }),
    },
    openapi: {
      title: 'Frequency checkout',
      description: 'Availability and orders',
      version: '1.0.0',
    },
  });
  // Orders are JSON only: a text/plain body is refused with 415 instead of failing validation.
  app.removeContentTypeParser('text/plain');
  // Fans' browsers call this API from the web origin.
  await app.register(corsPlugin, { origins: parseCorsOrigins(env.CORS_ORIGINS) });
  await app.register(availabilityRoutes, { availability, events });
  await app.register(orderRoutes, { orders, verifier, events, receipts });

  app.addHook('onReady', async () => {
    await Promise.all([verifier.warmUp(), events.start()]);
    relay.start();
  });
  app.addHook('onClose', async () => {
    events.stop();
    await relay.stop();
    await publisher.close();
    await signatures.close();
    await pubsub.close();
    for (const client of writes === redis ? [redis] : [writes, redis])
      await client.quit().catch(() => {
        client.disconnect();
      });
  });
  return app;
}
