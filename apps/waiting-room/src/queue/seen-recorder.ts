import type { RedisClient } from '@frequency/config/redis';
import { waitingRoomCommands, type WaitingRoomCommands } from '../redis/commands.js';
import { waitingRoomKeys } from '../redis/keys.js';

/** Places per SEEN script: its BITFIELD arguments (4 per place) stay far below Lua's unpack limit. */
const CHUNK = 1_000;

/**
 * Remembers which places polled and writes their "last seen" second to Redis in one batch per
 * interval: a poll costs a Set insertion, not a Redis write. The batch is at most one interval late,
 * which is far inside the abandonment grace period.
 */
export class SeenRecorder {
  readonly #pending = new Map<string, { seen: Set<number>; preSeen: Set<number> }>();
  #timer: NodeJS.Timeout | undefined;
  readonly #commands: WaitingRoomCommands;

  constructor(
    redis: RedisClient,
    private readonly flushMs: number,
    private readonly onError: (err: unknown) => void,
  ) {
    this.#commands = waitingRoomCommands(redis);
  }

  /** A fan with a place polled. */
  seen(eventId: string, seq: number): void {
    this.#bucket(eventId).seen.add(seq);
  }

  /** A fan still in the pre-queue (no place yet) polled. */
  preSeen(eventId: string, pre: number): void {
    this.#bucket(eventId).preSeen.add(pre);
  }

  start(): void {
    this.#timer = setInterval(() => {
      void this.flush().catch(this.onError);
    }, this.flushMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  async flush(): Promise<void> {
    const batches = [...this.#pending.entries()];
    this.#pending.clear();
    const nowSec = Math.floor(Date.now() / 1000);
    const writes: Promise<number>[] = [];
    for (const [eventId, bucket] of batches) {
      const keys = waitingRoomKeys(eventId);
      for (const [seen, places] of [
        [keys.seen, bucket.seen],
        [keys.preSeen, bucket.preSeen],
      ] as const) {
        const all = [...places];
        for (let i = 0; i < all.length; i += CHUNK) {
          writes.push(this.#commands.wrSeen({ seen }, { nowSec, places: all.slice(i, i + CHUNK) }));
        }
      }
    }
    await Promise.all(writes);
  }

  #bucket(eventId: string) {
    let bucket = this.#pending.get(eventId);
    if (!bucket) {
      bucket = { seen: new Set(), preSeen: new Set() };
      this.#pending.set(eventId, bucket);
    }
    return bucket;
  }
}
