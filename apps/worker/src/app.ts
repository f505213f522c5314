import { checkTopic, createPubSub } from '@frequency/config/pubsub';
import { createRedisClient, pingRedis } from '@frequency/config/redis';
import { PostgresStore } from '@frequency/db';
import { createHttpApp, createMetrics, type HttpApp, type Logger } from '@frequency/observability';
import type { Env } from './env.js';

export interface BuildOptions {
  env: Env;
  logger: Logger;
}

/** The worker's HTTP face: only /healthz, /readyz and /metrics. */
export async function buildApp({ env, logger }: BuildOptions): Promise<HttpApp> {
  const metrics = createMetrics('worker');
  const redis = createRedisClient({ url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX, name: 'worker' });
  const pubsub = createPubSub({ projectId: env.PUBSUB_PROJECT_ID, emulatorHost: env.PUBSUB_EMULATOR_HOST });
  const store = PostgresStore.open(env.DATABASE_URL, env.DATABASE_POOL_SIZE);
  const app = await createHttpApp({
    logger,
    metrics,
    readiness: {
      redis: () => pingRedis(redis, env.REDIS_URL),
      pubsub: () => checkTopic(pubsub, env.PUBSUB_TOPIC, { emulatorHost: env.PUBSUB_EMULATOR_HOST }),
      postgres: () => store.ping(),
    },
  });
  app.addHook('onClose', async () => {
    await pubsub.close();
    await store.close();
    await redis.quit().catch(() => redis.disconnect());
  });
  return app;
}
