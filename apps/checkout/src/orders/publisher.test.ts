import { createLogger } from '@frequency/observability';
import { describe, expect, test } from '@frequency/testing';
import type { Message } from '@google-cloud/pubsub';
import { IntentPublisher } from './publisher.js';

describe('the intent publisher', () => {
  test('orders arriving together share Publish RPCs, and every one of them is delivered', async ({
    pubsub,
  }) => {
    const publisher = new IntentPublisher({
      pubsub: pubsub.pubsub,
      names: pubsub.names,
      logger: createLogger({ service: 'test', level: 'silent' }),
    });
    const received = new Set<string>();
    const listener = (message: Message) => {
      received.add(message.attributes.orderId ?? '');
      message.ack();
    };
    pubsub.subscription.on('message', listener);
    try {
      const orderIds = Array.from({ length: 300 }, (_, i) => `order-${i}`);
      const results = await Promise.all(
        orderIds.map((orderId) =>
          publisher.publish(Buffer.from(JSON.stringify({ orderId })), { orderId }, 5_000),
        ),
      );
      expect(results.every(Boolean)).toBe(true);
      expect(publisher.stats.messages).toBe(300);
      // Published in the same turn of the event loop: a handful of RPCs, not one per order.
      expect(publisher.stats.rpcs).toBeLessThanOrEqual(3);
      await expect.poll(() => received.size, { timeout: 15_000 }).toBe(300);
      expect([...received].sort()).toEqual([...orderIds].sort());

      // A lone order is not held back waiting for company.
      expect(await publisher.publish(Buffer.from('{}'), { orderId: 'alone' }, 5_000)).toBe(true);
      expect(publisher.stats.rpcs).toBeLessThanOrEqual(4);
      await expect.poll(() => received.has('alone'), { timeout: 15_000 }).toBe(true);
    } finally {
      pubsub.subscription.off('message', listener);
      await publisher.close();
    }
  });
});
