import { type EventPhase, eventsIndexKey } from '@frequency/contracts';
import type { RedisClient } from '@frequency/config/redis';
import { newShuffleSeed, shuffleCommitment } from '../queue/shuffle-order.js';
import { waitingRoomCommands } from '../redis/commands.js';
import { waitingRoomKeys } from '../redis/keys.js';
import { parseConfig, parseConfigMeta, type StoredConfig } from './event-store.js';

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
  /** Config version (raised with every change), as published to the ledger. */
  version: number;
  /** Progress of a half-written shuffle (entries written so far). */
  shuffleNext: number;
  /**
   * Latest time (epoch ms) Redis was found to have forgotten this event, by the worker (config
   * `restoredAt`) or a replica (state `restoredAt`); 0 if never. Entries of fans may be missing from
   * the line since then, and come back when their holders poll.
   */
  recoveredAt: number;
  /**
   * True while Redis has no config or stock for the event: the figures are the last ones read, kept
   * so a known event never turns into 404 while the ledger restores it.
   */
  stale: boolean;
}

export interface EventCacheHooks {
  /** A refresh found the config or stock gone and kept serving the last snapshot. */
  onStale?: (eventId: string) => void;
  /** This replica wrote the state back after Redis had forgotten or lost part of it. */
  onStateRestored?: (eventId: string) => void;
}

const RATE_WINDOW_MS = 10_000;
/**
 * How long a replica that knows no shuffle seed waits for one that does (or for the ledger's restore)
 * before it draws a new one for an event whose state Redis forgot: far more than a refresh interval,
 * so a replica that remembers the committed seed always wins.
 */
const SEEDLESS_GRACE_MS = 5_000;

/** State counters that only grow; after a loss each replica puts back the highest it knows. */
const MONOTONIC = [
  'seq',
  'preSeq',
  'base',
  'sealed',
  'shuffled',
  'shuffleNext',
  'front',
  'admitted',
  'skippedLeft',
  'skippedAbandoned',
] as const;
type Monotonic = (typeof MONOTONIC)[number];

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
  /** Highest place and arrival number this replica gave or saw in a token, per event. */
  readonly #issued = new Map<string, { seq: number; preSeq: number }>();
  /** When this replica first found an event's state without a seed it could put back. */
  readonly #seedlessSince = new Map<string, number>();

  constructor(
    private readonly redis: RedisClient,
    private readonly refreshMs: number,
    private readonly onError: (err: unknown) => void,
    private readonly hooks: EventCacheHooks = {},
  ) {}

  /** A place given by a join here, or proven by a queue token: never to be given again. */
  notePlace(eventId: string, seq: number): void {
    const issued = this.#issuedOf(eventId);
    if (seq > issued.seq) issued.seq = seq;
  }

  /** The same for a pre-queue arrival number. */
  noteArrival(eventId: string, pre: number): void {
    const issued = this.#issuedOf(eventId);
    if (pre > issued.preSeq) issued.preSeq = pre;
  }

  #issuedOf(eventId: string) {
    let issued = this.#issued.get(eventId);
    if (!issued) {
      issued = { seq: 0, preSeq: 0 };
      this.#issued.set(eventId, issued);
    }
    return issued;
  }

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
        // Events this replica knows stay refreshed while the index is gone (Redis forgot it and the
        // ledger has not restored it yet), so their snapshots are kept and noticed when back.
        for (const id of this.#snapshots.keys()) this.#known.add(id);
        await Promise.all([...this.#known].map((id) => this.refresh(id)));
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
    const previous = this.#snapshots.get(eventId);
    const rawConfig = asRecord(config);
    const meta = parseConfigMeta(rawConfig);
    const parsed = parseConfig(eventId, rawConfig);
    let s = asRecord(state);
    // Only for an event that exists (its config, or a snapshot of it here): never a state for an id
    // nobody created.
    if (
      (previous || parsed) &&
      (await this.#restoreState(eventId, s, previous, meta.shuffle, now))
    ) {
      this.hooks.onStateRestored?.(eventId);
      s = await this.redis.hgetall(keys.state);
    }
    if (!parsed || stock === null) {
      if (!previous) return undefined;
      // Redis forgot the event (or part of it) and the ledger has not put it back yet: serve what
      // was last known rather than turn a known event into 404 or "sold out".
      const stale: EventSnapshot = {
        ...previous,
        stale: true,
        recoveredAt: Math.max(previous.recoveredAt, num(s.restoredAt), meta.restoredAt),
      };
      this.#snapshots.set(eventId, stale);
      this.hooks.onStale?.(eventId);
      return stale;
    }
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
      version: meta.version,
      shuffleNext: num(s.shuffleNext),
      recoveredAt: Math.max(num(s.restoredAt), meta.restoredAt),
      stale: false,
    };
    this.#measure(snapshot);
    this.#snapshots.set(eventId, snapshot);
    this.#known.add(eventId);
    return snapshot;
  }

  /**
   * Puts the state back when Redis has forgotten it (no seed) or holds less than this replica knows
   * (its last snapshot, the places it gave and the tokens it saw): one script merges the highest
   * values, so replicas converge and no place is given twice. Returns true if it wrote anything.
   */
  async #restoreState(
    eventId: string,
    state: Record<string, string>,
    previous: EventSnapshot | undefined,
    ledgerShuffle: { seed: string; commitment: string } | null,
    now: number,
  ): Promise<boolean> {
    const issued = this.#issued.get(eventId);
    const known: Record<Monotonic, number> = {
      seq: Math.max(previous?.seq ?? 0, issued?.seq ?? 0),
      preSeq: Math.max(previous?.preSeq ?? 0, issued?.preSeq ?? 0),
      base: previous?.base ?? 0,
      sealed: previous?.sealed ? 1 : 0,
      shuffled: previous?.shuffled ? 1 : 0,
      shuffleNext: previous?.shuffleNext ?? 0,
      front: previous?.front ?? 0,
      admitted: previous?.admittedTotal ?? 0,
      skippedLeft: previous?.skippedLeft ?? 0,
      skippedAbandoned: previous?.skippedAbandoned ?? 0,
    };
    const seedless = state.seed === undefined;
    const behind = MONOTONIC.some((field) => num(state[field]) < known[field]);
    if (!seedless && !behind) {
      this.#seedlessSince.delete(eventId);
      return false;
    }
    let shuffle =
      previous?.seed && previous.commitment
        ? { seed: previous.seed, commitment: previous.commitment }
        : ledgerShuffle;
    if (seedless && !shuffle) {
      // Nobody here remembers the committed seed. Another replica or the ledger's restore may;
      // only once they had ample time is a new one drawn (the published commitment then changes).
      const since = this.#seedlessSince.get(eventId) ?? now;
      this.#seedlessSince.set(eventId, since);
      if (now - since >= SEEDLESS_GRACE_MS) {
        const seed = newShuffleSeed();
        shuffle = { seed, commitment: shuffleCommitment(seed) };
      }
    }
    const keys = waitingRoomKeys(eventId);
    return waitingRoomCommands(this.redis).wrRestoreState(keys, {
      seed: shuffle?.seed ?? '',
      commitment: shuffle?.commitment ?? '',
      leftPending: previous?.leftPending ?? 0,
      counters: MONOTONIC.flatMap((field) => [field, known[field]]),
    });
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

function num(value: unknown): number {
  const n = Number(value ?? 0);
  return Number.isFinite(n) ? n : 0;
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
