import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createSpannerClient } from '../src/spanner-admin.js';
import { SpannerStore } from '../src/spanner-store.js';
import { freshSpannerStore, testSpannerLocation } from './fresh-stores.js';
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
