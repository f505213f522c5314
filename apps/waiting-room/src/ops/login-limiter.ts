import type { RedisClient } from '@frequency/config/redis';
import { waitingRoomCommands, type WaitingRoomCommands } from '../redis/commands.js';
import { opsLoginFailuresKey } from '../redis/keys.js';

const WINDOW_MS = 60_000;

/**
 * Failed ops logins per client, counted in Redis so every replica sees the same count. After
 * `failuresPerMinute` failures in a window that starts at the first one, the client is locked out
 * until the window ends: every attempt then fails, the right token included, so a lucky guess during
 * a lockout confirms nothing.
 */
export class OpsLoginLimiter {
  readonly #commands: WaitingRoomCommands;

  constructor(
    redis: RedisClient,
    private readonly failuresPerMinute: number,
  ) {
    this.#commands = waitingRoomCommands(redis);
  }

  /** Milliseconds until the client may try again; 0 when it is not locked out. */
  lockedForMs(client: string): Promise<number> {
    return this.#commands.wrOpsLoginCheck(
      { failures: opsLoginFailuresKey(client) },
      { allowed: this.failuresPerMinute, windowMs: WINDOW_MS },
    );
  }

  /** Counts a failure; returns the failures in the client's current window. */
  recordFailure(client: string): Promise<number> {
    return this.#commands.wrOpsLoginFailure(
      { failures: opsLoginFailuresKey(client) },
      { windowMs: WINDOW_MS },
    );
  }
}
