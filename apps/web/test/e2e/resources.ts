import { randomBytes } from 'node:crypto';
import { createPubSub, ensureTopology } from '@frequency/config/pubsub';
import { ensureDatabase, runMigrations } from '@frequency/db';
import { deleteKeysWithPrefix } from '@frequency/testing/redis';
import pg from 'pg';

/**
 * The isolated backing resources of one browser-test run: a fresh migrated database, a Redis key
 * prefix and uniquely named Pub/Sub topics. The same recipe as @frequency/testing's fixtures, built
 * from the same package helpers: a vitest global setup runs outside the test runner, where
 * @frequency/testing's fixtures (which import vitest's `test`) cannot be loaded.
 */
const unique = (prefix: string) =>
  `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;

export const serviceUrls = {
  postgres: () => process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redis: () => process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0',
  pubsubEmulatorHost: () => process.env.PUBSUB_EMULATOR_HOST ?? '127.0.0.1:8085',
};

export async function createE2eDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = unique('e2e').toLowerCase();
  const url = new URL(serviceUrls.postgres());
  url.pathname = `/${name}`;
  await ensureDatabase(url.toString());
  await runMigrations(url.toString());
  return {
    url: url.toString(),
    drop: async () => {
      const admin = new pg.Client({ connectionString: serviceUrls.postgres() });
      await admin.connect();
      try {
        await admin.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await admin.end();
      }
    },
  };
}

export function createE2eRedis(): { url: string; keyPrefix: string; cleanup(): Promise<void> } {
  const url = serviceUrls.redis();
  const keyPrefix = `${unique('e2e')}:`;
  return {
    url,
    keyPrefix,
    cleanup: () => deleteKeysWithPrefix(url, keyPrefix),
  };
}

export async function createE2ePubSub() {
  const emulatorHost = serviceUrls.pubsubEmulatorHost();
  const projectId = 'frequency-test';
  const pubsub = createPubSub({ projectId, emulatorHost });
  const base = unique('e2e');
  const names = {
    topic: `${base}-intents`,
    subscription: `${base}-worker`,
    deadLetterTopic: `${base}-dead-letter`,
  };
  await ensureTopology(pubsub, names);
  return {
    emulatorHost,
    projectId,
    names,
    cleanup: async () => {
      await pubsub
        .subscription(names.subscription)
        .delete()
        .catch(() => undefined);
      await pubsub
        .subscription(`${names.deadLetterTopic}-hold`)
        .delete()
        .catch(() => undefined);
      await pubsub
        .topic(names.topic)
        .delete()
        .catch(() => undefined);
      await pubsub
        .topic(names.deadLetterTopic)
        .delete()
        .catch(() => undefined);
      await pubsub.close();
    },
  };
}
