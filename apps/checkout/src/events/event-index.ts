import { AppError, eventsIndexKey } from '@frequency/contracts';
import type { Redis } from 'ioredis';

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

/**
 * The ids of every event, in memory, refreshed from the `events` set every `intervalMs`. Event ids
 * come from URLs, so a flood of made-up ones must not cost a Redis round trip each: a known id is a
 * set lookup, and an unknown one waits for the next refresh (so an event created a moment ago is
 * found) and is then 404. However many requests miss, Redis sees one SMEMBERS per interval.
 */
export class EventIndex {
  private known = new Set<string>();
  private loaded = false;
  /** Misses waiting for a refresh that starts after they arrived. */
  private pending: Waiters | undefined;
  private timer: NodeJS.Timeout | undefined;
  private refreshing = false;

  constructor(
    private readonly redis: Redis,
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
  async require(eventId: string): Promise<void> {
    if (this.known.has(eventId)) return;
    this.pending ??= waiters();
    await this.pending.promise;
    if (!this.known.has(eventId)) throw new AppError('NOT_FOUND', `no event ${eventId}`);
  }

  private async refresh(): Promise<void> {
    // A slow SMEMBERS is not stacked up behind another: the next tick tries again.
    if (this.refreshing) return;
    this.refreshing = true;
    const waiting = this.pending;
    this.pending = undefined;
    try {
      this.known = new Set(await this.redis.smembers(eventsIndexKey));
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
}
