import { newId } from '@frequency/contracts';
import type { Logger } from '@frequency/observability';
import type { RedisClient } from '@frequency/config/redis';
import type { EventCache } from '../events/event-cache.js';
import type { WaitingRoomMetrics } from '../metrics.js';
import { LONGEST_POLL_AFTER_MS } from '../queue/estimates.js';
import { waitingRoomCommands, type WaitingRoomCommands } from '../redis/commands.js';
import { waitingRoomKeys } from '../redis/keys.js';
import { runShuffle } from './run-shuffle.js';

export interface AdmissionOptions {
  instanceId: string;
  tickMs: number;
  leaseMs: number;
  abandonAfterSeconds: number;
  /** Told of every admission this replica gives (entry, admission id, expiry), as it gives it. */
  onAdmitted?: (eventId: string, entryId: string, jti: string, expiresAtMs: number) => void;
}

interface EventLeadership {
  leaseValue: string | null;
  leaseCheckedAt: number;
  lastTickAt: number;
  /** Admissions owed but not yet given: the fractional remainder that keeps ticks smooth. */
  credit: number;
}

/** Upper bound of places one admission call may pass over, so one script stays short. */
const MAX_SCAN = 2_000;
/** Upper bound of admissions per tick (and of ids sent to Redis at once). */
const MAX_PER_TICK = 10_000;

/**
 * Runs admission on exactly one replica per event: each replica tries to hold the event's lease
 * (SET NX PX, fenced by an INCR counter), and only the holder admits, every `tickMs`, at the configured
 * rate with the fractional remainder carried over. Every write is checked against the fence inside
 * Lua, so a leader that stalled past its lease cannot admit anyone once another has taken over.
 */
export class AdmissionController {
  readonly #events = new Map<string, EventLeadership>();
  /**
   * Highest fence this instance has held per event, so a lease taken after Redis forgot the fence
   * counter still gets a fence above every earlier one of this instance.
   */
  readonly #fences = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #stopped = false;
  readonly #commands: WaitingRoomCommands;

  constructor(
    private readonly redis: RedisClient,
    private readonly cache: EventCache,
    private readonly metrics: WaitingRoomMetrics,
    private readonly logger: Logger,
    private readonly options: AdmissionOptions,
  ) {
    this.#commands = waitingRoomCommands(redis);
  }

  start(): void {
    this.#stopped = false;
    this.#timer = setInterval(() => {
      void this.tick();
    }, this.options.tickMs);
    this.#timer.unref();
  }

  /** Stops admitting; `releaseLeases` false simulates a crash (the lease runs out on its own). */
  async stop({ releaseLeases }: { releaseLeases: boolean }): Promise<void> {
    this.#stopped = true;
    clearInterval(this.#timer);
    if (releaseLeases) {
      await Promise.all(
        [...this.#events.entries()].map(async ([eventId, leadership]) => {
          if (leadership.leaseValue) {
            await this.#commands
              .wrRelease(waitingRoomKeys(eventId), { leaseValue: leadership.leaseValue })
              .catch(() => false);
          }
        }),
      );
    }
    this.#events.clear();
    this.metrics.leader.set(0);
  }

  isLeader(eventId?: string): boolean {
    if (eventId !== undefined) return Boolean(this.#events.get(eventId)?.leaseValue);
    return [...this.#events.values()].some((leadership) => leadership.leaseValue !== null);
  }

  async tick(): Promise<void> {
    if (this.#running || this.#stopped) return;
    this.#running = true;
    try {
      await Promise.all(this.cache.ids().map((id) => this.#tickEvent(id)));
    } catch (err) {
      this.logger.error({ err }, 'admission tick failed');
    } finally {
      this.metrics.leader.set(this.isLeader() ? 1 : 0);
      this.#running = false;
    }
  }

  async #tickEvent(eventId: string): Promise<void> {
    const now = Date.now();
    const leadership = this.#leadership(eventId, now);
    if (!(await this.#holdLease(eventId, leadership, now)) || this.#stopped) return;
    const leaseValue = leadership.leaseValue;
    const snapshot = this.cache.get(eventId);
    if (!snapshot || !leaseValue) return;
    const keys = waitingRoomKeys(eventId);
    const idle = () => {
      leadership.credit = 0;
      leadership.lastTickAt = now;
    };
    if (!snapshot.sealed) {
      if (now < snapshot.opensAtMs) {
        idle();
        return;
      }
      await this.#commands.wrSeal(keys);
    }
    if (!snapshot.shuffled) {
      const started = Date.now();
      const keepAlive = async () => {
        if (Date.now() - leadership.leaseCheckedAt < this.options.leaseMs / 3) return true;
        return this.#holdLease(eventId, leadership, Date.now());
      };
      if (!(await runShuffle(this.redis, keys, leaseValue, { keepAlive }))) {
        leadership.leaseValue = null;
        return;
      }
      this.logger.info({ eventId, ms: Date.now() - started }, 'pre-queue shuffled');
      await this.cache.refresh(eventId);
      idle();
      return;
    }
    const rate = snapshot.config.admissionRatePerSecond;
    if (snapshot.config.paused || rate <= 0 || snapshot.stock <= 0) {
      idle();
      return;
    }
    // Elapsed time, not the nominal tick, drives the credit, so the achieved rate follows the clock
    // even when timers run late; the cap keeps a long stall from turning into a burst.
    const elapsed = Math.min(now - leadership.lastTickAt, 1_000);
    leadership.lastTickAt = now;
    leadership.credit = Math.min(leadership.credit + (rate * elapsed) / 1000, Math.max(1, rate));
    const wanted = Math.min(Math.floor(leadership.credit), MAX_PER_TICK);
    if (wanted < 1) return;
    leadership.credit -= wanted;
    // The script would find nothing to do with nobody past the front or every checkout slot taken
    // (by the snapshot, at most one refresh old), so it is not asked; the credit goes as it would
    // have gone. After Redis forgot entries, places come back behind the front: then it is asked.
    const nobodyWaiting = snapshot.recoveredAt === 0 && snapshot.seq <= snapshot.front;
    if (nobodyWaiting || snapshot.activeCheckouts >= snapshot.config.maxActiveCheckouts) return;
    const ids = Array.from({ length: wanted }, () => newId('admission'));
    const { status, admitted, left, abandoned, expiresAtMs, members } =
      await this.#commands.wrAdmit(keys, {
        leaseValue,
        wanted,
        windowMs: snapshot.config.checkoutWindowSeconds * 1000,
        abandonAfterSeconds: this.options.abandonAfterSeconds,
        maxActive: snapshot.config.maxActiveCheckouts,
        maxScanned: MAX_SCAN,
        // After Redis forgot, fans missing from the line come back when they next poll.
        returnGraceMs: LONGEST_POLL_AFTER_MS,
        admissionIds: ids,
      });
    if (status === 'fenced') {
      leadership.leaseValue = null;
      this.logger.warn({ eventId }, 'lost the admission lease');
      return;
    }
    if (admitted > 0) {
      this.metrics.admittedTotal.inc({ event: eventId }, admitted);
      members.forEach((member, index) => {
        const jti = ids[index];
        if (jti) this.options.onAdmitted?.(eventId, member, jti, expiresAtMs);
      });
    }
    if (left > 0) this.metrics.skippedTotal.inc({ event: eventId, reason: 'left' }, left);
    if (abandoned > 0)
      this.metrics.skippedTotal.inc({ event: eventId, reason: 'abandoned' }, abandoned);
  }

  #leadership(eventId: string, now: number): EventLeadership {
    let leadership = this.#events.get(eventId);
    if (!leadership) {
      leadership = { leaseValue: null, leaseCheckedAt: 0, lastTickAt: now, credit: 0 };
      this.#events.set(eventId, leadership);
    }
    return leadership;
  }

  /** Renews the lease a few times per lease period; a follower retries as often to take over fast. */
  async #holdLease(eventId: string, leadership: EventLeadership, now: number): Promise<boolean> {
    const every = leadership.leaseValue ? this.options.leaseMs / 3 : this.options.leaseMs / 6;
    if (now - leadership.leaseCheckedAt < every) return leadership.leaseValue !== null;
    leadership.leaseCheckedAt = now;
    const keys = waitingRoomKeys(eventId);
    const value = await this.#commands.wrLease(keys, {
      instanceId: this.options.instanceId,
      ttlMs: this.options.leaseMs,
      held: leadership.leaseValue ?? '',
      highestFence: this.#fences.get(eventId) ?? 0,
    });
    const fence = value ? Number(value.slice(value.lastIndexOf('|') + 1)) : 0;
    if (fence > (this.#fences.get(eventId) ?? 0)) this.#fences.set(eventId, fence);
    if (value && value !== leadership.leaseValue) {
      // A new holding (also when Redis forgot the old lease while this replica held it): the credit
      // starts afresh so the change of holder never turns into a burst.
      this.logger.info({ eventId, lease: value }, 'took over admission');
      leadership.lastTickAt = now;
      leadership.credit = 0;
    }
    leadership.leaseValue = value;
    return value !== null;
  }
}
