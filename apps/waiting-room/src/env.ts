import { corsEnv } from '@frequency/observability/cors';
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import { httpEnv, pubsubEnv, redisEnv } from '@frequency/config';
import { z } from 'zod';
import { parseOpsTokens } from './ops/ops-tokens.js';

const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const envSchema = httpEnv(3001)
  .extend(redisEnv.shape)
  .extend(corsEnv.shape)
  .extend(pubsubEnv.shape)
  .extend({
    OPS_TOKEN: z.string().min(16, 'must be at least 16 characters'),
    /** More ops tokens, one per person (`alice:token1,bob:token2`), so the audit names who acted. */
    OPS_TOKENS: z
      .string()
      .optional()
      .superRefine((value, ctx) => {
        try {
          parseOpsTokens(value);
        } catch (err) {
          ctx.addIssue({ code: 'custom', message: err instanceof Error ? err.message : 'invalid' });
        }
      }),
    /** Failed ops logins per client and minute; past it, every attempt gets 429 until the minute ends. */
    OPS_LOGIN_FAILURES_PER_MINUTE: int(1, 10_000).default(5),
    /** Entries kept in each event's ops audit stream. */
    OPS_AUDIT_MAX_ENTRIES: int(1, 1_000_000).default(10_000),
    QUEUE_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters'),
    ADMISSION_PRIVATE_JWKS: z.string().refine((value) => {
      try {
        const parsed: unknown = JSON.parse(value);
        return typeof parsed === 'object' && parsed !== null && 'keys' in parsed;
      } catch {
        return false;
      }
    }, 'must be a JSON object { "keys": [ ...private JWKs ] }'),
    /** Tells replicas apart in the leader lease; unique per process. */
    INSTANCE_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, ".", "_" and "-" only')
      .default(() => `${hostname()}-${randomBytes(4).toString('hex')}`),
    /** Admission runs in small ticks so the flow is smooth rather than a burst per second. */
    ADMISSION_TICK_MS: int(10, 1_000).default(250),
    /** Lifetime of an admission (and its token): the time a fan has to buy. */
    CHECKOUT_WINDOW_SECONDS: int(10, 3_600).default(300),
    /** A fan who has not polled for this long is skipped when reaching the front. */
    QUEUE_ABANDON_AFTER_SECONDS: int(1, 86_400).default(120),
    /** Queue tokens outlive a long pre-queue plus the wait. */
    QUEUE_TOKEN_TTL_SECONDS: int(60, 30 * 86_400).default(2 * 86_400),
    /** How long before opening fans may enter the pre-queue; before that, joins get EVENT_NOT_OPEN. */
    PREQUEUE_OPENS_BEFORE_SECONDS: int(0, 365 * 86_400).default(86_400),
    /** New joins per client (IP) and event per window; 0 turns the limit off. */
    JOIN_RATE_LIMIT_MAX: int(0, 1_000_000_000).default(10),
    JOIN_RATE_LIMIT_WINDOW_SECONDS: int(1, 3_600).default(10),
    /**
     * How long a join challenge may be redeemed. Long enough for a slow phone at the highest
     * difficulty ops would set on sale day (docs/join-challenge.md), short enough that challenges
     * stockpiled before a difficulty rise are gone soon and that Redis holds at most
     * (challenges issued per second) × this many of them.
     */
    JOIN_CHALLENGE_TTL_SECONDS: int(1, 3_600).default(120),
    /** Every replica re-reads config and live figures this often (ops changes apply within 1 s). */
    EVENT_REFRESH_MS: int(20, 250).default(200),
    /** Leader lease; a dead leader is replaced within about this long. */
    LEADER_LEASE_MS: int(500, 60_000).default(3_000),
    /** Polls record "last seen" in memory and write them to Redis in one batch this often. */
    SEEN_FLUSH_MS: int(50, 10_000).default(1_000),
    /**
     * Every event's definition is sent to the ledger again this often (from its admission leader),
     * so one the broker lost reaches the ledger within about this long.
     */
    LEDGER_SYNC_INTERVAL_MS: int(100, 3_600_000).default(30_000),
    /** How long a create or PATCH waits for the broker to take the event definition. */
    LEDGER_PUBLISH_TIMEOUT_MS: int(50, 30_000).default(1_000),
  });
export type Env = z.infer<typeof envSchema>;
