import { AppError, eventKeys, eventsIndexKey } from '@frequency/contracts';
import type { RedisClient } from '@frequency/config/redis';

interface Waiters {
  promise: Promise<void>;
  resolve: () => void;
  reject: (err: unknown) => void;
}

function waiters(): Waiters {
  const settle: Pick<Waiters, 'resolve' | 'reject'> = {
    resolve: () => undefined,
    reject: () => undefined,
  };
  const promise = new Promise<void>((resolve, reject) => {
    settle.resolve = resolve;
    settle.reject = reject;
  });
  // Nobody may be waiting; a failed refresh must not become an unhandled rejection.
  promise.catch(() => undefined);
  return { promise, ...settle };
}

/** What checkout keeps of each event in memory: the figures that never change once it exists. */
export interface KnownEvent {
  ticketsTotal: number;
}

/**
 * The ids of every event, in memory, refreshed from the `events` set every `intervalMs`. Event ids
 * come from URLs, so a flood of made-up ones must not cost a Redis round trip each: a known id is a
 * map lookup, and an unknown one waits for the next refresh (so an event created a moment ago is
 * found) and is then 404. However many requests miss, Redis sees one SMEMBERS per interval.
 *
 * Each event's ticketsTotal (fixed at creation: no ops change touches it) is read once, when its
 * id first shows up, so every purchase intent can carry it without a read per order. An id whose
 * config is not there (yet, or no more) stays unknown until a refresh finds it.
 */
export class EventIndex {
  private known = new Map<string, KnownEvent>();
  /** Facts of every event seen, kept when its id leaves the set (Redis forgot, the worker restores). */
  private readonly facts = new Map<string, KnownEvent>();
  private loaded = false;
  /** Misses waiting for a refresh that starts after they arrived. */
  private pending: Waiters | undefined;
  private timer: NodeJS.Timeout | undefined;
  private refreshing = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly intervalMs: number,
  ) {}

  /** Loads the index (a failure is left to the refreshes after it) and keeps it fresh. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer ??= setInterval(() => {
      void this.refresh();
    }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.pending?.reject(new AppError('UNAVAILABLE', 'shutting down', { 'retry-after': '1' }));
    this.pending = undefined;
  }

  /** Resolves for a known event; throws 404 NOT_FOUND for an unknown one, 503 if Redis cannot say. */
  async require(eventId: string): Promise<KnownEvent> {
    const known = this.known.get(eventId);
    if (known) return known;
    this.pending ??= waiters();
    await this.pending.promise;
    const found = this.known.get(eventId);
    if (!found) throw new AppError('NOT_FOUND', `no event ${eventId}`);
    return found;
  }

  private async refresh(): Promise<void> {
    // A slow SMEMBERS is not stacked up behind another: the next tick tries again.
    if (this.refreshing) return;
    this.refreshing = true;
    const waiting = this.pending;
    this.pending = undefined;
    try {
      const ids = await this.redis.smembers(eventsIndexKey);
      await this.learn(ids.filter((id) => !this.facts.has(id)));
      const known = new Map<string, KnownEvent>();
      for (const id of ids) {
        const facts = this.facts.get(id);
        if (facts) known.set(id, facts);
      }
      this.known = known;
      this.loaded = true;
      waiting?.resolve();
    } catch {
      // Known events keep being served; only a miss needs Redis to answer it.
      waiting?.reject(
        new AppError(
          'UNAVAILABLE',
          this.loaded ? 'events cannot be looked up right now' : 'events are not loaded yet',
          { 'retry-after': '1' },
        ),
      );
    } finally {
      this.refreshing = false;
    }
  }

  /**
   * Reads the fixed figures of events seen for the first time: one command per event (each its own
   * cluster slot), batched per node by auto-pipelining.
   */
  private async learn(ids: string[]): Promise<void> {
    if (ids.length === 0) return;
    const results = await Promise.allSettled(
      ids.map((id) => this.redis.hget(eventKeys(id).config, 'ticketsTotal')),
    );
    ids.forEach((id, index) => {
      const result = results[index];
      const value = result?.status === 'fulfilled' ? result.value : null;
      const ticketsTotal = typeof value === 'string' ? Number(value) : Number.NaN;
      if (Number.isInteger(ticketsTotal) && ticketsTotal > 0) this.facts.set(id, { ticketsTotal });
    });
  }
}
