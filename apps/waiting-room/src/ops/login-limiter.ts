import type { RedisClient } from '@frequency/config/redis';
import { opsLoginFailuresKey } from '../redis/keys.js';

const WINDOW_MS = 60_000;

/**
 * Failed ops logins per client, counted in Redis so every replica sees the same count. After
 * `failuresPerMinute` failures in a window that starts at the first one, the client is locked out
 * until the window ends: every attempt then fails, the right token included, so a lucky guess during
 * a lockout confirms nothing.
 */
export class OpsLoginLimiter {
  constructor(
    private readonly redis: RedisClient,
    private readonly failuresPerMinute: number,
  ) {}

  /** Milliseconds until the client may try again; 0 when it is not locked out. */
  lockedForMs(client: string): Promise<number> {
    return this.redis.wrOpsLoginCheck(
      opsLoginFailuresKey(client),
      this.failuresPerMinute,
      WINDOW_MS,
    );
  }

  /** Counts a failure; returns the failures in the client's current window. */
  recordFailure(client: string): Promise<number> {
    return this.redis.wrOpsLoginFailure(opsLoginFailuresKey(client), WINDOW_MS);
  }
}
