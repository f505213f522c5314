import { PostgresStore } from '@frequency/db';
import {
  afterAll,
  createTestAdmissionIssuer,
  describe,
  expect,
  seedTestEvent,
  test,
} from '@frequency/testing';
import {
  expectSoldOutAndConsistent,
  sellOut,
  spawnWorker,
  startCheckout,
  wiringOf,
} from '../src/harness.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('selling out survives a worker crash', () => {
  test(
    'the worker SIGKILLed mid-run and restarted: nothing lost, nothing twice; SIGTERM then exits 0',
    { timeout: 240_000 },
    async ({ redis, database, pubsub }) => {
      const wiring = wiringOf({ redis, database, pubsub });
      const issuer = await createTestAdmissionIssuer();
      cleanups.push(() => issuer.close());
      // Small batches so the kill lands with batches in flight, unacked.
      const workerEnv = { WORKER_BATCH_SIZE: '50', WORKER_BATCH_WAIT_MS: '30' };
      let worker = await spawnWorker(wiring, workerEnv);
      cleanups.push(async () => {
        worker.child.kill('SIGKILL');
        await worker.exited;
      });
      const app = await startCheckout(wiring, issuer);
      cleanups.push(() => app.close());
      await seedTestEvent(redis.client, { eventId: 'crash', ticketsTotal: 2_000, maxPerOrder: 4 });
      const store = PostgresStore.open(database.url, 2);
      cleanups.push(() => store.close());

      const selling = sellOut({
        app,
        issuer,
        redis: redis.client,
        eventId: 'crash',
        buyers: 1_200,
      });
      // Kill as soon as the worker has persisted something: it is then mid-stream for sure.
      await expect
        .poll(async () => (await store.auditEvent('crash')).tickets, {
          timeout: 90_000,
          interval: 20,
        })
        .toBeGreaterThan(0);
      worker.child.kill('SIGKILL');
      expect((await worker.exited).signal).toBe('SIGKILL');
      const result = await selling;
      const persistedWhileDown = (await store.auditEvent('crash')).tickets;
      expect(persistedWhileDown).toBeLessThan(2_000);

      worker = await spawnWorker(wiring, workerEnv);
      await expectSoldOutAndConsistent({
        app,
        redis: redis.client,
        store,
        eventId: 'crash',
        ticketsTotal: 2_000,
        result,
      });

      worker.child.kill('SIGTERM');
      expect(await worker.exited).toEqual({ code: 0, signal: null });
    },
  );
});
