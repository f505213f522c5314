import { ensureTopology } from '@frequency/config/pubsub';
import {
  eventKeys,
  type EventDefinition,
  type OrderView,
  type PurchaseIntent,
} from '@frequency/contracts';
import { PostgresStore } from '@frequency/db';
import {
  afterAll,
  createTestAdmissionIssuer,
  forgetKeysWithPrefix,
  describe,
  expect,
  makeIntent,
  seedTestEvent,
  test,
} from '@frequency/testing';
import type { Message } from '@google-cloud/pubsub';
import type { RedisClient } from '@frequency/config/redis';
import { sellOut, startCheckout, startWorkerInProcess, wiringOf } from '../src/harness.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

const intent = (eventId: string, quantity: number, overrides: Partial<PurchaseIntent> = {}) =>
  makeIntent(eventId, quantity, { buyer: { name: 'Ada', email: 'ada@example.com' }, ...overrides });

/** What checkout's reservation leaves in Redis for an order: a pending record in the outbox. */
async function reserve(redis: RedisClient, order: PurchaseIntent): Promise<void> {
  const keys = eventKeys(order.eventId);
  await redis
    .multi()
    .decrby(keys.stock, order.quantity)
    .incrby(keys.sold, order.quantity)
    .hset(keys.order(order.orderId), {
      status: 'pending',
      quantity: order.quantity,
      admissionId: order.admissionId,
      tickets: JSON.stringify(order.tickets),
      intent: JSON.stringify(order),
    })
    .zadd(keys.outbox, Date.now() + 60_000, order.orderId)
    .exec();
}

describe('the ledger has the last word', () => {
  test(
    'an order the database cannot store ends rejected: tickets back on sale, out of the outbox, parked once',
    { timeout: 60_000 },
    async ({ redis, database, pubsub }) => {
      const wiring = wiringOf({ redis, database, pubsub });
      const [parked] = await pubsub.deadLetterTopic.createSubscription(
        `${pubsub.names.deadLetterTopic}-ledger`,
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
      await seedTestEvent(redis.client, { eventId: 'nul', ticketsTotal: 100 });
      const worker = startWorkerInProcess(wiring);
      cleanups.push(() => worker.close());

      // A NUL byte, which the intent's own schema refuses, as if it had slipped past the API; and
      // year 0, which the schema takes and Postgres refuses (22008): the database's own refusal.
      const bad = intent('nul', 3, { buyer: { name: 'Bad\u0000Name', email: 'bad@example.com' } });
      const refused = intent('nul', 1, { reservedAt: '0000-01-01T00:00:00Z' });
      const good = intent('nul', 2);
      for (const order of [bad, refused, good]) await reserve(redis.client, order);
      for (const order of [bad, refused, good]) await pubsub.topic.publishMessage({ json: order });

      const keys = eventKeys('nul');
      for (const order of [bad, refused])
        await expect
          .poll(() => redis.client.hmget(keys.order(order.orderId), 'status', 'reason'), {
            timeout: 30_000,
          })
          .toEqual(['rejected', 'INVALID']);
      await expect
        .poll(() => redis.client.hget(keys.order(good.orderId), 'status'), { timeout: 10_000 })
        .toBe('confirmed');
      expect(await redis.client.get(keys.stock)).toBe('98');
      expect(await redis.client.get(keys.sold)).toBe('2');
      expect(await redis.client.zcard(keys.outbox)).toBe(0);
      await expect.poll(() => deadLettered.length, { timeout: 10_000 }).toBe(2);
      expect(deadLettered.map((m) => m.attributes.deadLetterReason).sort()).toEqual([
        expect.stringMatching(/^INVALID/),
        'not a purchase intent',
      ]);

      // Delivered again (the outbox relay, a redelivery): nothing changes, nothing is parked again.
      // Delivered again (a redelivery, a republish): nothing changes, nothing is parked again. An
      // order published after them shows they were taken.
      const after = intent('nul', 1);
      await reserve(redis.client, after);
      for (const order of [bad, refused, after]) await pubsub.topic.publishMessage({ json: order });
      await expect
        .poll(() => redis.client.hget(keys.order(after.orderId), 'status'), { timeout: 10_000 })
        .toBe('confirmed');
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      expect(deadLettered).toHaveLength(2);
      expect(await redis.client.get(keys.stock)).toBe('97');
      const text = await worker.metrics.registry.getSingleMetricAsString(
        'worker_orders_rejected_total',
      );
      expect(text).toMatch(/reason="INVALID"[^\n]* 2$/m);
    },
  );

  test(
    'Redis sold what the ledger does not have: the extra orders are rejected SOLD_OUT and stock follows the ledger',
    { timeout: 120_000 },
    async ({ redis, database, pubsub }) => {
      const wiring = wiringOf({ redis, database, pubsub });
      const issuer = await createTestAdmissionIssuer();
      cleanups.push(() => issuer.close());
      const worker = startWorkerInProcess(wiring);
      cleanups.push(() => worker.close());
      const app = await startCheckout(wiring, issuer);
      cleanups.push(() => app.close());
      const store = PostgresStore.open(database.url, 1);
      cleanups.push(() => store.close());
      await seedTestEvent(redis.client, { eventId: 'rollback', ticketsTotal: 300 });
      const keys = eventKeys('rollback');

      const first = await sellOut({
        app,
        issuer,
        redis: redis.client,
        eventId: 'rollback',
        buyers: 200,
      });
      expect(first.accepted.reduce((sum, p) => sum + p.quantity, 0)).toBe(300);
      await expect
        .poll(async () => (await store.auditEvent('rollback')).tickets, { timeout: 60_000 })
        .toBe(300);

      // A failover that rolled back 120 tickets of decrements: Redis offers them again.
      await redis.client.set(keys.stock, '120');
      await redis.client.set(keys.sold, '180');
      const second = await sellOut({
        app,
        issuer,
        redis: redis.client,
        eventId: 'rollback',
        buyers: 100,
      });
      expect(second.accepted.length).toBeGreaterThan(0);

      const views = async () =>
        Promise.all(
          second.accepted.map(async (purchase) => {
            const response = await app.inject({
              url: `/v1/orders/${purchase.orderId}`,
              headers: { authorization: `Bearer ${purchase.token}` },
            });
            return response.json<OrderView & { reason?: string }>();
          }),
        );
      await expect
        .poll(async () => (await views()).every((v) => v.status === 'rejected'), {
          timeout: 60_000,
        })
        .toBe(true);
      for (const view of await views()) {
        expect(view.reason).toBe('SOLD_OUT');
        expect(view.tickets).toEqual([]);
      }
      const audit = await store.auditEvent('rollback');
      expect(audit.tickets).toBe(300);
      expect(audit.distinctCodes).toBe(300);
      expect(audit.rejected).toBe(second.accepted.length);
      expect(await redis.client.get(keys.stock)).toBe('0');
      expect(await redis.client.zcard(keys.outbox)).toBe(0);
    },
  );

  test(
    'an order whose admission already holds another order is rejected, never confirmed',
    { timeout: 60_000 },
    async ({ redis, database, pubsub }) => {
      const wiring = wiringOf({ redis, database, pubsub });
      await seedTestEvent(redis.client, { eventId: 'twice', ticketsTotal: 100 });
      const worker = startWorkerInProcess(wiring);
      cleanups.push(() => worker.close());
      const first = intent('twice', 2);
      const second = intent('twice', 3, { admissionId: first.admissionId });
      await reserve(redis.client, first);
      await pubsub.topic.publishMessage({ json: first });
      const keys = eventKeys('twice');
      await expect
        .poll(() => redis.client.hget(keys.order(first.orderId), 'status'), { timeout: 20_000 })
        .toBe('confirmed');
      await reserve(redis.client, second);
      await pubsub.topic.publishMessage({ json: second });
      await expect
        .poll(() => redis.client.hmget(keys.order(second.orderId), 'status', 'reason'), {
          timeout: 20_000,
        })
        .toEqual(['rejected', 'INVALID']);
      expect(await redis.client.get(keys.stock)).toBe('98');
      const store = PostgresStore.open(database.url, 1);
      cleanups.push(() => store.close());
      expect((await store.auditEvent('twice')).tickets).toBe(2);
    },
  );

  test(
    'event definitions reach the ledger in version order; an event Redis lost comes back from it',
    { timeout: 90_000 },
    async ({ redis, database, pubsub }) => {
      const wiring = wiringOf({ redis, database, pubsub });
      // Topic and the worker's subscription (the names workerEnvVars gives it) exist before anything
      // is published, as Terraform and the stack make them: a message published to a topic
      // without a subscription reaches nobody.
      const eventsTopic = `${pubsub.names.topic}-events`;
      await ensureTopology(pubsub.pubsub, {
        topic: eventsTopic,
        subscription: `${eventsTopic}-worker`,
      });
      const issuer = await createTestAdmissionIssuer();
      cleanups.push(() => issuer.close());
      const worker = startWorkerInProcess(wiring);
      cleanups.push(() => worker.close());
      const app = await startCheckout(wiring, issuer);
      cleanups.push(() => app.close());
      const store = PostgresStore.open(database.url, 1);
      cleanups.push(() => store.close());

      const definition = (version: number, admissionRatePerSecond: number): EventDefinition => ({
        v: 1,
        event: {
          id: 'lost',
          name: 'Lost and found',
          venue: 'St. Pölten, Austria',
          ticketsTotal: 400,
          maxPerOrder: 4,
          opensAt: new Date(Date.now() - 60_000).toISOString(),
          admissionRatePerSecond,
          maxActiveCheckouts: 1_000,
          paused: false,
          joinChallengeBits: 0,
          maxPerBuyer: 4,
          checkoutWindowSeconds: 600,
        },
        version,
        shuffle: null,
        changedAt: new Date().toISOString(),
      });
      const topic = pubsub.pubsub.topic(eventsTopic);
      await topic.publishMessage({ json: definition(2, 250) });
      await expect
        .poll(async () => (await store.readEvent('lost'))?.version, { timeout: 30_000 })
        .toBe(2);
      // An older change arriving late never rolls the newer one back.
      await topic.publishMessage({ json: definition(1, 10) });
      await topic.publishMessage({ json: definition(3, 300) });
      await expect
        .poll(async () => (await store.readEvent('lost'))?.version, { timeout: 30_000 })
        .toBe(3);
      expect((await store.readEvent('lost'))?.event.admissionRatePerSecond).toBe(300);

      await seedTestEvent(redis.client, { eventId: 'lost', ticketsTotal: 400 });
      const sale = await sellOut({ app, issuer, redis: redis.client, eventId: 'lost', buyers: 60 });
      const sold = sale.accepted.reduce((sum, p) => sum + p.quantity, 0);
      await expect
        .poll(async () => (await store.auditEvent('lost')).tickets, { timeout: 60_000 })
        .toBe(sold);

      // Redis forgets every key of this test.
      expect(await forgetKeysWithPrefix(redis.url, redis.keyPrefix)).toBeGreaterThan(0);
      const keys = eventKeys('lost');
      await expect.poll(() => redis.client.exists(keys.config), { timeout: 30_000 }).toBe(1);
      expect(await redis.client.get(keys.stock)).toBe(String(400 - sold));
      expect(await redis.client.get(keys.sold)).toBe(String(sold));
      expect(await redis.client.hget(keys.config, 'admissionRatePerSecond')).toBe('300');
      expect(Number(await redis.client.hget(keys.config, 'restoredAt'))).toBeGreaterThan(0);
      // Every fan reads its order again, with its tickets.
      for (const purchase of sale.accepted.slice(0, 20)) {
        const response = await app.inject({
          url: `/v1/orders/${purchase.orderId}`,
          headers: { authorization: `Bearer ${purchase.token}` },
        });
        expect(response.statusCode).toBe(200);
        expect(response.json<OrderView>().tickets).toHaveLength(purchase.quantity);
      }
    },
  );
});
