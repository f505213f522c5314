import { checkTopic } from '@frequency/config/pubsub';
import { isRedisUnavailable, pingRedis } from '@frequency/config/redis';
import { createHttpApp, type HttpApp, type Logger } from '@frequency/observability';
import type { Env } from './env.js';
import type { WorkerServices } from './services.js';

export interface BuildOptions {
  env: Env;
  logger: Logger;
  services: Pick<WorkerServices, 'redis' | 'pubsub' | 'store' | 'metrics'>;
}

/**
 * The worker's HTTP face: only /healthz, /readyz and /metrics. Ready when Redis, Pub/Sub (the
 * subscription's topic) and the order store (Postgres or Spanner, named by its kind) answer; the
 * clients are the consumer's own.
 */
export async function buildApp({ env, logger, services }: BuildOptions): Promise<HttpApp> {
  const { redis, pubsub, store, metrics } = services;
  return createHttpApp({
    logger,
    metrics,
    unavailable: isRedisUnavailable,
    http: { trustedProxyHops: env.TRUSTED_PROXY_HOPS },
    readiness: {
      redis: () => pingRedis(redis, env.REDIS_URL),
      pubsub: () =>
        checkTopic(pubsub, env.PUBSUB_TOPIC, { emulatorHost: env.PUBSUB_EMULATOR_HOST }),
      [store.kind]: () => store.ping(),
    },
  });
}
