import { fileURLToPath } from 'node:url';
import { newId } from '@frequency/contracts';
import { Spanner } from '@google-cloud/spanner';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  applySpannerSchema,
  createSpannerClient,
  dropSpannerDatabase,
} from '../src/spanner-admin.js';
import { loadSpannerDdl } from '../src/spanner-ddl.js';
import { SpannerStore } from '../src/spanner-store.js';
import { freshSpannerStore, testSpannerLocation, uniqueDatabaseName } from './fresh-stores.js';
import { describeStoreContract, freshEventId, makeIntent } from './store-contract.js';

describeStoreContract('spanner', freshSpannerStore);

describe('SpannerStore specifics', () => {
  let fresh: Awaited<ReturnType<typeof freshSpannerStore>>;

  beforeAll(async () => {
    fresh = await freshSpannerStore();
  });

  afterAll(async () => {
    await fresh.drop();
  });

  test('keeps the reservation instant of an offset timestamp and stamps the commit time', async () => {
    const eventId = freshEventId();
    const intent = makeIntent(eventId, 1, { reservedAt: '2030-06-01T10:00:00.123456+02:00' });
    const before = Date.now();
    await fresh.store.persist([intent]);

    const spanner = createSpannerClient(fresh.location);
    const database = spanner.instance(fresh.location.instance).database(fresh.location.database);
    try {
      const [rows] = await database.run({
        sql: 'SELECT FORMAT_TIMESTAMP("%Y-%m-%dT%H:%M:%E6SZ", reserved_at, "UTC") AS reservedAt, persisted_at AS persistedAt, status FROM orders WHERE id = @id',
        params: { id: intent.orderId },
        json: true,
      });
      const row = rows[0] as { reservedAt: string; persistedAt: Date; status: string } | undefined;
      expect(row?.reservedAt).toBe('2030-06-01T08:00:00.123456Z');
      expect(row?.status).toBe('confirmed');
      expect(row?.persistedAt.getTime()).toBeGreaterThanOrEqual(before - 1_000);
    } finally {
      await database.close();
      await spanner.close();
    }
  });

  test('calls contention, overload, deadline and unavailability transient, constraint errors not', () => {
    const { store } = fresh;
    const grpcError = (code: number, message = 'x') => Object.assign(new Error(message), { code });
    expect(store.isTransientError(grpcError(10))).toBe(true); // ABORTED
    expect(store.isTransientError(grpcError(14))).toBe(true); // UNAVAILABLE
    expect(store.isTransientError(grpcError(4))).toBe(true); // DEADLINE_EXCEEDED
    expect(store.isTransientError(grpcError(8))).toBe(true); // RESOURCE_EXHAUSTED
    expect(store.isTransientError(grpcError(5, 'Session not found: projects/p/sessions/s'))).toBe(
      true,
    );
    expect(store.isTransientError(grpcError(5, 'Database not found'))).toBe(false);
    expect(store.isTransientError(grpcError(6))).toBe(false); // ALREADY_EXISTS that survived the retry
    expect(store.isTransientError(grpcError(11))).toBe(false); // OUT_OF_RANGE: a check constraint
  });

  test('calls data errors invalid and anything else permanent', () => {
    const { store } = fresh;
    const grpcError = (code: number, message = 'x') => Object.assign(new Error(message), { code });
    expect(store.classifyError(grpcError(3))).toBe('invalid'); // INVALID_ARGUMENT
    expect(store.classifyError(grpcError(9))).toBe('invalid'); // FAILED_PRECONDITION: NOT NULL
    expect(store.classifyError(grpcError(11))).toBe('invalid'); // OUT_OF_RANGE: a check constraint
    expect(store.classifyError(grpcError(6))).toBe('permanent'); // ALREADY_EXISTS: a reused code
    expect(store.classifyError(grpcError(5, 'Database not found'))).toBe('permanent');
    expect(store.classifyError(grpcError(10))).toBe('transient');
  });

  test('refuses in the database itself an inventory beyond its total', async () => {
    const eventId = freshEventId();
    await fresh.store.persist([makeIntent(eventId, 2, { ticketsTotal: 3 })]);
    const spanner = createSpannerClient(fresh.location);
    const database = spanner.instance(fresh.location.instance).database(fresh.location.database);
    try {
      const error: unknown = await database
        .runTransactionAsync(async (tx) => {
          tx.update('event_inventory', { event_id: eventId, tickets_sold: 4 });
          await tx.commit();
        })
        .then(
          () => undefined,
          (err: unknown) => err,
        );

      expect(error).toMatchObject({ code: 11 });
      expect(String(error)).toMatch(/event_inventory_sold_within_total/);
      expect(fresh.store.classifyError(error)).toBe('invalid');
    } finally {
      await database.close();
      await spanner.close();
    }
  });

  test('fails a reused ticket code for a new order permanently instead of dropping the ticket', async () => {
    const eventId = freshEventId();
    const first = makeIntent(eventId, 1);
    await fresh.store.persist([first]);
    const reuse = makeIntent(eventId, 1);
    const firstTicket = first.tickets[0];
    const reuseTicket = reuse.tickets[0];
    if (!firstTicket || !reuseTicket) throw new Error('one ticket each');
    reuse.tickets = [{ id: reuseTicket.id, code: firstTicket.code }];

    const error: unknown = await fresh.store.persist([reuse]).then(
      () => undefined,
      (err: unknown) => err,
    );

    expect(error).toMatchObject({ code: 6 });
    expect(fresh.store.isTransientError(error)).toBe(false);
    expect(await fresh.store.ticketsPersisted(eventId)).toBe(1);
  });

  test('fails ping within its bound when nothing answers', async () => {
    const store = SpannerStore.open(
      { ...testSpannerLocation('nowhere'), emulatorHost: '127.0.0.1:1' },
      { pingTimeoutMs: 300 },
    );
    try {
      await expect(store.ping()).rejects.toThrow(
        /did not answer within 300 ms|UNAVAILABLE|ECONNREFUSED/,
      );
    } finally {
      await store.close();
    }
  });
});

describe('spanner:apply on a database from before the ledger', () => {
  const location = testSpannerLocation(uniqueDatabaseName());
  let store: SpannerStore | undefined;

  afterAll(async () => {
    await store?.close();
    await dropSpannerDatabase(location);
  });

  test('adds the new columns with their defaults and the new checks, keeps the rows, and applies nothing more the second time', async () => {
    const before = loadSpannerDdl(
      fileURLToPath(new URL('./fixtures/spanner-schema-before-ledger.sql', import.meta.url)),
    );
    await applySpannerSchema(location, before);
    const legacy = makeIntent('ev-legacy', 3);
    const spanner = createSpannerClient(location);
    const database = spanner.instance(location.instance).database(location.database);
    try {
      await database.runTransactionAsync(async (tx) => {
        tx.insert('events', {
          id: 'ev-legacy',
          name: 'Legacy',
          venue: 'Hall',
          tickets_total: 5,
          max_per_order: 3,
          opens_at: '2030-01-01T00:00:00Z',
          created_at: Spanner.COMMIT_TIMESTAMP,
        });
        tx.insert('orders', {
          id: legacy.orderId,
          event_id: 'ev-legacy',
          admission_id: legacy.admissionId,
          entry_id: legacy.entryId,
          quantity: 3,
          buyer_name: 'A',
          buyer_email: 'a@example.com',
          status: 'confirmed',
          reserved_at: '2030-01-01T00:00:00Z',
          persisted_at: Spanner.COMMIT_TIMESTAMP,
        });
        tx.insert(
          'tickets',
          legacy.tickets.map((t, ordinal) => ({
            order_id: legacy.orderId,
            ordinal,
            id: t.id,
            event_id: 'ev-legacy',
            code: t.code,
          })),
        );
        await tx.commit();
      });
    } finally {
      await database.close();
      await spanner.close();
    }

    const upgrade = await applySpannerSchema(location);
    const again = await applySpannerSchema(location);

    expect(upgrade.applied).toEqual(
      expect.arrayContaining([
        'ALTER TABLE events ADD COLUMN version INT64 NOT NULL DEFAULT (0)',
        'ALTER TABLE orders ADD COLUMN reason STRING(MAX)',
        expect.stringMatching(/^CREATE TABLE event_inventory /),
        expect.stringMatching(/^ALTER TABLE orders ADD CONSTRAINT orders_status_reason CHECK/),
      ]),
    );
    expect(again.applied).toEqual([]);
    store = SpannerStore.open(location, { maxSessions: 4 });
    expect(await store.readEvent('ev-legacy')).toMatchObject({
      event: { name: 'Legacy', paused: false, joinChallengeBits: 0, checkoutWindowSeconds: 300 },
      version: 0,
      shuffle: null,
    });
    // No inventory row yet: the next order creates it from the events row, counting the 3 tickets.
    const [first, second] = [newId('order'), newId('order')].sort();
    const fits = makeIntent('ev-legacy', 2, { orderId: first, ticketsTotal: undefined });
    const over = makeIntent('ev-legacy', 1, { orderId: second, ticketsTotal: undefined });
    expect((await store.persist([fits, over])).outcomes).toEqual([
      { orderId: fits.orderId, status: 'confirmed', written: true },
      { orderId: over.orderId, status: 'rejected', reason: 'SOLD_OUT', written: true },
    ]);
    expect(await store.auditEvent('ev-legacy')).toMatchObject({ tickets: 5, ledgerSold: 5 });
  });
});
