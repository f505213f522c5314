import { parseEnv } from '@frequency/config';
import {
  applySpannerSchema,
  dropSpannerDatabase,
  SpannerStore,
  type SpannerLocation,
} from '@frequency/db';
import { portAnswers, startSpannerEmulator } from '@frequency/db/spanner-emulator';
import { createLogger } from '@frequency/observability';
import {
  afterAll,
  beforeAll,
  createTestAdmissionIssuer,
  describe,
  expect,
  freePort,
  seedTestEvent,
  test,
  uniqueName,
} from '@frequency/testing';
import { buildApp } from '@frequency/worker';
import { envSchema } from '@frequency/worker/env';
import { reconcile } from '@frequency/worker/reconcile';
import {
  expectSoldOutAndConsistent,
  sellOut,
  startCheckout,
  startWorkerInProcess,
  workerEnvVars,
  type Wiring,
} from '../src/harness.js';

const cleanups: (() => Promise<unknown>)[] = [];
let emulatorHost = process.env.SPANNER_EMULATOR_HOST ?? '';

/**
 * The Spanner emulator named by SPANNER_EMULATOR_HOST if it answers, otherwise one of this file's own
 * on a free port: never one on the default port, which another package's test run may stop.
 */
beforeAll(async () => {
  const index = emulatorHost.lastIndexOf(':');
  if (
    emulatorHost !== '' &&
    (await portAnswers(emulatorHost.slice(0, index), Number(emulatorHost.slice(index + 1))))
  ) {
    return;
  }
  const emulator = await startSpannerEmulator({ host: '127.0.0.1', grpcPort: await freePort() });
  emulatorHost = emulator.hostPort;
  cleanups.push(() => emulator.stop());
});

afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('selling out with STORE=spanner', () => {
  test(
    'tickets in Spanner = tickets sold in Redis, no ticket twice, every 202 ends confirmed or rejected',
    { timeout: 120_000 },
    async ({ redis, pubsub }) => {
      const location: SpannerLocation = {
        projectId: 'frequency-test',
        instance: 'frequency-test',
        database: uniqueName('w').toLowerCase(),
        emulatorHost,
      };
      await applySpannerSchema(location);
      cleanups.push(() => dropSpannerDatabase(location));
      const wiring: Wiring = {
        redisUrl: redis.url,
        keyPrefix: redis.keyPrefix,
        // Not read with STORE=spanner: nothing listens there, so a Postgres write would fail loudly.
        databaseUrl: 'postgres://postgres@127.0.0.1:1/unused',
        emulatorHost: pubsub.emulatorHost,
        projectId: pubsub.projectId,
        names: pubsub.names,
      };
      const spannerEnv = {
        STORE: 'spanner',
        SPANNER_PROJECT_ID: location.projectId,
        SPANNER_INSTANCE: location.instance,
        SPANNER_DATABASE: location.database,
        SPANNER_EMULATOR_HOST: emulatorHost,
        // The emulator's commit time grows faster than linearly with the rows of one commit.
        WORKER_BATCH_SIZE: '100',
      };
      const issuer = await createTestAdmissionIssuer();
      cleanups.push(() => issuer.close());
      const worker = startWorkerInProcess(wiring, spannerEnv);
      cleanups.push(() => worker.close());
      expect(worker.store.kind).toBe('spanner');
      const app = await startCheckout(wiring, issuer);
      cleanups.push(() => app.close());
      await seedTestEvent(redis.client, { eventId: 'spanner', ticketsTotal: 800, maxPerOrder: 4 });

      const result = await sellOut({
        app,
        issuer,
        redis: redis.client,
        eventId: 'spanner',
        buyers: 500,
      });
      expect(result.rejected[409]).toBeGreaterThan(0);
      const store = SpannerStore.open(location);
      cleanups.push(() => store.close());
      await expectSoldOutAndConsistent({
        app,
        redis: redis.client,
        store,
        eventId: 'spanner',
        ticketsTotal: 800,
        result,
      });
      const [row] = (await reconcile(redis.client, store)).filter((r) => r.eventId === 'spanner');
      expect(row).toMatchObject({
        soldInRedis: 800,
        persisted: 800,
        outboxPending: 0,
        oversold: 0,
      });

      // Readiness checks the store the worker runs on, by its kind.
      const env = parseEnv(envSchema, workerEnvVars(wiring, spannerEnv));
      const http = await buildApp({
        env,
        logger: createLogger({ service: 'worker', level: 'silent' }),
        services: worker,
      });
      cleanups.push(() => http.close());
      const ready = await http.inject({ url: '/readyz' });
      expect(ready.statusCode).toBe(200);
      expect(ready.json()).toMatchObject({ checks: { spanner: 'ok' } });
    },
  );
});
