import { createRedisClient, pingRedis } from '@frequency/config/redis';
import { createHttpApp, createMetrics, type HttpApp, type Logger } from '@frequency/observability';
import type { Env } from './env.js';

export interface BuildOptions {
  env: Env;
  logger: Logger;
}

/** The waiting room: queue API, JWKS and ops API. Builds; never listens, never reads process.env. */
export async function buildApp({ env, logger }: BuildOptions): Promise<HttpApp> {
  const metrics = createMetrics('waiting-room');
  const redis = createRedisClient({
    url: env.REDIS_URL,
    keyPrefix: env.REDIS_KEY_PREFIX,
    name: 'waiting-room',
  });
  const app = await createHttpApp({
    logger,
    metrics,
    readiness: { redis: () => pingRedis(redis, env.REDIS_URL) },
    openapi: {
      title: 'Frequency waiting room',
      description: 'Queue, admission tokens (JWKS) and the ops API',
      version: '1.0.0',
    },
  });
  app.addHook('onClose', async () => {
    await redis.quit().catch(() => redis.disconnect());
  });
  return app;
}
