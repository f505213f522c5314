import { checkTopic, createPubSub } from '@frequency/config/pubsub';
import { createRedisClient, pingRedis } from '@frequency/config/redis';
import { createHttpApp, createMetrics, type HttpApp, type Logger } from '@frequency/observability';
import type { Env } from './env.js';

export interface BuildOptions {
  env: Env;
  logger: Logger;
}

/** Checkout: availability and orders. Reserves in Redis, publishes to Pub/Sub; never writes to a database. */
export async function buildApp({ env, logger }: BuildOptions): Promise<HttpApp> {
  const metrics = createMetrics('checkout');
  const redis = createRedisClient({ url: env.REDIS_URL, keyPrefix: env.REDIS_KEY_PREFIX, name: 'checkout' });
  const pubsub = createPubSub({ projectId: env.PUBSUB_PROJECT_ID, emulatorHost: env.PUBSUB_EMULATOR_HOST });
  const app = await createHttpApp({
    logger,
    metrics,
    readiness: {
      redis: () => pingRedis(redis, env.REDIS_URL),
      pubsub: () => checkTopic(pubsub, env.PUBSUB_TOPIC, { emulatorHost: env.PUBSUB_EMULATOR_HOST }),
    },
    openapi: {
      title: 'Frequency checkout',
      description: 'Availability and orders',
      version: '1.0.0',
    },
  });
  app.addHook('onClose', async () => {
    await pubsub.close();
    await redis.quit().catch(() => redis.disconnect());
  });
  return app;
}
