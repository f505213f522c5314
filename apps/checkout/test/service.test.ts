import { fileURLToPath } from 'node:url';
import { createLogger } from '@frequency/observability';
import { describe, expect, spawnService, test } from '@frequency/testing';
import { buildApp } from '../src/app.js';
import { envSchema } from '../src/env.js';

const logger = createLogger({ service: 'checkout', level: 'silent' });

describe('checkout service', () => {
  test('is ready when Redis and the Pub/Sub topic answer', async ({ redis, pubsub }) => {
    const env = envSchema.parse({
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      PUBSUB_PROJECT_ID: pubsub.projectId,
      PUBSUB_EMULATOR_HOST: pubsub.emulatorHost,
      PUBSUB_TOPIC: pubsub.names.topic,
    });
    const app = await buildApp({ env, logger });
    try {
      const ready = await app.inject('/readyz');
      expect(ready.json()).toMatchObject({ status: 'ready', checks: { redis: 'ok', pubsub: 'ok' } });
    } finally {
      await app.close();
    }
  });

  test('answers 503 naming the emulator when Pub/Sub is unreachable', async ({ redis }) => {
    const env = envSchema.parse({
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      PUBSUB_EMULATOR_HOST: '127.0.0.1:1',
    });
    const app = await buildApp({ env, logger });
    try {
      const ready = await app.inject('/readyz');
      expect(ready.statusCode).toBe(503);
      const body = ready.json<{ checks: Record<string, string> }>();
      expect(body.checks.redis).toBe('ok');
      expect(body.checks.pubsub).toMatch(/the Pub\/Sub emulator at 127.0.0.1:1/);
    } finally {
      await app.close();
    }
  });

  test('refuses to start with a bad variable, naming it', async () => {
    const service = spawnService(fileURLToPath(new URL('../src/server.ts', import.meta.url)), {
      REDIS_URL: 'http://not-redis',
      PORT: 'x',
    });
    const { code } = await service.exited;
    expect(code).toBe(1);
    expect(service.output()).toContain('REDIS_URL: must be a redis:// or rediss:// URL');
    expect(service.output()).toContain('PORT:');
  });
});
