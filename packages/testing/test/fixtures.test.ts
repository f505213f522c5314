import { orders, PostgresStore, tickets } from '@frequency/db';
import { eq } from 'drizzle-orm';
import { describe, expect, test } from '../src/index.js';
import { makeIntent } from '../src/intents.js';

const intent = (quantity: number) =>
  makeIntent('fixture-event', quantity, {
    buyer: { name: 'Fixture Fan', email: 'fan@example.at' },
  });

describe('database fixture', () => {
  test('is a fresh, migrated database that drizzle reads and writes', async ({ database }) => {
    expect(database.name).toMatch(/^t_/);
    const before = await database.db.select().from(orders);
    expect(before).toEqual([]);

    const store = PostgresStore.open(database.url, 2);
    try {
      const batch = [intent(2), intent(4)];
      const written = await store.persist(batch);
      expect(written).toMatchObject({ ordersInserted: 2, ticketsInserted: 6 });
      expect(written.outcomes.map((o) => o.status)).toEqual(['confirmed', 'confirmed']);
      const first = batch[0];
      if (!first) throw new Error('unreachable');
      const rows = await database.db
        .select()
        .from(tickets)
        .where(eq(tickets.orderId, first.orderId));
      expect(rows.map((r) => r.code).sort()).toEqual(first.tickets.map((t) => t.code).sort());
      // A replay (redelivery) changes nothing.
      const replayed = await store.persist(batch);
      expect(replayed).toMatchObject({ ordersInserted: 0, ticketsInserted: 0 });
      expect(replayed.outcomes.map((o) => 'written' in o && o.written)).toEqual([false, false]);
      expect(await store.ticketsPersisted('fixture-event')).toBe(6);
    } finally {
      await store.close();
    }
  });
});

describe('redis fixture', () => {
  test('round-trips values under its own key prefix', async ({ redis }) => {
    await redis.client.set('greeting', 'servus');
    expect(await redis.client.get('greeting')).toBe('servus');
    // The prefix is applied on the wire: a client without it sees the full key.
    const { createRedisClient } = await import('@frequency/config/redis');
    const raw = createRedisClient({ url: redis.url });
    try {
      expect(await raw.get(`${redis.keyPrefix}greeting`)).toBe('servus');
      expect(await raw.get('greeting')).not.toBe('servus');
    } finally {
      raw.disconnect();
    }
  });
});

describe('pubsub fixture', () => {
  test('publishes, pulls and acks on the emulator', async ({ pubsub }) => {
    const payload = { hello: 'St. Pölten', at: Date.now() };
    await pubsub.topic.publishMessage({ json: payload, attributes: { kind: 'fixture' } });
    const received = await new Promise<{ data: unknown; attributes: Record<string, string> }>(
      (resolve, reject) => {
        const timer = setTimeout(() => {
          reject(new Error('no message within 15 s'));
        }, 15_000);
        pubsub.subscription.on('message', (message) => {
          message.ack();
          clearTimeout(timer);
          resolve({ data: JSON.parse(message.data.toString()), attributes: message.attributes });
        });
        pubsub.subscription.on('error', reject);
      },
    );
    await pubsub.subscription.close();
    expect(received.data).toEqual(payload);
    expect(received.attributes.kind).toBe('fixture');
  });
});
