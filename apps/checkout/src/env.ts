import { corsEnv } from '@frequency/observability/cors';
import { httpEnv, pubsubEnv, redisEnv } from '@frequency/config';
import { z } from 'zod';

const millis = (fallback: number) =>
  z.coerce.number().int().min(0).max(3_600_000).default(fallback);

export const envSchema = httpEnv(3002)
  .extend(redisEnv.shape)
  .extend(corsEnv.shape)
  .extend(pubsubEnv.shape)
  .extend({
    WAITING_ROOM_URL: z.url().default('http://127.0.0.1:3001'),
    /** Minimum time between two JWKS fetches triggered by an unknown kid (a flood of forged kids). */
    JWKS_REFETCH_COOLDOWN_MS: millis(30_000),
    /** Keys are refreshed in the background at most this old, to pick up a rotation ahead of use. */
    JWKS_MAX_AGE_MS: millis(600_000),
    /**
     * How often the in-memory list of events is re-read. Unknown event ids are answered from it
     * (after the next refresh), so a flood of made-up ids costs Redis one read per interval.
     */
    EVENT_INDEX_REFRESH_MS: z.coerce.number().int().min(10).max(10_000).default(250),
    /** Availability answers come from memory for this long: one Redis read per event per window. */
    AVAILABILITY_CACHE_MS: millis(200),
    /**
     * Admission signature checks waiting at most; beyond it checkout answers 503 with Retry-After
     * instead of queueing, so a flood of forged tokens cannot grow memory (~1 KiB per waiting
     * request). 1024 is ~70 ms of checking (~70 µs each on one core): the longest wait behind a
     * flood spread over many addresses; a fan's check skips a single address's backlog and waits
     * for the batch in flight only. Honest traffic holds a handful (admission rate x check time),
     * and 100 connections from one address stay below the half where fair shares apply.
     */
    SIGNATURE_QUEUE_MAX: z.coerce.number().int().min(1).max(1_000_000).default(1_024),
    /**
     * Bound of the inline publish (with retries). An order is answered 202 only once its intent is
     * in Pub/Sub; past this bound its reservation is undone and the fan gets 503 with Retry-After
     * (a retry reserves the same order again).
     */
    PUBLISH_TIMEOUT_MS: millis(2_000),
    /** How often the relay looks for reserved orders that the worker has not confirmed yet. */
    OUTBOX_RELAY_INTERVAL_MS: millis(3_000),
    /**
     * How long after a (re)publish an unconfirmed order waits before it is published again. Longer
     * than the worker's normal lag, so a busy pipeline is not flooded with duplicates.
     */
    OUTBOX_REPUBLISH_AFTER_MS: millis(30_000),
    /**
     * HMAC key of receipt tokens (HS256): checkout alone signs and verifies them, so a key shared
     * by its replicas is enough and costs less per check than a signature. Unset, each process
     * draws a random one at start (and says so): fine for tests, but its receipts then outlive
     * neither a restart nor a move to another replica, so every deployment sets it.
     */
    RECEIPT_SECRET: z.string().min(32).optional(),
    /** The key before the last rotation: receipts it signed keep reading their order until they expire. */
    RECEIPT_SECRET_PREVIOUS: z.string().min(32).optional(),
    /** How long a receipt token reads its order (default 30 days: the contract's minimum). */
    RECEIPT_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(400 * 86_400)
      .default(30 * 86_400),
    /**
     * Replicas that must acknowledge an order's reservation before its 202 (Redis WAIT); 0 = off.
     * A reservation a failover loses is restored from the ledger anyway (its intent is in Pub/Sub
     * first); WAIT narrows the window in which Redis could sell those tickets a second time.
     */
    REDIS_MIN_REPLICAS_ACK: z.coerce.number().int().min(0).max(16).default(0),
    /**
     * Bound of one WAIT. While it waits, the connection that reserves orders waits with it (WAIT
     * blocks its connection), so a lost replica costs each batch of orders at most this much.
     */
    REDIS_WAIT_TIMEOUT_MS: z.coerce.number().int().min(1).max(10_000).default(50),
  });
export type Env = z.infer<typeof envSchema>;
