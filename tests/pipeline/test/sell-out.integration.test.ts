import { spawnSync } from 'node:child_process';
import { PostgresStore } from '@frequency/db';
import {
  afterAll,
  createTestAdmissionIssuer,
  describe,
  expect,
  seedTestEvent,
  test,
} from '@frequency/testing';
import type { Message } from '@google-cloud/pubsub';
import { nodeArgs } from '../src/apps.js';
import { reconcile } from '@frequency/worker/reconcile';
import type { WorkerServices } from '@frequency/worker/services';
import {
  expectSoldOutAndConsistent,
  sellOut,
  startCheckout,
  startWorkerInProcess,
  wiringOf,
} from '../src/harness.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('selling out an event under concurrency', () => {
  test(
    '3,000 buyers for 5,000 tickets: Redis, Postgres and every answer agree, no ticket twice',
    { timeout: 120_000 },
    async ({ redis, database, pubsub }) => {
      const wiring = wiringOf({ redis, database, pubsub });
      const issuer = await createTestAdmissionIssuer();
      cleanups.push(() => issuer.close());
      const worker: WorkerServices = startWorkerInProcess(wiring);
      cleanups.push(() => worker.close());
      const app = await startCheckout(wiring, issuer);
      cleanups.push(() => app.close());
      await seedTestEvent(redis.client, {
        eventId: 'sell-out',
        ticketsTotal: 5_000,
        maxPerOrder: 4,
      });

      const result = await sellOut({
        app,
        issuer,
        redis: redis.client,
        eventId: 'sell-out',
        buyers: 3_000,
      });
      expect(result.rejected[409]).toBeGreaterThan(0);
      const store = PostgresStore.open(database.url, 2);
      cleanups.push(() => store.close());
      await expectSoldOutAndConsistent({
        app,
        redis: redis.client,
        store,
        eventId: 'sell-out',
        ticketsTotal: 5_000,
        result,
      });

      const [row] = (await reconcile(redis.client, store)).filter((r) => r.eventId === 'sell-out');
      expect(row).toEqual({
        eventId: 'sell-out',
        ticketsTotal: 5_000,
        soldInRedis: 5_000,
        persisted: 5_000,
        outboxPending: 0,
        oversold: 0,
      });
      // The operator's command prints the same figures and exits 0 when they agree.
      const cli = spawnSync(process.execPath, nodeArgs('@frequency/worker/reconcile-cli'), {
        env: {
          ...process.env,
          REDIS_URL: redis.url,
          REDIS_KEY_PREFIX: redis.keyPrefix,
          DATABASE_URL: database.url,
        },
        encoding: 'utf8',
      });
      expect(cli.stderr).toBe('');
      expect(cli.status).toBe(0);
      expect(cli.stdout).toMatch(/sell-out.*5000.*5000.*5000.*\b0\b.*\b0\b.*ok/);

      await expect
        .poll(
          async () =>
            worker.metrics.registry.getSingleMetricAsString('reconciliation_tickets_persisted'),
          {
            timeout: 5_000,
          },
        )
        .toMatch(/event="sell-out".* 5000/);
    },
  );

  test(
    'every message published twice: still one order and one set of tickets each',
    { timeout: 120_000 },
    async ({ redis, database, pubsub }) => {
      const wiring = wiringOf({ redis, database, pubsub });
      // A second subscription on the topic sees every intent and publishes it once more.
      const [tap] = await pubsub.topic.createSubscription(`${pubsub.names.topic}-tap`);
      cleanups.push(async () => {
        await tap.close();
        await tap.delete();
      });
      const echoed = new Set<string>();
      tap.on('message', (message: Message) => {
        if (!echoed.has(message.id)) {
          echoed.add(message.id);
          void pubsub.topic.publishMessage({ data: message.data, attributes: { echo: '1' } });
        }
        message.ack();
      });
      const issuer = await createTestAdmissionIssuer();
      cleanups.push(() => issuer.close());
      const worker = startWorkerInProcess(wiring);
      cleanups.push(() => worker.close());
      const app = await startCheckout(wiring, issuer);
      cleanups.push(() => app.close());
      await seedTestEvent(redis.client, { eventId: 'twice', ticketsTotal: 2_000, maxPerOrder: 4 });

      const result = await sellOut({
        app,
        issuer,
        redis: redis.client,
        eventId: 'twice',
        buyers: 1_200,
      });
      const store = PostgresStore.open(database.url, 2);
      cleanups.push(() => store.close());
      await expectSoldOutAndConsistent({
        app,
        redis: redis.client,
        store,
        eventId: 'twice',
        ticketsTotal: 2_000,
        result,
      });
      // The echoes arrive too and change nothing.
      await expect
        .poll(
          async () => {
            const text =
              await worker.metrics.registry.getSingleMetricAsString('worker_messages_total');
            return Number(/result="duplicate"[^\n]* (\d+)/.exec(text)?.[1] ?? 0);
          },
          { timeout: 30_000 },
        )
        .toBeGreaterThanOrEqual(result.accepted.length);
      expect((await store.auditEvent('twice')).tickets).toBe(2_000);
    },
  );
});
