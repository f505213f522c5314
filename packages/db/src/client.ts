import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema.js';

export type Database = NodePgDatabase<typeof schema>;

export interface DbHandle {
  db: Database;
  pool: pg.Pool;
  close(): Promise<void>;
}

/**
 * The one way to open the database.
 * - connectionTimeoutMillis 3 s: a dead database fails readiness fast instead of hanging the probe.
 * - statement_timeout 30 s: a batch insert of thousands of rows takes milliseconds; anything near
 *   30 s is a lock or an outage, and the worker retries with backoff.
 * - idle clients are dropped after 30 s so a Cloud SQL failover does not leave dead sockets.
 */
export function createDb(url: string, poolSize = 10): DbHandle {
  const pool = new pg.Pool({
    connectionString: url,
    max: poolSize,
    connectionTimeoutMillis: 3_000,
    idleTimeoutMillis: 30_000,
    statement_timeout: 30_000,
    application_name: 'frequency',
  });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  const db = drizzle(pool, { schema });
  return { db, pool, close: () => pool.end() };
}
