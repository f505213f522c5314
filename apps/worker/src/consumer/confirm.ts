import { eventKeys } from '@frequency/contracts';
import type { Redis, Result } from 'ioredis';

/**
 * Marks a persisted order confirmed in Redis.
 * Invariant: only an order that checkout reserved (its hash exists) becomes confirmed; a message
 * for an order Redis does not know never creates a half order. Its intent is dropped (the database
 * holds it now; the tickets stay for GET /v1/orders) and it leaves the outbox, so the relay stops
 * republishing it. Idempotent: confirming twice changes nothing.
 *
 * KEYS: 1 order hash, 2 outbox. ARGV: 1 order id. Returns 1 if the order was known.
 */
const confirmOrderLua = `
local known = redis.call('EXISTS', KEYS[1])
if known == 1 then
  redis.call('HSET', KEYS[1], 'status', 'confirmed')
  redis.call('HDEL', KEYS[1], 'intent')
end
redis.call('ZREM', KEYS[2], ARGV[1])
return known
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    confirmOrder(order: string, outbox: string, orderId: string): Result<number, Context>;
  }
}

export function defineWorkerCommands(redis: Redis): void {
  redis.defineCommand('confirmOrder', { numberOfKeys: 2, lua: confirmOrderLua });
}

/** Confirms a batch of orders; the calls share round trips through ioredis auto-pipelining. */
export async function confirmOrders(
  redis: Redis,
  orders: { eventId: string; orderId: string }[],
): Promise<void> {
  await Promise.all(
    orders.map(({ eventId, orderId }) => {
      const keys = eventKeys(eventId);
      return redis.confirmOrder(keys.order(orderId), keys.outbox, orderId);
    }),
  );
}
