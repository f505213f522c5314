import { httpEnv, pubsubEnv, redisEnv } from '@frequency/config';
import { storeEnv } from '@frequency/db';
import { z } from 'zod';
import { mailerEnv, requireSmtpUrlWhenEnabled } from './mailer/env.js';

const positive = (fallback: number, max: number) =>
  z.coerce.number().int().min(1).max(max).default(fallback);

const workerEnv = httpEnv(3003)
  .extend(redisEnv.shape)
  .extend(pubsubEnv.shape)
  .extend(mailerEnv.shape)
  .extend({
    /** Flow control: messages held (received, not yet acked) at most; bounds memory and lag. */
    WORKER_MAX_MESSAGES: positive(1_000, 100_000),
    /** A batch is written when it holds this many messages, or after WORKER_BATCH_WAIT_MS. */
    WORKER_BATCH_SIZE: positive(500, 10_000),
    WORKER_BATCH_WAIT_MS: positive(50, 10_000),
    /** Batches written at once: one commits while the next fills. */
    WORKER_CONCURRENT_BATCHES: positive(2, 32),
    /** Graceful shutdown bound: finish, commit and ack what is in hand within it. */
    WORKER_SHUTDOWN_TIMEOUT_MS: positive(20_000, 600_000),
    /**
     * An order the database refuses for good (not a data error, not an outage) is tried this many
     * times in all, then rejected as FAILED so its tickets go back on sale.
     */
    WORKER_PERMANENT_ATTEMPTS: positive(3, 100),
    /** How often each worker looks for events Redis lost, to rebuild them from the ledger. */
    RESTORE_INTERVAL_MS: positive(2_000, 600_000),
    /** How often the reconciliation gauges are refreshed. */
    RECONCILE_INTERVAL_MS: positive(15_000, 3_600_000),
  });

/**
 * STORE (postgres | spanner) picks the database; only the chosen store's variables are read
 * (DATABASE_URL… for Postgres, SPANNER_… for Spanner).
 */
export const envSchema = workerEnv.superRefine(requireSmtpUrlWhenEnabled).and(storeEnv);
export type Env = z.infer<typeof envSchema>;
