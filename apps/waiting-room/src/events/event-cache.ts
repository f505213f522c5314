import { type EventPhase, eventsIndexKey } from '@frequency/contracts';
import type { Redis } from 'ioredis';
import { waitingRoomKeys } from '../redis/keys.js';
import { parseConfig, type StoredConfig } from './event-store.js';

/** What every replica knows about an event, at most one refresh interval old. */
export interface EventSnapshot {
  id: string;
  config: StoredConfig;
  opensAtMs: number;
  /** Last place given (pre-queue base included). */
  seq: number;
  preSeq: number;
  sealed: boolean;
  /** Size of the frozen pre-queue: places 1..base are the shuffled early arrivals. */
  base: number;
  shuffled: boolean;
  /** Highest place admission has passed (admitted or skipped). */
  front: number;
  admittedTotal: number;
  skippedLeft: number;
  skippedAbandoned: number;
  /** Fans who left but whose place admission has not reached yet. */
  leftPending: number;
  commitment: string | null;
  /** Private until the shuffle is done. */
  seed: string | null;
  stock: number;
  sold: number;
  activeCheckouts: number;
  preCount: number;
  /** Measured over the last RATE_WINDOW_MS from the shared counters. */
  achievedRatePerSecond: number;
  noShowRate: number;
  fetchedAt: number;
}

const RATE_WINDOW_MS = 10_000;

interface Sample {
  at: number;
  admitted: number;
  skipped: number;
}

/**
 * Keeps a snapshot of every event in process memory, refreshed every `refreshMs` (<= 250 ms) with one
 * pipelined read per event, so a status poll needs no Redis round trip and an ops change reaches every
 * replica within one refresh. The achieved admission rate and the no-show rate are measured from the
 * shared counters, so every replica computes the same estimates.
 *
 * The index of event ids (the `events` set) is re-read with every refresh and is the one authority on
 * which ids exist: an id outside it is unknown without asking Redis, so a flood of made-up ids costs
 * no round trip at all. An event created through this replica is known at once; one created on
 * another replica is known after at most one refresh.
 */
export class EventCache {
  readonly #snapshots = new Map<string, EventSnapshot>();
  readonly #samples = new Map<string, Sample[]>();
  /** Ids in the `events` index at the last refresh, plus those created here since. */
  #known = new Set<string>();
  /** Until the index has been read once, nobody can say an id is unknown. */
  #indexRead = false;
  #timer: NodeJS.Timeout | undefined;
  #refreshing: Promise<void> | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly refreshMs: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  start(): void {
    this.#timer = setInterval(() => {
      void this.refreshAll();
    }, this.refreshMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  get(eventId: string): EventSnapshot | undefined {
    return this.#snapshots.get(eventId);
  }

  ids(): string[] {
    return [...this.#snapshots.keys()];
  }

  /**
   * The snapshot; undefined for an id outside the index, without a Redis round trip. Only an indexed
   * event whose snapshot has not been read yet (its refresh failed) is read on demand.
   */
  async load(eventId: string): Promise<EventSnapshot | undefined> {
    const cached = this.#snapshots.get(eventId);
    if (cached) return cached;
    if (this.#indexRead && !this.#known.has(eventId)) return undefined;
    const snapshot = await this.refresh(eventId);
    // An indexed id whose config cannot be read is asked for again at the next index read, not on
    // every request in between.
    if (!snapshot) this.#known.delete(eventId);
    return snapshot;
  }

  refreshAll(): Promise<void> {
    this.#refreshing ??= (async () => {
      try {
        const ids = await this.redis.smembers(eventsIndexKey);
        this.#known = new Set(ids);
        this.#indexRead = true;
        await Promise.all(ids.map((id) => this.refresh(id)));
      } catch (err) {
        this.onError(err);
      } finally {
        this.#refreshing = undefined;
      }
    })();
    return this.#refreshing;
  }

  async refresh(eventId: string): Promise<EventSnapshot | undefined> {
    const keys = waitingRoomKeys(eventId);
    const now = Date.now();
    const results = await this.redis
      .pipeline()
      .hgetall(keys.config)
      .hgetall(keys.state)
      .get(keys.stock)
      .get(keys.sold)
      .zcount(keys.active, now + 1, '+inf')
      .zcard(keys.pre)
      .exec();
    if (!results) return undefined;
    const [config, state, stock, sold, active, preCount] = results.map(([err, value]) => {
      if (err) throw err;
      return value;
    });
    const parsed = parseConfig(eventId, asRecord(config));
    if (!parsed) return undefined;
    const s = asRecord(state);
    const num = (value: unknown) => {
      const n = Number(value ?? 0);
      return Number.isFinite(n) ? n : 0;
    };
    const snapshot: EventSnapshot = {
      id: eventId,
      config: parsed,
      opensAtMs: Date.parse(parsed.opensAt),
      seq: num(s.seq),
      preSeq: num(s.preSeq),
      sealed: s.sealed === '1',
      base: num(s.base),
      shuffled: s.shuffled === '1',
      front: num(s.front),
      admittedTotal: num(s.admitted),
      skippedLeft: num(s.skippedLeft),
      skippedAbandoned: num(s.skippedAbandoned),
      leftPending: Math.max(0, num(s.leftPending)),
      commitment: s.commitment ?? null,
      seed: s.seed ?? null,
      stock: num(stock),
      sold: num(sold),
      activeCheckouts: num(active),
      preCount: num(preCount),
      achievedRatePerSecond: 0,
      noShowRate: 0,
      fetchedAt: now,
    };
    this.#measure(snapshot);
    this.#snapshots.set(eventId, snapshot);
    this.#known.add(eventId);
    return snapshot;
  }

  #measure(snapshot: EventSnapshot): void {
    const samples = this.#samples.get(snapshot.id) ?? [];
    const skipped = snapshot.skippedLeft + snapshot.skippedAbandoned;
    samples.push({ at: snapshot.fetchedAt, admitted: snapshot.admittedTotal, skipped });
    while (samples.length > 2 && (samples[0]?.at ?? 0) < snapshot.fetchedAt - RATE_WINDOW_MS) {
      samples.shift();
    }
    this.#samples.set(snapshot.id, samples);
    const first = samples[0];
    if (!first || snapshot.fetchedAt - first.at < 1_000) return;
    const admitted = snapshot.admittedTotal - first.admitted;
    const skippedDelta = skipped - first.skipped;
    snapshot.achievedRatePerSecond = (admitted * 1000) / (snapshot.fetchedAt - first.at);
    snapshot.noShowRate =
      admitted + skippedDelta > 0 ? skippedDelta / (admitted + skippedDelta) : 0;
  }
}

function asRecord(value: unknown): Record<string, string> {
  return typeof value === 'object' && value !== null ? (value as Record<string, string>) : {};
}

/** The public phase, from the snapshot and the clock. */
export function phaseOf(
  snapshot: EventSnapshot,
  nowMs: number,
  prequeueWindowMs: number,
): EventPhase {
  if (snapshot.stock <= 0) return 'sold_out';
  if (!snapshot.sealed && nowMs < snapshot.opensAtMs) {
    return nowMs < snapshot.opensAtMs - prequeueWindowMs ? 'scheduled' : 'prequeue';
  }
  if (snapshot.config.paused) return 'paused';
  return 'open';
}

/** Fans in line and not yet admitted (places whose holders left are subtracted). */
export function waitingCount(snapshot: EventSnapshot): number {
  if (!snapshot.sealed) return snapshot.preCount;
  return Math.max(0, snapshot.seq - snapshot.front - snapshot.leftPending);
}
