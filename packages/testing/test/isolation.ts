import { newId, newTicketCode } from '@frequency/contracts';
import { orders, PostgresStore } from '@frequency/db';
import type { TestDatabase, TestPubSub, TestRedis } from '../src/index.js';

/**
 * Writes the same Redis key, an order row and Pub/Sub messages as the sibling file does, interleaved
 * over time, then reads back what this file's fixtures see.
 */
export async function writeAndReadBack(
  side: string,
  { database, redis, pubsub }: { database: TestDatabase; redis: TestRedis; pubsub: TestPubSub },
) {
  const store = PostgresStore.open(database.url, 1);
  await store.persist([
    {
      v: 1,
      orderId: newId('order'),
      eventId: `isolation-${side}`,
      admissionId: newId('admission'),
      entryId: newId('queueEntry'),
      quantity: 1,
      buyer: { name: side, email: `${side}@example.at` },
      tickets: [{ id: newId('ticket'), code: newTicketCode() }],
      reservedAt: new Date().toISOString(),
      ticketsTotal: 10,
    },
  ]);
  await store.close();

  const redisValues: (string | null)[] = [];
  for (let i = 0; i < 20; i++) {
    await redis.client.set('shared-key', side);
    await new Promise((r) => setTimeout(r, 10));
    redisValues.push(await redis.client.get('shared-key'));
  }

  const messages: string[] = [];
  const got = new Promise<void>((resolve) => {
    pubsub.subscription.on('message', (message) => {
      message.ack();
      messages.push(message.data.toString());
      if (messages.length >= 5) resolve();
    });
  });
  for (let i = 0; i < 5; i++) await pubsub.topic.publishMessage({ data: Buffer.from(side) });
  await got;
  await pubsub.subscription.close();

  const rows = await database.db.select({ eventId: orders.eventId }).from(orders);
  return { redisValues, orderEvents: rows.map((r) => r.eventId), messages };
}
