import { createPubSub, ensureSubscription, ensureTopology } from '@frequency/config/pubsub';
import {
  buyerCapField,
  eventKeys,
  PurchaseIntentSchema,
  type ErrorBody,
  type PurchaseIntent,
} from '@frequency/contracts';
import type { HttpApp } from '@frequency/observability';
import {
  afterAll,
  createTestAdmissionIssuer,
  createTestRedis,
  describe,
  expect,
  seedTestEvent,
  startPubSubEmulator,
  test,
  uniqueName,
  type StartedEmulator,
  type TestAdmissionIssuer,
} from '@frequency/testing';
import type { Message, PubSub, Subscription } from '@google-cloud/pubsub';
import { bearer, buildTestCheckout, freePort } from '../../test/build.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('a Pub/Sub outage loses no order', () => {
  test(
    'orders the broker cannot take are answered 503 and undone; retried once it is back they are the same orders, and orders it forgot are republished',
    { timeout: 120_000 },
    async () => {
      // This test stops and restarts a broker: its own emulator, never the shared one.
      const port = await freePort();
      let emulator: StartedEmulator = await startPubSubEmulator('127.0.0.1', port);
      cleanups.push(() => emulator.stop());
      const redis = await createTestRedis();
      cleanups.push(() => redis.cleanup());
      const issuer: TestAdmissionIssuer = await createTestAdmissionIssuer();
      cleanups.push(() => issuer.close());
      const base = uniqueName('outage');
      const names = {
        topic: `${base}-intents`,
        subscription: `${base}-worker`,
        deadLetterTopic: `${base}-dl`,
      };
      const projectId = 'frequency-test';
      const admin: PubSub = createPubSub({ projectId, emulatorHost: emulator.hostPort });
      cleanups.push(() => admin.close());
      await ensureTopology(admin, names);

      const app: HttpApp = await buildTestCheckout({
        redis,
        pubsub: { emulatorHost: emulator.hostPort, projectId, names },
        issuer,
        env: {
          PUBLISH_TIMEOUT_MS: '300',
          OUTBOX_RELAY_INTERVAL_MS: '200',
          OUTBOX_REPUBLISH_AFTER_MS: '1500',
        },
      });
      cleanups.push(() => app.close());
      // Each fan its own buyer, capped at one order of 2: a reservation left behind would show as
      // BUYER_LIMIT on the retry.
      await seedTestEvent(redis.client, { eventId: 'outage', ticketsTotal: 100, maxPerBuyer: 2 });
      const keys = eventKeys('outage');
      let fans = 0;
      const fan = async () => {
        fans += 1;
        const buyer = { name: 'Ada Fan', email: `fan-${fans}@example.com` };
        return { admission: await issuer.mint({ eventId: 'outage' }), buyer };
      };
      type Fan = Awaited<ReturnType<typeof fan>>;
      const order = (f: Fan) =>
        app.inject({
          method: 'POST',
          url: '/v1/events/outage/orders',
          headers: bearer(f.admission.token),
          payload: { quantity: 2, buyer: f.buyer },
        });
      const place = async () => {
        const response = await order(await fan());
        expect(response.statusCode).toBe(202);
        return response.json<{ orderId: string }>().orderId;
      };

      const published = await Promise.all(Array.from({ length: 5 }, place));
      await emulator.stop();

      const outageFans = await Promise.all(Array.from({ length: 5 }, fan));
      const refused = await Promise.all(outageFans.map(order));
      for (const response of refused) {
        expect(response.statusCode).toBe(503);
        expect(response.json<ErrorBody>().error.code).toBe('UNAVAILABLE');
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
      }
      // Nothing stays reserved: stock, sold and every buyer's count are as before the attempts,
      // and each admission is live again for its retry.
      expect(await redis.client.get(keys.sold)).toBe('10');
      expect(await redis.client.get(keys.stock)).toBe('90');
      for (const f of outageFans) {
        expect(await redis.client.hget(keys.buyers, buyerCapField(f.buyer.email))).toBeNull();
        expect(await redis.client.zscore(keys.active, f.admission.claims.jti)).toBe(
          String(f.admission.claims.exp * 1000),
        );
      }
      const withdrawn = await Promise.all(
        outageFans.map(async (f) => {
          const orderId = await redis.client.hget(keys.admissionOrders, f.admission.claims.jti);
          expect(orderId).toMatch(/^ord_/);
          const record = await redis.client.hgetall(keys.order(orderId ?? ''));
          expect(record.status).toBe('withdrawn');
          expect(await redis.client.zscore(keys.outbox, orderId ?? '')).toBeNull();
          // Never answered 202, so its fan never learnt the id: not readable while withdrawn.
          const read = await app.inject({
            url: `/v1/orders/${orderId}`,
            headers: bearer(f.admission.token),
          });
          expect(read.statusCode).toBe(404);
          return {
            orderId: orderId ?? '',
            intent: PurchaseIntentSchema.parse(JSON.parse(record.intent ?? '')),
          };
        }),
      );
      const metrics = (await app.inject({ url: '/metrics' })).body;
      expect(metrics).toMatch(/checkout_publish_failures_total\{[^}]*\} [1-9]/);
      expect(metrics).toMatch(/checkout_orders_total\{[^}]*result="withdrawn"[^}]*\} 5/);

      // Back on the same port, with none of its topics: checkout must re-create its topic, take the
      // retries, and republish the orders the broker forgot. The test consumes as the worker
      // would: it re-creates its subscription once checkout's topic is there.
      emulator = await startPubSubEmulator('127.0.0.1', port);
      const received = new Map<string, PurchaseIntent>();
      let subscription: Subscription | undefined;
      const retried = new Map<string, string>();
      await expect
        .poll(
          async () => {
            if (!subscription) {
              const ready = await ensureSubscription(admin, names).then(
                () => true,
                () => false,
              );
              if (ready) {
                subscription = admin.subscription(names.subscription);
                subscription.on('message', (message: Message) => {
                  const intent = PurchaseIntentSchema.parse(JSON.parse(message.data.toString()));
                  received.set(intent.orderId, intent);
                  message.ack();
                });
                cleanups.push(() => subscription!.close());
              }
            }
            // Each fan retries with the same admission until the broker takes its order.
            for (const f of outageFans) {
              if (retried.has(f.admission.claims.jti)) continue;
              const response = await order(f);
              if (response.statusCode === 202)
                retried.set(f.admission.claims.jti, response.json<{ orderId: string }>().orderId);
              else expect(response.statusCode).toBe(503);
            }
            const all = [...published, ...withdrawn.map((w) => w.orderId)];
            return all.filter((id) => !received.has(id)).length + (5 - retried.size);
          },
          { timeout: 60_000, interval: 250 },
        )
        .toBe(0);
      // The same orders: same ids, same tickets and codes, the intent stored at the first try.
      for (const [index, f] of outageFans.entries()) {
        const first = withdrawn[index]!;
        expect(retried.get(f.admission.claims.jti)).toBe(first.orderId);
        expect(received.get(first.orderId)?.tickets).toEqual(first.intent.tickets);
        expect(await redis.client.hget(keys.order(first.orderId), 'status')).toBe('pending');
      }
      expect(await redis.client.get(keys.sold)).toBe('20');
      expect(await redis.client.get(keys.stock)).toBe('80');
    },
  );
});
