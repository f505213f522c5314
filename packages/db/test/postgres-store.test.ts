import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newId } from '@frequency/contracts';
import { drizzle } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureDatabase, migrationsFolder, runMigrations } from '../src/migrate.js';
import { PostgresStore } from '../src/postgres-store.js';
import { freshPostgresStore, uniqueDatabaseName } from './fresh-stores.js';
import { describeStoreContract, freshEventId, makeIntent } from './store-contract.js';

describeStoreContract('postgres', freshPostgresStore);

const postgresServer = () =>
  process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

describe('PostgresStore errors', () => {
  test('calls serialization, deadlock, timeout and connection failures transient', () => {
    const store = PostgresStore.open('postgres://postgres@127.0.0.1:1/none');
    expect(store.isTransientError({ code: '40001' })).toBe(true);
    expect(store.isTransientError({ code: '40P01' })).toBe(true);
    expect(store.isTransientError({ code: '57014' })).toBe(true);
    expect(store.isTransientError({ code: 'ECONNREFUSED' })).toBe(true);
    expect(store.isTransientError({ code: '23505' })).toBe(false);
    return store.close();
  });

  describe('against the database', () => {
    let fresh: Awaited<ReturnType<typeof freshPostgresStore>>;

    beforeAll(async () => {
      fresh = await freshPostgresStore();
    });

    afterAll(async () => {
      await fresh.drop();
    });

    test('calls the error of a NUL byte in a buyer name invalid, and records the order rejected without the buyer', async () => {
      const eventId = freshEventId();
      const intent = makeIntent(eventId, 2, {
        buyer: { name: 'Ada\u0000', email: 'ada@example.com' },
      });

      const error: unknown = await fresh.store.persist([intent]).then(
        () => undefined,
        (err: unknown) => err,
      );

      expect(error).toBeInstanceOf(Error);
      expect(fresh.store.classifyError(error)).toBe('invalid');
      expect(await fresh.store.recordRejected([{ intent, reason: 'INVALID' }])).toEqual([
        { orderId: intent.orderId, status: 'rejected', reason: 'INVALID', written: true },
      ]);
      // A redelivery is refused again the same way, and recording it again answers the stored row.
      await expect(fresh.store.persist([intent])).rejects.toThrow(/Failed query/);
      expect(await fresh.store.recordRejected([{ intent, reason: 'INVALID' }])).toEqual([
        { orderId: intent.orderId, status: 'rejected', reason: 'INVALID', written: false },
      ]);
      expect(await fresh.store.pageOrders(eventId, null, 10)).toMatchObject([
        { orderId: intent.orderId, buyerEmail: '', status: 'rejected', tickets: [] },
      ]);
    });

    test('refuses in the database itself an inventory beyond its total', async () => {
      const eventId = freshEventId();
      await fresh.store.persist([makeIntent(eventId, 2, { ticketsTotal: 3 })]);

      const error: unknown = await fresh.store.database.pool
        .query('update event_inventory set tickets_sold = tickets_sold + 2 where event_id = $1', [
          eventId,
        ])
        .then(
          () => undefined,
          (err: unknown) => err,
        );

      expect(error).toMatchObject({
        code: '23514',
        constraint: 'event_inventory_sold_within_total',
      });
    });
  });
});

describe('migration of a ledger stored before it kept definitions and inventory', () => {
  const name = uniqueDatabaseName();
  const url = new URL(postgresServer());
  url.pathname = `/${name}`;
  let store: PostgresStore | undefined;

  afterAll(async () => {
    await store?.close();
    const admin = new pg.Client({ connectionString: postgresServer() });
    await admin.connect();
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  });

  test('fills the new columns with defaults, and counts existing tickets into the inventory', async () => {
    // The first migration alone, from a copy of the folder whose journal lists only it.
    const firstOnly = mkdtempSync(join(tmpdir(), 'migrations-'));
    cpSync(migrationsFolder, firstOnly, { recursive: true });
    const journalFile = join(firstOnly, 'meta', '_journal.json');
    const journal = JSON.parse(readFileSync(journalFile, 'utf8')) as { entries: unknown[] };
    writeFileSync(
      journalFile,
      JSON.stringify({ ...journal, entries: journal.entries.slice(0, 1) }),
    );
    await ensureDatabase(url.toString());
    const pool = new pg.Pool({ connectionString: url.toString(), max: 1 });
    try {
      await migrate(drizzle(pool), { migrationsFolder: firstOnly });
      await pool.query(
        `insert into events (id, name, venue, tickets_total, max_per_order, opens_at)
         values ('ev-legacy', 'Legacy', 'Hall', 10, 3, '2030-01-01T00:00:00Z')`,
      );
      // Orders of ev-legacy (4 tickets) and of ev-orphan (3 tickets), which has no events row.
      for (const [eventId, quantities] of [
        ['ev-legacy', [1, 3]],
        ['ev-orphan', [3]],
      ] as const) {
        for (const quantity of quantities) {
          const intent = makeIntent(eventId, quantity);
          await pool.query(
            `insert into orders (id, event_id, admission_id, entry_id, quantity, buyer_name, buyer_email, status, reserved_at)
             values ($1, $2, $3, $4, $5, 'A', 'a@example.com', 'confirmed', now())`,
            [intent.orderId, eventId, intent.admissionId, intent.entryId, quantity],
          );
          for (const [ordinal, ticket] of intent.tickets.entries()) {
            await pool.query(
              'insert into tickets (id, order_id, event_id, ordinal, code) values ($1, $2, $3, $4, $5)',
              [ticket.id, intent.orderId, eventId, ordinal, ticket.code],
            );
          }
        }
      }
    } finally {
      await pool.end();
      rmSync(firstOnly, { recursive: true, force: true });
    }

    await runMigrations(url.toString());
    store = PostgresStore.open(url.toString(), 2);

    expect(await store.readEvent('ev-legacy')).toEqual({
      event: {
        id: 'ev-legacy',
        name: 'Legacy',
        venue: 'Hall',
        ticketsTotal: 10,
        maxPerOrder: 3,
        opensAt: '2030-01-01T00:00:00.000Z',
        admissionRatePerSecond: 0,
        maxActiveCheckouts: 1,
        paused: false,
        joinChallengeBits: 0,
        maxPerBuyer: 3,
        checkoutWindowSeconds: 300,
      },
      version: 0,
      shuffle: null,
      ticketsTotal: 10,
      ticketsSold: 4,
    });
    // The orphan's inventory is created by its next order, counting the 3 tickets it already holds.
    const [first, second] = [newId('order'), newId('order')].sort();
    const fits = makeIntent('ev-orphan', 2, { ticketsTotal: 5, orderId: first });
    const over = makeIntent('ev-orphan', 1, { ticketsTotal: 5, orderId: second });
    const result = await store.persist([fits, over]);
    expect(result.outcomes).toEqual([
      { orderId: fits.orderId, status: 'confirmed', written: true },
      { orderId: over.orderId, status: 'rejected', reason: 'SOLD_OUT', written: true },
    ]);
    expect(await store.auditEvent('ev-orphan')).toMatchObject({ tickets: 5, ledgerSold: 5 });
  });
});
