import { type EventDefinition, EventDefinitionSchema } from '@frequency/contracts';
import { describe, expect, freePort, test, type TestPubSub, uniqueName } from '@frequency/testing';
import { createEvent } from '../src/events/event-store.js';
import { waitingRoomKeys } from '../src/redis/keys.js';
import { createTestEvent, eventBody, eventually, ops, patch, startApp } from './helpers.js';

type PubSub = TestPubSub['pubsub'];
type Subscription = TestPubSub['subscription'];

/** Every definition that reaches a subscription of the topic, parsed by the contract's schema. */
async function listen(pubsub: PubSub, topicName: string) {
  const [subscription] = await pubsub.topic(topicName).createSubscription(`${topicName}-reader`);
  const received: EventDefinition[] = [];
  subscription.on('message', (message) => {
    received.push(EventDefinitionSchema.parse(JSON.parse(message.data.toString('utf8'))));
    message.ack();
  });
  return { received, subscription };
}

async function close(subscription: Subscription) {
  await subscription.close();
  await subscription.delete().catch(() => undefined);
}

const of = (received: EventDefinition[], id: string) => received.filter((d) => d.event.id === id);

describe('event definitions to the ledger', () => {
  test('create and every PATCH publish the definition with an increasing version; an unchanged PATCH does not', async ({
    redis,
    pubsub,
  }) => {
    const topicName = uniqueName('t-events');
    await pubsub.pubsub.createTopic(topicName);
    const { received, subscription } = await listen(pubsub.pubsub, topicName);
    // No periodic copy during this test: every message is one a change sent.
    const app = await startApp(redis, {
      PUBSUB_EVENTS_TOPIC: topicName,
      LEDGER_SYNC_INTERVAL_MS: '3600000',
    });
    try {
      const event = await createTestEvent(app, { admissionRatePerSecond: 0 });
      await patch(app, event.id, { admissionRatePerSecond: 25 });
      await patch(app, event.id, { paused: true, maxPerBuyer: 2 });
      await patch(app, event.id, { paused: true });
      const definitions = await eventually(() => {
        const mine = of(received, event.id);
        return mine.length >= 3 ? mine : undefined;
      });
      const view = (await app.inject(`/v1/events/${event.id}`)).json<{
        shuffleCommitment: string;
      }>();
      const byVersion = [...definitions].sort((x, y) => x.version - y.version);
      expect(byVersion.map((d) => d.version)).toEqual([1, 2, 3]);
      expect(byVersion[0]?.event).toEqual({
        ...event,
        paused: false,
        joinChallengeBits: 0,
        maxPerBuyer: event.maxPerOrder,
        checkoutWindowSeconds: 300,
      });
      expect(byVersion[1]?.event.admissionRatePerSecond).toBe(25);
      expect(byVersion[2]?.event).toMatchObject({
        admissionRatePerSecond: 25,
        paused: true,
        maxPerBuyer: 2,
      });
      for (const d of byVersion) {
        expect(d.shuffle?.commitment).toBe(view.shuffleCommitment);
        expect(d.shuffle?.seed).toMatch(/^[0-9a-f]{64}$/);
      }
      // The PATCH that changed nothing kept the version and sent nothing.
      expect(await redis.client.hget(waitingRoomKeys(event.id).config, 'version')).toBe('3');
      const admin = await app.inject({ url: `/v1/admin/events/${event.id}`, headers: ops });
      expect(admin.statusCode).toBe(200);
      expect(of(received, event.id)).toHaveLength(3);
      const metrics = (await app.inject('/metrics')).body;
      expect(metrics).toMatch(
        /waiting_room_event_definitions_total\{[^}]*trigger="patch"[^}]*result="published"[^}]*\} 2/,
      );
    } finally {
      await app.close();
      await close(subscription);
    }
  });

  test('the periodic copy sends every event again, also one seeded without HTTP, and creates a missing topic', async ({
    redis,
    pubsub,
  }) => {
    // The topic does not exist yet: the waiting room creates it on its first publish.
    const topicName = uniqueName('t-events');
    const app = await startApp(redis, {
      PUBSUB_EVENTS_TOPIC: topicName,
      LEDGER_SYNC_INTERVAL_MS: '200',
    });
    try {
      const seeded = eventBody();
      expect(await createEvent(redis.client, seeded, { checkoutWindowSeconds: 120 })).toBe(
        'created',
      );
      await eventually(async () => {
        const [exists] = await pubsub.pubsub.topic(topicName).exists();
        return exists ? true : undefined;
      });
      const { received, subscription } = await listen(pubsub.pubsub, topicName);
      try {
        const created = await createTestEvent(app);
        await patch(app, created.id, { admissionRatePerSecond: 3 });
        // Each event arrives again and again at its latest version.
        await eventually(
          () =>
            of(received, seeded.id).length >= 2 &&
            of(received, created.id).filter((d) => d.version === 2).length >= 2
              ? true
              : undefined,
          20_000,
        );
        expect(of(received, seeded.id).every((d) => d.version === 1)).toBe(true);
        expect(of(received, seeded.id)[0]?.event.checkoutWindowSeconds).toBe(120);
        // A copy carries the time its version was first seen, the same in every copy.
        const copies = of(received, created.id).filter((d) => d.version === 2);
        expect(new Set(copies.map((d) => d.changedAt)).size).toBe(1);
        const metrics = (await app.inject('/metrics')).body;
        expect(metrics).toMatch(
          /waiting_room_event_definitions_total\{[^}]*trigger="sync"[^}]*result="published"[^}]*\} [1-9]/,
        );
      } finally {
        await close(subscription);
      }
    } finally {
      await app.close();
      await pubsub.pubsub
        .topic(topicName)
        .delete()
        .catch(() => undefined);
    }
  }, 60_000);

  test('without a broker, create and PATCH still answer, and the failure is counted', async ({
    redis,
  }) => {
    // Nothing listens on this port: every publish fails.
    const app = await startApp(redis, {
      PUBSUB_EMULATOR_HOST: `127.0.0.1:${await freePort()}`,
      LEDGER_PUBLISH_TIMEOUT_MS: '200',
      LEDGER_SYNC_INTERVAL_MS: '3600000',
    });
    try {
      const event = await createTestEvent(app);
      await patch(app, event.id, { admissionRatePerSecond: 7 });
      const metrics = (await app.inject('/metrics')).body;
      expect(metrics).toMatch(
        /waiting_room_event_definitions_total\{[^}]*trigger="create"[^}]*result="failed"[^}]*\} 1/,
      );
      expect(metrics).toMatch(
        /waiting_room_event_definitions_total\{[^}]*trigger="patch"[^}]*result="failed"[^}]*\} 1/,
      );
      expect((await app.inject('/readyz')).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});
