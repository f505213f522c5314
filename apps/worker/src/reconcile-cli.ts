import { parseEnv, redisEnv } from '@frequency/config';
import { createRedisClient } from '@frequency/config/redis';
import { openStore, storeEnv } from '@frequency/db';
import { reconcile } from './ledger/reconcile.js';

/**
 * `pnpm --filter @frequency/worker reconcile`: per event, tickets sold in Redis, persisted in the
 * database, orders still in the outbox, and tickets oversold. Exits 2 if any event is oversold,
 * 1 if Redis and the database disagree with nothing pending (a lost order), 0 otherwise.
 */
async function main(): Promise<number> {
  const env = parseEnv(redisEnv.and(storeEnv));
  const redis = createRedisClient({
    url: env.REDIS_URL,
    clusterNodes: env.REDIS_CLUSTER_NODES,
    keyPrefix: env.REDIS_KEY_PREFIX,
    name: 'reconcile',
  });
  const store = openStore(env);
  try {
    const rows = await reconcile(redis, store);
    const table = rows.map((row) => ({
      event: row.eventId,
      total: row.ticketsTotal,
      'sold (redis)': row.soldInRedis,
      'persisted (db)': row.persisted,
      'outbox pending': row.outboxPending,
      oversold: row.oversold,
      state:
        row.oversold > 0
          ? 'OVERSOLD'
          : row.soldInRedis === row.persisted
            ? 'ok'
            : row.outboxPending > 0
              ? 'in flight'
              : 'MISMATCH',
    }));
    if (table.length === 0) process.stdout.write('no events\n');
    else console.table(table);
    if (rows.some((row) => row.oversold > 0)) return 2;
    if (rows.some((row) => row.soldInRedis !== row.persisted && row.outboxPending === 0)) return 1;
    return 0;
  } finally {
    redis.disconnect();
    await store.close();
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`reconcile failed: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
  },
);
