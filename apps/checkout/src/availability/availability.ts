import { AppError, eventKeys, type Availability } from '@frequency/contracts';
import type { RedisClient } from '@frequency/config/redis';
import type { CheckoutMetrics } from '../metrics.js';

interface Entry {
  expiresAt: number;
  value: Promise<Availability | null>;
}

/** Bounds the cache; event ids come from URLs, so unknown ones must not grow it without limit. */
const maxEntries = 10_000;

/**
 * Availability from Redis only, kept in memory for `ttlMs`: at tens of thousands of polls per second
 * this is one Redis read per event per window per replica. Concurrent misses share one read. A
 * figure up to ttlMs old is fine: the reservation script, not this figure, decides who gets tickets.
 */
export class AvailabilityReader {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly redis: RedisClient,
    private readonly metrics: CheckoutMetrics,
    private readonly ttlMs: number,
  ) {}

  async get(eventId: string): Promise<Availability> {
    const now = Date.now();
    let entry = this.entries.get(eventId);
    if (!entry || entry.expiresAt <= now) {
      if (this.entries.size >= maxEntries) this.entries.clear();
      entry = { expiresAt: now + this.ttlMs, value: this.read(eventId) };
      this.entries.set(eventId, entry);
      // A failed read must not be served from the cache.
      void entry.value.catch(() => this.entries.delete(eventId));
    }
    const value = await entry.value;
    if (!value) throw new AppError('NOT_FOUND', `no event ${eventId}`);
    return value;
  }

  private async read(eventId: string): Promise<Availability | null> {
    const keys = eventKeys(eventId);
    const [stock, sold] = await this.redis.mget(keys.stock, keys.sold);
    if (stock === null) return null;
    const ticketsRemaining = Math.max(0, Number(stock));
    this.metrics.ticketsRemaining.set({ event: eventId }, ticketsRemaining);
    if (sold !== null) this.metrics.ticketsSold.set({ event: eventId }, Number(sold));
    return { ticketsRemaining, soldOut: ticketsRemaining === 0 };
  }
}
