import { eventKeys, type PurchaseIntent } from '@frequency/contracts';
import { PostgresStore } from '@frequency/db';
import { createLogger } from '@frequency/observability';
import { afterAll, describe, expect, makeIntent, test } from '@frequency/testing';
import type { Message } from '@google-cloud/pubsub';
import { parseEnv } from '@frequency/config';
import { startWorkerInProcess, wiringOf } from '../../test/wiring.js';
import { buildApp } from '../app.js';
import { envSchema } from '../env.js';
import type { WorkerServices } from '../services.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

const intent = (eventId: string, quantity = 2) =>
  makeIntent(eventId, quantity, {
    buyer: { name: 'Ada "the fan", {x}', email: 'ada@example.com' },
    ticketsTotal: 1_000,
  });

function counter(text: string, result: string): number {
  return Number(new RegExp(`result="${result}"[^\\n]* (\\d+)`).exec(text)?.[1] ?? 0);
}

let worker: WorkerServices | undefined;

describe('the intent consumer', () => {
  test('persists intents once, confirms them in Redis, and dead-letters what is not an intent', async ({
    redis,
    database,
    pubsub,
  }) => {
    const wiring = wiringOf({ redis, database, pubsub });
    const [parked] = await pubsub.deadLetterTopic.createSubscription(
      `${pubsub.names.deadLetterTopic}-test`,
    );
    const deadLettered: Message[] = [];
    parked.on('message', (message: Message) => {
      deadLettered.push(message);
      message.ack();
    });
    cleanups.push(async () => {
      await parked.close();
      await parked.delete();
    });
    worker = startWorkerInProcess(wiring);
    cleanups.push(() => worker!.close());

    const intents = [intent('consumer'), intent('consumer', 4), intent('consumer', 1)];
    const keys = eventKeys('consumer');
    for (const i of intents) {
      // What checkout's reservation leaves behind: a pending order in the outbox.
      await redis.client.hset(keys.order(i.orderId), {
        status: 'pending',
        quantity: i.quantity,
        admissionId: i.admissionId,
        tickets: JSON.stringify(i.tickets),
        intent: JSON.stringify(i),
      });
      await redis.client.zadd(keys.outbox, Date.now() + 60_000, i.orderId);
    }
    for (const i of [...intents, intents[0]!]) await pubsub.topic.publishMessage({ json: i });
    await pubsub.topic.publishMessage({ data: Buffer.from('{not json') });
    await pubsub.topic.publishMessage({ json: { ...intent('consumer'), quantity: 3 } });
    await pubsub.topic.publishMessage({ json: { v: 2, hello: 'world' } });

    const store = PostgresStore.open(database.url, 1);
    cleanups.push(() => store.close());
    await expect
      .poll(() => store.auditEvent('consumer'), { timeout: 20_000 })
      .toEqual({
        orders: 3,
        ticketsOrdered: 7,
        tickets: 7,
        distinctCodes: 7,
        rejected: 0,
        ledgerSold: 7,
      });
    await expect.poll(() => redis.client.zcard(keys.outbox), { timeout: 10_000 }).toBe(0);
    for (const i of intents) {
      const order = await redis.client.hgetall(keys.order(i.orderId));
      expect(order.status).toBe('confirmed');
      expect(order.intent).toBeUndefined();
    }
    await expect.poll(() => deadLettered.length, { timeout: 20_000 }).toBe(3);
    expect(deadLettered.map((m) => m.attributes.deadLetterReason).sort()).toEqual([
      'not JSON',
      'not a purchase intent',
      'not a purchase intent',
    ]);
    await expect
      .poll(
        async () => {
          const text =
            await worker!.metrics.registry.getSingleMetricAsString('worker_messages_total');
          return [
            counter(text, 'persisted'),
            counter(text, 'duplicate'),
            counter(text, 'dead_lettered'),
          ];
        },
        { timeout: 10_000 },
      )
      .toEqual([3, 1, 3]);
  });

  test('a replayed batch changes nothing in the store', async ({ database }) => {
    const store = PostgresStore.open(database.url, 1);
    cleanups.push(() => store.close());
    const batch = [intent('replay', 3), intent('replay', 1)];
    const confirmed = (written: boolean) => (i: PurchaseIntent) => ({
      orderId: i.orderId,
      status: 'confirmed',
      written,
    });
    const byId = (a: { orderId: string }, b: { orderId: string }) =>
      a.orderId < b.orderId ? -1 : 1;
    expect(await store.persist(batch)).toEqual({
      outcomes: batch.map(confirmed(true)).sort(byId),
      ordersInserted: 2,
      ticketsInserted: 4,
    });
    expect(await store.persist([...batch, batch[0]!])).toEqual({
      outcomes: batch.map(confirmed(false)).sort(byId),
      ordersInserted: 0,
      ticketsInserted: 0,
    });
    const fresh = intent('replay', 2);
    const third = await store.persist([fresh, ...batch]);
    expect(third.ordersInserted).toBe(1);
    expect(third.outcomes.find((o) => o.orderId === fresh.orderId)).toEqual(confirmed(true)(fresh));
    expect(await store.auditEvent('replay')).toEqual({
      orders: 3,
      ticketsOrdered: 6,
      tickets: 6,
      distinctCodes: 6,
      rejected: 0,
      ledgerSold: 6,
    });
  });

  test('readiness names each dependency; metrics are served', async ({
    redis,
    database,
    pubsub,
  }) => {
    const env = parseEnv(envSchema, {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      DATABASE_URL: database.url,
      PUBSUB_PROJECT_ID: pubsub.projectId,
      PUBSUB_EMULATOR_HOST: pubsub.emulatorHost,
      PUBSUB_TOPIC: pubsub.names.topic,
    });
    const app = await buildApp({
      env,
      logger: createLogger({ service: 'worker', level: 'silent' }),
      services: worker!,
    });
    cleanups.push(() => app.close());
    const ready = await app.inject({ url: '/readyz' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ checks: { redis: 'ok', pubsub: 'ok', postgres: 'ok' } });
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toContain('worker_batch_size');
    expect(metrics).toContain('reconciliation_oversold');

    const wrongTopic = await buildApp({
      env: { ...env, PUBSUB_TOPIC: 'no-such-topic' },
      logger: createLogger({ service: 'worker', level: 'silent' }),
      services: worker!,
    });
    cleanups.push(() => wrongTopic.close());
    const notReady = await wrongTopic.inject({ url: '/readyz' });
    expect(notReady.statusCode).toBe(503);
    expect(notReady.json()).toMatchObject({ error: { code: 'UNAVAILABLE' } });
  });
});
