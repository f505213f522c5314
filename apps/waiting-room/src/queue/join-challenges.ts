import {
  AppError,
  challengeInput,
  type JoinBody,
  type JoinChallenge,
  leadingZeroBits,
} from '@frequency/contracts';
import { sha256Utf8 } from '@frequency/contracts/pow-node';
import type { RedisClient } from '@frequency/config/redis';
import { randomBytes } from 'node:crypto';
import { waitingRoomCommands, type WaitingRoomCommands } from '../redis/commands.js';
import { waitingRoomKeys } from '../redis/keys.js';

export interface ChallengeSettings {
  ttlMs: number;
  joinRateLimit: number;
  joinRateWindowMs: number;
}

/** What a join hands to the join script: the challenge's key and how many zero bits the hash has. */
export interface Proof {
  key: string;
  zeroBits: number;
}

/** `ch_` + 128 random bits (base64url): unguessable, so nobody redeems a challenge they were not given. */
const CHALLENGE_PATTERN = /^ch_[A-Za-z0-9_-]{22}$/;

/**
 * Join challenges (proof of work). A challenge is stored with the bits it was issued with and lives
 * `ttlMs`; the join that redeems it deletes it in the join script, so it works once. Asking for one
 * spends one unit of the client's join budget (the join that redeems it is not charged again), so a
 * flood of challenge requests from one client fills Redis no faster than its joins could.
 */
export class JoinChallenges {
  readonly #commands: WaitingRoomCommands;

  constructor(
    redis: RedisClient,
    private readonly settings: ChallengeSettings,
  ) {
    this.#commands = waitingRoomCommands(redis);
  }

  async issue(eventId: string, bits: number, client: string): Promise<JoinChallenge> {
    const challenge = `ch_${randomBytes(16).toString('base64url')}`;
    const expiresAt = new Date(Date.now() + this.settings.ttlMs).toISOString();
    // Off: nothing to remember, and a join does not look at it.
    if (bits === 0) return { challenge, bits, expiresAt };
    const keys = waitingRoomKeys(eventId);
    const { outcome: result, value } = await this.#commands.wrChallenge(
      {
        config: keys.config,
        rateLimit: keys.rateLimit(client),
        challenge: keys.challenge(challenge),
      },
      {
        limit: this.settings.joinRateLimit,
        windowMs: this.settings.joinRateWindowMs,
        bits,
        ttlMs: this.settings.ttlMs,
      },
    );
    if (result === 'rate_limited') {
      throw new AppError('RATE_LIMITED', 'too many joins from this client, try again later', {
        'retry-after': String(Math.max(1, Math.ceil(value / 1000))),
      });
    }
    if (result !== 'ok') throw new AppError('NOT_FOUND', `no event ${eventId}`);
    return { challenge, bits, expiresAt };
  }

  /**
   * The proof a join carries, checked as far as it can be without Redis: one SHA-256. Whether the
   * challenge exists, is unused and was issued with at most that many bits is decided by the join
   * script.
   */
  proofOf(eventId: string, body: JoinBody | null | undefined): Proof {
    if (!body || !('challenge' in body)) {
      throw new AppError(
        'CHALLENGE_FAILED',
        'this event asks for a solved challenge: POST …/challenge, then join with { challenge, nonce }',
      );
    }
    if (!CHALLENGE_PATTERN.test(body.challenge)) throw challengeFailed();
    const digest = sha256Utf8(challengeInput(body.challenge, body.nonce));
    return {
      key: waitingRoomKeys(eventId).challenge(body.challenge),
      zeroBits: leadingZeroBits(digest),
    };
  }
}

export function challengeFailed(): AppError {
  return new AppError(
    'CHALLENGE_FAILED',
    'the challenge is wrong, expired or already used: ask for a new one',
  );
}
