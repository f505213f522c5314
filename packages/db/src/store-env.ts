import { postgresEnv } from '@frequency/config';
import { z } from 'zod';
import { PostgresStore } from './postgres-store.js';
import { SpannerStore } from './spanner-store.js';
import type { OrderStore } from './store.js';

// Resource id rules of Cloud Spanner, checked at start instead of at the first RPC.
const projectId = z.string().regex(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, 'not a GCP project id');
const instanceId = z
  .string()
  .regex(/^[a-z][-a-z0-9]{0,62}[a-z0-9]$/, 'not a Spanner instance id (2-64 chars, a-z 0-9 -)');
const databaseId = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,28}[a-z0-9]$/, 'not a Spanner database id (2-30 chars, a-z 0-9 _ -)');

export const postgresStoreEnv = z
  .object({ STORE: z.literal('postgres') })
  .extend(postgresEnv.shape);

export const spannerStoreEnv = z.object({
  STORE: z.literal('spanner'),
  SPANNER_PROJECT_ID: projectId.default('frequency-local'),
  SPANNER_INSTANCE: instanceId.default('frequency'),
  SPANNER_DATABASE: databaseId.default('frequency'),
  SPANNER_EMULATOR_HOST: z
    .string()
    .regex(/^[^:\s/]+:\d{1,5}$/, 'must be host:port (no scheme)')
    .optional(),
});

/**
 * Which database the worker writes to. STORE selects the branch and only that branch's variables are
 * validated: a Postgres deployment needs no SPANNER_* and a Spanner one no DATABASE_URL. STORE
 * defaults to postgres. Compose it into a service schema with `.and(storeEnv)`.
 */
export const storeEnv = z.preprocess(
  (input) =>
    typeof input === 'object' && input !== null && !('STORE' in input)
      ? { ...input, STORE: 'postgres' }
      : input,
  z.discriminatedUnion('STORE', [postgresStoreEnv, spannerStoreEnv]),
);
export type StoreEnv = z.infer<typeof storeEnv>;
export type SpannerStoreEnv = z.infer<typeof spannerStoreEnv>;

export function spannerLocationFromEnv(env: SpannerStoreEnv) {
  return {
    projectId: env.SPANNER_PROJECT_ID,
    instance: env.SPANNER_INSTANCE,
    database: env.SPANNER_DATABASE,
    emulatorHost: env.SPANNER_EMULATOR_HOST,
  };
}

/** Opens the store STORE names; nothing connects until the first call (ping, persist). */
export function openStore(env: StoreEnv): OrderStore {
  switch (env.STORE) {
    case 'postgres':
      return PostgresStore.open(env.DATABASE_URL, env.DATABASE_POOL_SIZE);
    case 'spanner':
      return SpannerStore.open(spannerLocationFromEnv(env));
  }
}
