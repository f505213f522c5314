import { createPubSub } from '@frequency/config/pubsub';
import { createRedisClient } from '@frequency/config/redis';
import { openStore, type OrderStore } from '@frequency/db';
import type { Logger } from '@frequency/observability';
import type { PubSub } from '@google-cloud/pubsub';
import type { RedisClient } from '@frequency/config/redis';
import { IntentConsumer } from './consumer/intent-consumer.js';
import type { Env } from './env.js';
import { EventDefinitions } from './ledger/event-definitions.js';
import { Reconciler } from './ledger/reconcile.js';
import { EventRestorer } from './ledger/restorer.js';
import { createMailerServices, type ConfirmationPublisher, type Mailer } from './mailer/index.js';
import { createWorkerMetrics, type WorkerMetrics } from './metrics.js';

export interface WorkerServices {
  redis: RedisClient;
  pubsub: PubSub;
  store: OrderStore;
  metrics: WorkerMetrics;
  consumer: IntentConsumer;
  definitions: EventDefinitions;
  restorer: EventRestorer;
  reconciler: Reconciler;
  /** Publishes OrderConfirmed for confirmed orders; the consumer calls it before acking them. */
  confirmations: ConfirmationPublisher;
  /** The confirmation e-mails, when this process sends them (SMTP_URL / MAILER_ENABLED). */
  mailer: Mailer | undefined;
  /** Starts the consumers and the loops. */
  start(): void;
  /** Stops the consumer (finishing the batch in hand) and the loops, then closes every client. */
  close(): Promise<void>;
}

/** The worker's clients and loops, built once per process; server.ts starts them, tests too. */
export function createWorkerServices(env: Env, logger: Logger): WorkerServices {
  const metrics = createWorkerMetrics();
  const redis = createRedisClient({
    url: env.REDIS_URL,
    clusterNodes: env.REDIS_CLUSTER_NODES,
    keyPrefix: env.REDIS_KEY_PREFIX,
    name: 'worker',
  });
  const pubsub = createPubSub({
    projectId: env.PUBSUB_PROJECT_ID,
    emulatorHost: env.PUBSUB_EMULATOR_HOST,
  });
  const store: OrderStore = openStore(env);
  const { confirmations, mailer } = createMailerServices(env, { pubsub, redis, metrics, logger });
  const consumer = new IntentConsumer({
    pubsub,
    names: {
      topic: env.PUBSUB_TOPIC,
      subscription: env.PUBSUB_SUBSCRIPTION,
      deadLetterTopic: env.PUBSUB_DEAD_LETTER_TOPIC,
    },
    store,
    redis,
    metrics,
    logger,
    maxMessages: env.WORKER_MAX_MESSAGES,
    batchSize: env.WORKER_BATCH_SIZE,
    batchWaitMs: env.WORKER_BATCH_WAIT_MS,
    concurrentBatches: env.WORKER_CONCURRENT_BATCHES,
    shutdownTimeoutMs: env.WORKER_SHUTDOWN_TIMEOUT_MS,
    permanentAttempts: env.WORKER_PERMANENT_ATTEMPTS,
    // Announced only where mail is sent: without a mailer the subscription would only pile up.
    ...(mailer ? { onConfirmed: (intents) => confirmations.publish(intents) } : {}),
  });
  const definitions = new EventDefinitions({
    pubsub,
    names: { topic: env.PUBSUB_EVENTS_TOPIC, subscription: env.PUBSUB_EVENTS_SUBSCRIPTION },
    store,
    metrics,
    logger,
    shutdownTimeoutMs: env.WORKER_SHUTDOWN_TIMEOUT_MS,
  });
  const restorer = new EventRestorer({
    redis,
    store,
    metrics,
    logger,
    intervalMs: env.RESTORE_INTERVAL_MS,
  });
  const reconciler = new Reconciler({
    redis,
    store,
    metrics,
    logger,
    intervalMs: env.RECONCILE_INTERVAL_MS,
  });
  return {
    redis,
    pubsub,
    store,
    metrics,
    consumer,
    definitions,
    restorer,
    reconciler,
    confirmations,
    mailer,
    start: () => {
      consumer.start();
      definitions.start();
      mailer?.start();
      restorer.start();
      reconciler.start();
    },
    close: async () => {
      reconciler.stop();
      await restorer.stop();
      await Promise.all([consumer.stop(), definitions.stop(), mailer?.stop()]);
      await confirmations.close();
      await pubsub.close();
      await store.close();
      await redis.quit().catch(() => {
        redis.disconnect();
      });
    },
  };
}
