import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { ensureDatabase, runMigrations } from '../src/migrate.js';
import { PostgresStore } from '../src/postgres-store.js';
import {
  applySpannerSchema,
  createSpannerClient,
  dropSpannerDatabase,
  type SpannerLocation,
} from '../src/spanner-admin.js';
import { SpannerStore } from '../src/spanner-store.js';
import type { FreshStore, StoredTicket } from './store-contract.js';

/** Unique, lowercase, <= 30 chars: valid as a Postgres and as a Spanner database name. */
export function uniqueDatabaseName(): string {
  return `t_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

const postgresServer = () =>
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** A fresh database built from the committed migrations; drop() removes it. */
export async function freshPostgresStore(): Promise<FreshStore<PostgresStore>> {
  const name = uniqueDatabaseName();
  const url = new URL(postgresServer());
  url.pathname = `/${name}`;
  await ensureDatabase(url.toString());
  await runMigrations(url.toString());
  const store = PostgresStore.open(url.toString(), 5);
  const { pool } = store.database;
  const others: PostgresStore[] = [];
  return {
    store,
    openAnother: () => {
      const other = PostgresStore.open(url.toString(), 2);
      others.push(other);
      return other;
    },
    readTickets: async (orderId) => {
      const result = await pool.query<StoredTicket>(
        'select id, ordinal, code, event_id as "eventId" from tickets where order_id = $1 order by ordinal',
        [orderId],
      );
      return result.rows;
    },
    drop: async () => {
      await store.close().catch(() => undefined);
      await Promise.all(others.map((other) => other.close().catch(() => undefined)));
      const admin = new pg.Client({ connectionString: postgresServer() });
      await admin.connect();
      try {
        await admin.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await admin.end();
      }
    },
  };
}

export function testSpannerLocation(database: string): SpannerLocation {
  return {
    projectId: 'frequency-test',
    instance: 'frequency-test',
    database,
    emulatorHost: process.env.SPANNER_EMULATOR_HOST ?? inject('spannerEmulatorHost'),
  };
}

/** A fresh emulator database with spanner/schema.sql applied; drop() deletes it. */
export async function freshSpannerStore(): Promise<
  FreshStore<SpannerStore> & { location: SpannerLocation }
> {
  const location = testSpannerLocation(uniqueDatabaseName());
  await applySpannerSchema(location);
  const store = SpannerStore.open(location, { maxSessions: 10 });
  const spanner = createSpannerClient(location);
  const database = spanner
    .instance(location.instance)
    .database(location.database, { min: 1, max: 4 });
  const others: SpannerStore[] = [];
  return {
    store,
    location,
    openAnother: () => {
      const other = SpannerStore.open(location, { maxSessions: 4 });
      others.push(other);
      return other;
    },
    readTickets: async (orderId) => {
      const [rows] = await database.run({
        sql: 'SELECT id, ordinal, code, event_id AS eventId FROM tickets WHERE order_id = @orderId ORDER BY ordinal',
        params: { orderId },
        json: true,
      });
      return rows as StoredTicket[];
    },
    drop: async () => {
      await store.close().catch(() => undefined);
      await Promise.all(others.map((other) => other.close().catch(() => undefined)));
      await database.close().catch(() => undefined);
      await spanner.close();
      await dropSpannerDatabase(location);
    },
  };
}
