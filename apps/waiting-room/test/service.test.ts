import { fileURLToPath } from 'node:url';
import { createLogger } from '@frequency/observability';
import { describe, expect, spawnService, test } from '@frequency/testing';
import { buildApp } from '../src/app.js';
import { envSchema } from '../src/env.js';
import { testJwks } from './helpers.js';

const logger = createLogger({ service: 'waiting-room', level: 'silent' });
const secrets = {
  OPS_TOKEN: 'ops-token-for-tests-only',
  QUEUE_TOKEN_SECRET: 'q'.repeat(32),
  ADMISSION_PRIVATE_JWKS: await testJwks(),
};

describe('waiting-room service', () => {
  test('is ready when Redis answers', async ({ redis }) => {
    const env = envSchema.parse({
      ...secrets,
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
    });
    const app = await buildApp({ env, logger });
    try {
      const ready = await app.inject('/readyz');
      expect(ready.json()).toMatchObject({ status: 'ready', checks: { redis: 'ok' } });
      expect((await app.inject('/docs/json')).json()).toMatchObject({
        info: { title: 'Frequency waiting room' },
      });
    } finally {
      await app.close();
    }
  });

  test('answers 503 naming Redis when Redis is unreachable', async () => {
    const env = envSchema.parse({ ...secrets, REDIS_URL: 'redis://127.0.0.1:1/0' });
    const app = await buildApp({ env, logger });
    try {
      await new Promise((r) => setTimeout(r, 300));
      const ready = await app.inject('/readyz');
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toMatchObject({
        checks: {
          redis: expect.stringMatching(/Redis at redis:\/\/127.0.0.1:1\/0 is unreachable/),
        },
      });
    } finally {
      await app.close();
    }
  });

  test('refuses to start without its secrets, naming each missing variable', async () => {
    const service = spawnService(fileURLToPath(new URL('../src/server.ts', import.meta.url)), {});
    const { code } = await service.exited;
    expect(code).toBe(1);
    expect(service.output()).toMatch(/Invalid environment: 3 variables to fix/);
    for (const name of ['OPS_TOKEN', 'QUEUE_TOKEN_SECRET', 'ADMISSION_PRIVATE_JWKS']) {
      expect(service.output()).toContain(`${name}: is required`);
    }
  });
});
