import {
  AppError,
  type JoinBody,
  type JoinResponse,
  newId,
  type QueueStatus,
} from '@frequency/contracts';
import type { RedisClient } from '@frequency/config/redis';
import { type EventCache, type EventSnapshot } from '../events/event-cache.js';
import type { WaitingRoomMetrics } from '../metrics.js';
import { waitingRoomKeys } from '../redis/keys.js';
import { waitingRoomCommands, type WaitingRoomCommands } from '../redis/commands.js';
import type { ReturnPreResult, ReturnResult } from '../redis/queue-scripts.js';
import type { AdmissionTokenSigner } from '../tokens/admission-tokens.js';
import type { QueueClaims, QueueTokens } from '../tokens/queue-token.js';
import { BoundedCache } from './bounded-cache.js';
import {
  aheadOfYou,
  estimatedWaitSeconds,
  jitter,
  pollAfterMs,
  prequeuePollAfterMs,
} from './estimates.js';
import { challengeFailed, type JoinChallenges } from './join-challenges.js';
import { joinParams } from './join-script.js';
import type { SeenRecorder } from './seen-recorder.js';

export interface QueueSettings {
  joinRateLimit: number;
  joinRateWindowMs: number;
  prequeueWindowMs: number;
  /** The admission's: a place last seen longer ago than this when admission reaches it is passed. */
  abandonAfterSeconds: number;
}

interface Admission {
  jti: string;
  expiresAtMs: number;
  token: string;
}

type Resolved =
  { kind: 'place'; seq: number } | { kind: 'admitted'; admission: Admission } | { kind: 'gone' };

/** How long a fan's "no longer in line" answer is reused before asking Redis again. */
const GONE_TTL_MS = 5_000;

/**
 * Join, status and leave. The status of a waiting fan is computed from the token (which carries the
 * place) and the in-process event snapshot: no Redis round trip. Only fans the front has passed, and
 * early arrivals looking up their shuffled place once, ask Redis; the answers are cached per entry.
 */
export class QueueService {
  /** Shuffled place of a pre-queue entry. */
  readonly #places = new BoundedCache<string, number>(500_000);
  readonly #admissions = new BoundedCache<string, Admission>(200_000);
  /**
   * Admissions this replica's admission loop gave (entry -> id and expiry), so one Redis forgot
   * before its fan learnt of it is given back as it was, at its original place in the order.
   */
  readonly #given = new BoundedCache<string, { jti: string; expiresAtMs: number }>(200_000);
  readonly #gone = new BoundedCache<string, number>(200_000);
  /** Entries that left through this replica: they are not waiting any more, whatever the place says. */
  readonly #left = new BoundedCache<string, true>(200_000);
  /**
   * The event's `recoveredAt` under which an entry was last checked in Redis: after Redis forgot an
   * event, each entry costs one round trip per replica to be put back, then none again.
   */
  readonly #checked = new BoundedCache<string, number>(500_000);
  readonly #commands: WaitingRoomCommands;

  constructor(
    private readonly redis: RedisClient,
    private readonly cache: EventCache,
    private readonly tokens: QueueTokens,
    private readonly signer: AdmissionTokenSigner,
    private readonly recorder: SeenRecorder,
    private readonly metrics: WaitingRoomMetrics,
    private readonly settings: QueueSettings,
    private readonly challenges: JoinChallenges,
  ) {
    this.#commands = waitingRoomCommands(redis);
  }

  async snapshot(eventId: string): Promise<EventSnapshot> {
    const snapshot = this.cache.get(eventId) ?? (await this.cache.load(eventId));
    if (!snapshot) throw new AppError('NOT_FOUND', `no event ${eventId}`);
    return snapshot;
  }

  /** A queue token from the Authorization header, or a 401 with the reason. */
  authenticate(eventId: string, token: string | null): QueueClaims {
    if (token === null) {
      this.metrics.tokenRejections.inc({ kind: 'queue', reason: 'missing' });
      throw new AppError('TOKEN_INVALID', 'a queue token is required (Authorization: Bearer …)');
    }
    const result = this.tokens.verify(token, eventId);
    if (!result.ok) {
      this.metrics.tokenRejections.inc({
        kind: 'queue',
        reason: result.reason === 'TOKEN_EXPIRED' ? 'expired' : 'invalid',
      });
      throw new AppError(
        result.reason,
        result.reason === 'TOKEN_EXPIRED'
          ? 'the queue token has expired'
          : 'the queue token is not valid',
      );
    }
    return result.claims;
  }

  /** A join challenge for this event at its current difficulty. */
  async challenge(eventId: string, client: string) {
    const snapshot = await this.snapshot(eventId);
    return this.challenges.issue(eventId, snapshot.config.joinChallengeBits, client);
  }

  async join(eventId: string, client: string, body?: JoinBody | null): Promise<JoinResponse> {
    // The snapshot is in memory for every known event; only a miss waits (one promise less per call).
    const snapshot = this.cache.get(eventId) ?? (await this.snapshot(eventId));
    if (snapshot.stale) {
      this.metrics.joinsTotal.inc({ event: eventId, result: 'unavailable' });
      throw restoring();
    }
    if (snapshot.stock <= 0) {
      this.metrics.joinsTotal.inc({ event: eventId, result: 'sold_out' });
      throw new AppError('SOLD_OUT', 'the event is sold out');
    }
    // Whether a challenge is asked for follows the snapshot (a PATCH reaches it within one refresh);
    // how hard it is follows the bits it was issued with (stored with it), so raising the difficulty
    // neither fails fans mid-solve nor can be dodged by claiming a lower one.
    let proof: { key: string; zeroBits: number } | null = null;
    if (snapshot.config.joinChallengeBits > 0) {
      try {
        proof = this.challenges.proofOf(eventId, body);
      } catch (err) {
        this.metrics.joinsTotal.inc({ event: eventId, result: 'challenge_failed' });
        throw err;
      }
    }
    const entryId = newId('queueEntry');
    const { outcome: result, value } = await this.#commands.wrJoin(
      ...joinParams({
        eventId,
        entryId,
        client,
        proof,
        rateLimit: this.settings.joinRateLimit,
        rateWindowMs: this.settings.joinRateWindowMs,
        prequeueWindowMs: this.settings.prequeueWindowMs,
      }),
    );
    this.metrics.joinsTotal.inc({ event: eventId, result });
    switch (result) {
      case 'prequeue':
        this.cache.noteArrival(eventId, value);
        return {
          queueToken: this.tokens.issue({ evt: eventId, sub: entryId, pre: value }),
          state: 'prequeue',
          position: null,
          pollAfterMs: prequeuePollAfterMs(snapshot.opensAtMs - Date.now()),
        };
      case 'waiting': {
        this.cache.notePlace(eventId, value);
        // The place's first last-seen second: written with the next batch, as every poll's is.
        this.recorder.seen(eventId, value);
        const ahead = aheadOfYou(snapshot, value);
        return {
          queueToken: this.tokens.issue({ evt: eventId, sub: entryId, seq: value }),
          state: 'waiting',
          position: value,
          pollAfterMs: pollAfterMs(estimatedWaitSeconds(snapshot, ahead), ahead),
        };
      }
      case 'rate_limited':
        throw new AppError('RATE_LIMITED', 'too many joins from this client, try again later', {
          'retry-after': String(Math.max(1, Math.ceil(value / 1000))),
        });
      case 'sold_out':
        throw new AppError('SOLD_OUT', 'the event is sold out');
      case 'challenge_failed':
        throw challengeFailed();
      case 'not_open':
        throw new AppError('EVENT_NOT_OPEN', 'the queue of this event is not open yet', {
          'retry-after': String(Math.max(1, Math.ceil(value / 1000))),
        });
      default:
        // The event is known (its snapshot is here), so a missing config or state means Redis forgot
        // it and the restore is under way: try again shortly, nothing was given.
        throw restoring();
    }
  }

  /** The same entry again, for a join repeated with a valid queue token. */
  async rejoin(eventId: string, token: string, claims: QueueClaims): Promise<JoinResponse> {
    const status = await this.status(eventId, claims);
    return {
      queueToken: token,
      state: status.state,
      position: status.position,
      pollAfterMs: status.pollAfterMs,
    };
  }

  async status(eventId: string, claims: QueueClaims, now = Date.now()): Promise<QueueStatus> {
    const snapshot = this.cache.get(eventId) ?? (await this.snapshot(eventId));
    if (this.#left.get(claims.sub)) return ended('expired');
    let seq = 'seq' in claims ? claims.seq : this.#places.get(claims.sub);
    if (seq === undefined && 'pre' in claims) {
      this.cache.noteArrival(eventId, claims.pre);
      if (!snapshot.shuffled) {
        if (snapshot.stock <= 0) return ended('sold_out');
        if (this.#mayBeForgotten(claims.sub, snapshot)) {
          const result = await this.#returnArrival(eventId, claims.sub, claims.pre, snapshot);
          if (result === 'left') return ended('expired');
        }
        this.recorder.preSeen(eventId, claims.pre);
        return {
          state: 'prequeue',
          position: null,
          aheadOfYou: null,
          estimatedWaitSeconds: null,
          pollAfterMs: prequeuePollAfterMs(snapshot.opensAtMs - now),
          admission: null,
        };
      }
      const resolved = await this.#resolve(eventId, claims, snapshot, now);
      if (resolved.kind === 'admitted') return admitted(resolved.admission, now, null);
      if (resolved.kind === 'gone') return ended('expired');
      seq = resolved.seq;
    }
    if (seq === undefined) return ended('expired');
    this.cache.notePlace(eventId, seq);
    if (seq > snapshot.front) {
      if (snapshot.stock <= 0) return ended('sold_out');
      const result = this.#mayBeForgotten(claims.sub, snapshot)
        ? await this.#returnPlace(eventId, claims.sub, seq, snapshot)
        : 'present';
      if (result === 'left') return ended('expired');
      if (result !== 'admitted') return this.#waiting(eventId, snapshot, seq);
    }
    const resolved = await this.#resolve(eventId, claims, snapshot, now);
    if (resolved.kind === 'admitted') return admitted(resolved.admission, now, seq);
    // Back in line behind the front (put back after Redis forgot it): admitted next.
    if (resolved.kind === 'place') return this.#waiting(eventId, snapshot, seq);
    if (this.#mayBeForgotten(claims.sub, snapshot)) {
      // Behind the front with no admission Redis remembers: if Redis forgot this entry (an admission
      // it was given, or its place before admission reached it), it goes back in at its place, which
      // is now at the front of the line, and is admitted next.
      const result = await this.#returnPlace(eventId, claims.sub, seq, snapshot);
      this.#gone.delete(claims.sub);
      if (result === 'restored' || result === 'present') {
        return this.#waiting(eventId, snapshot, seq);
      }
      if (result === 'admitted') {
        const again = await this.#resolve(eventId, claims, snapshot, now);
        if (again.kind === 'admitted') return admitted(again.admission, now, seq);
      }
    }
    return ended('expired');
  }

  #waiting(eventId: string, snapshot: EventSnapshot, seq: number): QueueStatus {
    this.recorder.seen(eventId, seq);
    const ahead = aheadOfYou(snapshot, seq);
    const wait = estimatedWaitSeconds(snapshot, ahead);
    return {
      state: 'waiting',
      position: seq,
      aheadOfYou: ahead,
      estimatedWaitSeconds: wait,
      pollAfterMs: pollAfterMs(wait, ahead),
      admission: null,
    };
  }

  /** Whether Redis may have forgotten this entry since it was last checked here. */
  #mayBeForgotten(entryId: string, snapshot: EventSnapshot): boolean {
    return snapshot.recoveredAt > 0 && this.#checked.get(entryId) !== snapshot.recoveredAt;
  }

  /** Puts a place Redis forgot back into the line (ZADD NX at the token's place). */
  async #returnPlace(
    eventId: string,
    entryId: string,
    seq: number,
    snapshot: EventSnapshot,
  ): Promise<ReturnResult> {
    const keys = waitingRoomKeys(eventId);
    const result = await this.#commands.wrReturn(keys, {
      entryId,
      seq,
      abandonAfterSeconds: this.settings.abandonAfterSeconds,
    });
    this.#afterReturn(eventId, entryId, result, snapshot);
    return result;
  }

  /** Puts a pre-queue arrival Redis forgot back into the (unsealed) pre-queue. */
  async #returnArrival(
    eventId: string,
    entryId: string,
    pre: number,
    snapshot: EventSnapshot,
  ): Promise<ReturnPreResult> {
    const keys = waitingRoomKeys(eventId);
    const result = await this.#commands.wrReturnPre(keys, { entryId, pre });
    this.#afterReturn(eventId, entryId, result, snapshot);
    return result;
  }

  #afterReturn(
    eventId: string,
    entryId: string,
    result: ReturnResult | ReturnPreResult,
    snapshot: EventSnapshot,
  ): void {
    this.#checked.set(entryId, snapshot.recoveredAt);
    if (result === 'restored') this.metrics.placesReturned.inc({ event: eventId });
    if (result === 'left') this.#left.set(entryId, true);
  }

  async leave(eventId: string, claims: QueueClaims): Promise<void> {
    const keys = waitingRoomKeys(eventId);
    const result = await this.#commands.wrLeave(keys, {
      entryId: claims.sub,
      kind: 'pre' in claims ? 'pre' : 'seq',
      place: 'pre' in claims ? claims.pre : claims.seq,
    });
    // Places in line are counted when admission passes over them; a pre-queue entry that never got a
    // place is counted here.
    if (result === 'left_prequeue')
      this.metrics.skippedTotal.inc({ event: eventId, reason: 'left' });
    this.#admissions.delete(claims.sub);
    this.#left.set(claims.sub, true);
  }

  /** Called by the admission loop of this replica for every admission it gives. */
  rememberAdmission(eventId: string, entryId: string, jti: string, expiresAtMs: number): void {
    this.#given.set(entryId, { jti, expiresAtMs });
  }

  /** Where an entry stands once it may have left the line: place, admission, or gone. */
  async #resolve(
    eventId: string,
    claims: QueueClaims,
    snapshot: EventSnapshot,
    now: number,
  ): Promise<Resolved> {
    const cached = this.#admissions.get(claims.sub);
    if (cached) return { kind: 'admitted', admission: cached };
    const goneAt = this.#gone.get(claims.sub);
    if (goneAt !== undefined && now - goneAt < GONE_TTL_MS) return { kind: 'gone' };
    const keys = waitingRoomKeys(eventId);
    const [place, found] = await Promise.all([
      this.redis.zscore(keys.line, claims.sub),
      this.redis.hget(keys.admissions, claims.sub),
    ]);
    // The state is read only when neither was found: to tell "gone" from "Redis forgot it".
    const [seed, restoredAt] =
      place === null && !found
        ? await this.redis.hmget(keys.state, 'seed', 'restoredAt')
        : ['known', null];
    let stored = found;
    const given = this.#given.get(claims.sub);
    const givenAt = given ? given.expiresAtMs - snapshot.config.checkoutWindowSeconds * 1000 : 0;
    if (
      !stored &&
      place === null &&
      given &&
      given.expiresAtMs > now &&
      Number(restoredAt ?? 0) > givenAt
    ) {
      // This replica admitted the fan before Redis forgot the admission, and the fan had not learnt
      // of it yet: the same admission goes back, at its original place in the order (checkout
      // honours it: it was signed before the event was restored). One that left after the restore
      // is not brought back: its admission was given before, but Redis still knew of it then.
      stored = `${given.jti}:${given.expiresAtMs}`;
      await this.redis.hsetnx(keys.admissions, claims.sub, stored);
    }
    // Nothing found may mean Redis forgot the entry after the caller's snapshot was read (which
    // knows nothing of the loss then, so the place would not be put back): "gone" only counts when
    // the state Redis holds is the one that snapshot knows. Otherwise a refresh catches up shortly.
    if (place === null && !stored && (!seed || Number(restoredAt ?? 0) > snapshot.recoveredAt)) {
      throw restoring();
    }
    if (place !== null) {
      const seq = Number(place);
      if ('pre' in claims) this.#places.set(claims.sub, seq);
      return { kind: 'place', seq };
    }
    const match = stored ? /^(adm_[A-Za-z0-9_-]+):(\d+)$/.exec(stored) : null;
    if (match?.[1] && match[2]) {
      const expiresAtMs = Number(match[2]);
      const exp = Math.floor(expiresAtMs / 1000);
      const token = await this.signer.sign({
        evt: eventId,
        sub: claims.sub,
        jti: match[1],
        iat: exp - snapshot.config.checkoutWindowSeconds,
        exp,
      });
      const admission = { jti: match[1], expiresAtMs, token };
      this.#admissions.set(claims.sub, admission);
      return { kind: 'admitted', admission };
    }
    this.#gone.set(claims.sub, now);
    return { kind: 'gone' };
  }
}

function admitted(admission: Admission, now: number, seq: number | null): QueueStatus {
  if (admission.expiresAtMs <= now) return ended('expired');
  return {
    state: 'admitted',
    position: seq,
    aheadOfYou: 0,
    estimatedWaitSeconds: 0,
    pollAfterMs: jitter(10_000),
    admission: { token: admission.token, expiresAt: new Date(admission.expiresAtMs).toISOString() },
  };
}

function restoring(): AppError {
  return new AppError('UNAVAILABLE', 'the queue of this event is being restored, try again', {
    'retry-after': '1',
  });
}

function ended(state: 'sold_out' | 'expired'): QueueStatus {
  return {
    state,
    position: null,
    aheadOfYou: null,
    estimatedWaitSeconds: null,
    pollAfterMs: jitter(30_000),
    admission: null,
  };
}
