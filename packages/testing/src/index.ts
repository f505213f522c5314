import { randomBytes } from 'node:crypto';
import { createPubSub } from '@frequency/config/pubsub';
import { createRedisClient, type RedisClient } from '@frequency/config/redis';
import { createDb, type DbHandle, ensureDatabase, runMigrations } from '@frequency/db';
import type { PubSub, Subscription, Topic } from '@google-cloud/pubsub';
import pg from 'pg';
import { inject, test as base } from 'vitest';

// The global setup declares what it provides (inject('pubsubEmulatorHost')).
import type {} from './global-setup.js';
import { deleteKeysWithPrefix, testRedisClusterNodes } from './redis.js';
import { startRedisCluster, type StartedRedisCluster } from './services.js';

export {
  killProcessGroup,
  portAnswers,
  startPubSubEmulator,
  startRedisCluster,
  startRedisServer,
  stopProcessGroup,
  waitForPort,
  type StartedEmulator,
  type StartedRedis,
  type StartedRedisCluster,
} from './services.js';

export { deleteKeysWithPrefix, forgetKeysWithPrefix, testRedisClusterNodes } from './redis.js';

/** Server URLs the fixtures use; each can be pointed elsewhere by the same variables the apps read. */
export const testServices = {
  postgresUrl: () => process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redisUrl: () => process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0',
  /** Set (host:port,…) to run a package's tests on a Redis Cluster, as REDIS_CLUSTER_NODES does. */
  redisClusterNodes: testRedisClusterNodes,
  pubsubEmulatorHost: () => process.env.PUBSUB_EMULATOR_HOST ?? inject('pubsubEmulatorHost'),
  pubsubProjectId: 'frequency-test',
};

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export interface TestDatabase extends DbHandle {
  url: string;
  name: string;
}

/** A fresh database built from the committed migrations; drop() removes it. */
export async function createTestDatabase(): Promise<TestDatabase & { drop(): Promise<void> }> {
  const name = uniqueName('t').toLowerCase();
  const url = new URL(testServices.postgresUrl());
  url.pathname = `/${name}`;
  await ensureDatabase(url.toString());
  await runMigrations(url.toString());
  const handle = createDb(url.toString(), 5);
  return {
    ...handle,
    url: url.toString(),
    name,
    drop: async () => {
      await handle.close();
      const admin = new pg.Client({ connectionString: testServices.postgresUrl() });
      await admin.connect();
      try {
        await admin.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await admin.end();
      }
    },
  };
}

export interface TestRedis {
  client: RedisClient;
  url: string;
  /** Every key this test file writes starts with it; apps get it as their REDIS_KEY_PREFIX. */
  keyPrefix: string;
}

/** A Redis client confined to a unique key prefix; cleanup() deletes every key under it. */
export async function createTestRedis(): Promise<TestRedis & { cleanup(): Promise<void> }> {
  const keyPrefix = `${uniqueName('t')}:`;
  const url = testServices.redisUrl();
  const client = createRedisClient({
    url,
    clusterNodes: testServices.redisClusterNodes(),
    keyPrefix,
    name: 'test',
  });
  await client.ping();
  return {
    client,
    url,
    keyPrefix,
    cleanup: async () => {
      try {
        await deleteKeysWithPrefix(url, keyPrefix);
      } finally {
        client.disconnect();
      }
    },
  };
}

export interface TestPubSub {
  pubsub: PubSub;
  emulatorHost: string;
  projectId: string;
  topic: Topic;
  subscription: Subscription;
  deadLetterTopic: Topic;
  names: { topic: string; subscription: string; deadLetterTopic: string };
}

/** Uniquely named topic, subscription and dead-letter topic on the emulator; cleanup() deletes them. */
export async function createTestPubSub(): Promise<TestPubSub & { cleanup(): Promise<void> }> {
  const emulatorHost = testServices.pubsubEmulatorHost();
  const projectId = testServices.pubsubProjectId;
  const pubsub = createPubSub({ projectId, emulatorHost });
  const base = uniqueName('t');
  const names = {
    topic: `${base}-intents`,
    subscription: `${base}-worker`,
    deadLetterTopic: `${base}-dead-letter`,
  };
  const [deadLetterTopic] = await pubsub.createTopic(names.deadLetterTopic);
  const [topic] = await pubsub.createTopic(names.topic);
  const [subscription] = await topic.createSubscription(names.subscription, {
    ackDeadlineSeconds: 10,
    deadLetterPolicy: { deadLetterTopic: deadLetterTopic.name, maxDeliveryAttempts: 5 },
  });
  return {
    pubsub,
    emulatorHost,
    projectId,
    topic,
    subscription,
    deadLetterTopic,
    names,
    cleanup: async () => {
      await subscription.close().catch(() => undefined);
      await subscription.delete().catch(() => undefined);
      await topic.delete().catch(() => undefined);
      await deadLetterTopic.delete().catch(() => undefined);
      await pubsub.close();
    },
  };
}

interface FileFixtures {
  database: TestDatabase;
  redis: TestRedis;
  pubsub: TestPubSub;
  redisCluster: StartedRedisCluster;
}

/**
 * `test` with real, isolated dependencies, one set per test file (created on first use, removed
 * after the file): its own Postgres database, its own Redis key prefix, its own Pub/Sub topics.
 */
export const test = base.extend<FileFixtures>({
  database: [
    // eslint-disable-next-line no-empty-pattern -- vitest reads fixture dependencies from this pattern
    async ({}, use) => {
      const database = await createTestDatabase();
      await use(database);
      await database.drop();
    },
    { scope: 'file' },
  ],
  redis: [
    // eslint-disable-next-line no-empty-pattern -- vitest reads fixture dependencies from this pattern
    async ({}, use) => {
      const redis = await createTestRedis();
      await use(redis);
      await redis.cleanup();
    },
    { scope: 'file' },
  ],
  pubsub: [
    // eslint-disable-next-line no-empty-pattern -- vitest reads fixture dependencies from this pattern
    async ({}, use) => {
      const pubsub = await createTestPubSub();
      await use(pubsub);
      await pubsub.cleanup();
    },
    { scope: 'file' },
  ],
  /** A Redis Cluster of 3 primaries of the file's own, started on first use, stopped after it. */
  redisCluster: [
    // eslint-disable-next-line no-empty-pattern -- vitest reads fixture dependencies from this pattern
    async ({}, use) => {
      const cluster = await startRedisCluster(3);
      try {
        await use(cluster);
      } finally {
        await cluster.stop();
      }
    },
    { scope: 'file' },
  ],
});

export { describe, expect, vi, beforeAll, afterAll, beforeEach, afterEach } from 'vitest';
export { freePort, spawnService, type ServiceProcess } from './process.js';
export { makeIntent } from './intents.js';
export {
  admit,
  createSigningKey,
  createTestAdmissionIssuer,
  type MintedAdmission,
  type MintOptions,
  type TestAdmissionIssuer,
  type TestSigningKey,
} from './admission.js';
export { seedTestEvent, type SeedEventOptions } from './events.js';
