import { createLogger } from '@frequency/observability';
import { describe, expect, test } from '@frequency/testing';
import { buildApp } from '../src/app.js';
import { envSchema } from '../src/env.js';
import { createWorkerServices } from '../src/services.js';

const logger = createLogger({ service: 'worker', level: 'silent' });

describe('worker service', () => {
  test('is ready when Redis, Pub/Sub and Postgres answer', async ({ redis, pubsub, database }) => {
    const env = envSchema.parse({
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      PUBSUB_PROJECT_ID: pubsub.projectId,
      PUBSUB_EMULATOR_HOST: pubsub.emulatorHost,
      PUBSUB_TOPIC: pubsub.names.topic,
      DATABASE_URL: database.url,
    });
    const services = createWorkerServices(env, logger);
    const app = await buildApp({ env, logger, services });
    try {
      const ready = await app.inject('/readyz');
      expect(ready.json()).toMatchObject({
        status: 'ready',
        checks: { redis: 'ok', pubsub: 'ok', postgres: 'ok' },
      });
    } finally {
      await app.close();
      await services.close();
    }
  });

  test('answers 503 naming Postgres when the database is unreachable', async ({
    redis,
    pubsub,
  }) => {
    const env = envSchema.parse({
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      PUBSUB_PROJECT_ID: pubsub.projectId,
      PUBSUB_EMULATOR_HOST: pubsub.emulatorHost,
      PUBSUB_TOPIC: pubsub.names.topic,
      DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere',
    });
    const services = createWorkerServices(env, logger);
    const app = await buildApp({ env, logger, services });
    try {
      const ready = await app.inject('/readyz');
      expect(ready.statusCode).toBe(503);
      const body = ready.json<{ checks: Record<string, string> }>();
      expect(body.checks.pubsub).toBe('ok');
      expect(body.checks.postgres).toMatch(/ECONNREFUSED 127.0.0.1:1/);
    } finally {
      await app.close();
      await services.close();
    }
  });
});
