import { createPubSub, ensureTopology } from '@frequency/config/pubsub';
import { PurchaseIntentSchema } from '@frequency/contracts';
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
import { bearer, buildTestCheckout, buyer, freePort, uncapped } from '../../test/build.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('a Pub/Sub outage loses no order', () => {
  test(
    'orders placed while the broker is down, or published to a broker that then forgot them, are all delivered once it is back',
    { timeout: 90_000 },
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
      await seedTestEvent(redis.client, { eventId: 'outage', ticketsTotal: 100, ...uncapped });

      const place = async () => {
        const admission = await issuer.mint({ eventId: 'outage' });
        const response = await app.inject({
          method: 'POST',
          url: '/v1/events/outage/orders',
          headers: bearer(admission.token),
          payload: { quantity: 2, buyer },
        });
        expect(response.statusCode).toBe(202);
        return response.json<{ orderId: string }>().orderId;
      };

      const published = await Promise.all(Array.from({ length: 5 }, place));
      await emulator.stop();
      const duringOutage = await Promise.all(Array.from({ length: 5 }, place));
      const metrics = (await app.inject({ url: '/metrics' })).body;
      expect(metrics).toMatch(/checkout_publish_failures_total\{[^}]*\} [1-9]/);

      // Back on the same port, with none of its topics: checkout must re-create them and republish.
      emulator = await startPubSubEmulator('127.0.0.1', port);
      const received = new Set<string>();
      let subscription: Subscription | undefined;
      await expect
        .poll(
          async () => {
            if (!subscription) {
              const [exists] = await admin.subscription(names.subscription).exists();
              if (exists) {
                subscription = admin.subscription(names.subscription);
                subscription.on('message', (message: Message) => {
                  received.add(
                    PurchaseIntentSchema.parse(JSON.parse(message.data.toString())).orderId,
                  );
                  message.ack();
                });
                cleanups.push(() => subscription!.close());
              }
            }
            return [...published, ...duringOutage].filter((id) => !received.has(id)).length;
          },
          { timeout: 25_000, interval: 250 },
        )
        .toBe(0);
      expect(await redis.client.get('ev:{outage}:sold')).toBe('20');
    },
  );
});
