import { eventKeys, eventsIndexKey } from '@frequency/contracts';
import type { RedisClient } from '@frequency/config/redis';

export interface SeedEventOptions {
  eventId: string;
  ticketsTotal: number;
  maxPerOrder?: number;
  /** Tickets per buyer across orders; absent, the field is left out as on events made before it. */
  maxPerBuyer?: number;
  maxActiveCheckouts?: number;
  /** Tickets already sold (stock = ticketsTotal - sold), to start a test near sell-out. */
  sold?: number;
}

/**
 * Writes an event's shared keys exactly as packages/contracts/src/redis-keys.ts documents and the
 * waiting room creates them: the config hash, stock = remaining, sold, and the events index. Pass a
 * client carrying the test's key prefix, so the app under test (same REDIS_KEY_PREFIX) sees them.
 */
export async function seedTestEvent(redis: RedisClient, options: SeedEventOptions): Promise<void> {
  const keys = eventKeys(options.eventId);
  const sold = options.sold ?? 0;
  await redis
    .multi()
    .hset(keys.config, {
      name: `Test event ${options.eventId}`,
      venue: 'Test venue',
      ticketsTotal: String(options.ticketsTotal),
      maxPerOrder: String(options.maxPerOrder ?? 4),
      opensAt: String(Date.now() - 60_000),
      admissionRatePerSecond: '100',
      maxActiveCheckouts: String(options.maxActiveCheckouts ?? 1000),
      ...(options.maxPerBuyer === undefined ? {} : { maxPerBuyer: String(options.maxPerBuyer) }),
      paused: '0',
      checkoutWindowSeconds: '600',
    })
    .set(keys.stock, String(options.ticketsTotal - sold))
    .set(keys.sold, String(sold))
    .exec();
  // The index is a key of its own, in another cluster slot: not in the event's MULTI.
  await redis.sadd(eventsIndexKey, options.eventId);
}
