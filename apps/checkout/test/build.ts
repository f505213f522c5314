import { parseEnv } from '@frequency/config';
import { createLogger, type HttpApp } from '@frequency/observability';
import type { TestAdmissionIssuer, TestPubSub, TestRedis } from '@frequency/testing';

export { freePort } from '@frequency/testing/process';
import { buildApp } from '../src/app.js';
import { envSchema } from '../src/env.js';

export interface CheckoutUnderTest {
  redis: TestRedis;
  pubsub: Pick<TestPubSub, 'emulatorHost' | 'projectId' | 'names'>;
  issuer: TestAdmissionIssuer;
  env?: Record<string, string>;
}

/**
 * Checkout built exactly as server.ts builds it, pointed at the test's own Redis prefix and topics.
 * The issuer's tokens are registered live in that Redis, as the waiting room does at admission.
 */
export async function buildTestCheckout(options: CheckoutUnderTest): Promise<HttpApp> {
  options.issuer.admitIn(options.redis.client);
  const env = parseEnv(envSchema, {
    REDIS_URL: options.redis.url,
    REDIS_KEY_PREFIX: options.redis.keyPrefix,
    PUBSUB_PROJECT_ID: options.pubsub.projectId,
    PUBSUB_EMULATOR_HOST: options.pubsub.emulatorHost,
    PUBSUB_TOPIC: options.pubsub.names.topic,
    PUBSUB_SUBSCRIPTION: options.pubsub.names.subscription,
    PUBSUB_DEAD_LETTER_TOPIC: options.pubsub.names.deadLetterTopic,
    WAITING_ROOM_URL: options.issuer.baseUrl,
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const app = await buildApp({
    env,
    logger: createLogger({ service: 'checkout', level: env.LOG_LEVEL }),
    // Every response a test sees is also checked against its zod schema.
    checkResponses: true,
  });
  await app.ready();
  return app;
}

export const buyer = { name: 'Ada Fan', email: 'ada@example.com' };

/**
 * Enough for one buyer to place every order of a test file that is not about the per-buyer cap
 * (events made without maxPerBuyer cap a buyer at maxPerOrder).
 */
export const uncapped = { maxPerBuyer: 1_000_000 };

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}
