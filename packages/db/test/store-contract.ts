import { newId, newTicketCode, type PurchaseIntent } from '@frequency/contracts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { OrderStore, PersistResult } from '../src/store.js';

export interface StoredEvent {
  name: string;
  venue: string;
  ticketsTotal: number;
  maxPerOrder: number;
  opensAt: Date;
  createdAt: Date;
}

export interface StoredTicket {
  id: string;
  ordinal: number;
  code: string;
  eventId: string;
}

/**
 * A store on a database of its own, plus two raw reads (outside the interface, which has no
 * getters) so the contract can check what was written, not only what persist() reported.
 */
export interface FreshStore<S extends OrderStore = OrderStore> {
  store: S;
  readEvent(id: string): Promise<StoredEvent | undefined>;
  readTickets(orderId: string): Promise<StoredTicket[]>;
  drop(): Promise<void>;
}

let eventCounter = 0;
/** A fresh event id per test, so reconciliation counts of one test never include another's rows. */
export function freshEventId(): string {
  eventCounter += 1;
  return `ev-${Date.now().toString(36)}-${eventCounter}`;
}

export function makeIntent(
  eventId: string,
  quantity = 2,
  overrides: Partial<PurchaseIntent> = {},
): PurchaseIntent {
  return {
    v: 1,
    orderId: newId('order'),
    eventId,
    admissionId: newId('admission'),
    entryId: newId('queueEntry'),
    quantity,
    buyer: { name: 'Ada Lovelace', email: 'ada@example.com' },
    tickets: Array.from({ length: quantity }, () => ({
      id: newId('ticket'),
      code: newTicketCode(),
    })),
    reservedAt: '2030-06-01T10:00:00.123+02:00',
    ...overrides,
  };
}

/** What the worker does: a transient failure is retried (a nack), anything else is final. */
async function persistRetryingTransient(
  store: OrderStore,
  batch: readonly PurchaseIntent[],
): Promise<PersistResult> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await store.persist(batch);
    } catch (err) {
      if (!store.isTransientError(err) || attempt >= 5) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}

const ticketsOf = (intents: readonly PurchaseIntent[]) =>
  intents.reduce((sum, intent) => sum + intent.quantity, 0);

/**
 * The behaviour every OrderStore must have, run against each implementation by its own test file.
 * `openFreshStore` is called once per file and must give a store on an empty database.
 */
export function describeStoreContract(
  name: string,
  openFreshStore: () => Promise<FreshStore>,
): void {
  describe(`OrderStore contract: ${name}`, () => {
    let fresh: FreshStore;
    let store: OrderStore;

    beforeAll(async () => {
      fresh = await openFreshStore();
      store = fresh.store;
    });

    afterAll(async () => {
      await fresh.drop();
    });

    test('answers ping on a reachable database', async () => {
      await expect(store.ping()).resolves.toBeUndefined();
    });

    test('persists a batch of new orders with one ticket row per unit, in ticket order', async () => {
      const eventId = freshEventId();
      const batch = [makeIntent(eventId, 1), makeIntent(eventId, 3), makeIntent(eventId, 2)];

      const result = await store.persist(batch);

      expect(result).toEqual({ ordersInserted: 3, ticketsInserted: 6, duplicates: 0 });
      expect(await store.ticketsPersisted(eventId)).toBe(6);
      const second = batch[1];
      if (!second) throw new Error('batch has three orders');
      const stored = await fresh.readTickets(second.orderId);
      expect(
        stored.map((t) => ({ id: t.id, code: t.code, ordinal: t.ordinal, eventId: t.eventId })),
      ).toEqual(second.tickets.map((t, ordinal) => ({ id: t.id, code: t.code, ordinal, eventId })));
    });

    test('changes nothing when the same batch is delivered again', async () => {
      const eventId = freshEventId();
      const batch = [makeIntent(eventId, 2), makeIntent(eventId, 4)];
      await store.persist(batch);

      const replay = await store.persist(batch);

      expect(replay).toEqual({ ordersInserted: 0, ticketsInserted: 0, duplicates: 2 });
      expect(await store.ticketsPersisted(eventId)).toBe(6);
    });

    test('writes only the new orders of a batch that replays part of an earlier one', async () => {
      const eventId = freshEventId();
      const first = [makeIntent(eventId, 1), makeIntent(eventId, 2), makeIntent(eventId, 3)];
      await store.persist(first);
      const newcomers = [makeIntent(eventId, 4), makeIntent(eventId, 5)];

      const result = await store.persist([...first.slice(1), ...newcomers]);

      expect(result).toEqual({ ordersInserted: 2, ticketsInserted: 9, duplicates: 2 });
      expect(await store.ticketsPersisted(eventId)).toBe(ticketsOf([...first, ...newcomers]));
    });

    test('stores an order once when it appears twice in one batch', async () => {
      const eventId = freshEventId();
      const intent = makeIntent(eventId, 3);

      const result = await store.persist([intent, intent, makeIntent(eventId, 1)]);

      expect(result).toEqual({ ordersInserted: 2, ticketsInserted: 4, duplicates: 1 });
      expect(await store.ticketsPersisted(eventId)).toBe(4);
    });

    test('skips a second order for an admission that already has one, in the same or a later batch', async () => {
      const eventId = freshEventId();
      const original = makeIntent(eventId, 2);
      // Same quantity: which of two orders of one admission in one batch wins is the store's choice.
      const sameBatch = makeIntent(eventId, 2, { admissionId: original.admissionId });

      const first = await store.persist([original, sameBatch]);
      const later = await store.persist([
        makeIntent(eventId, 4, { admissionId: original.admissionId }),
        makeIntent(eventId, 1),
      ]);

      expect(first).toEqual({ ordersInserted: 1, ticketsInserted: 2, duplicates: 1 });
      expect(later).toEqual({ ordersInserted: 1, ticketsInserted: 1, duplicates: 1 });
      expect(await store.auditEvent(eventId)).toMatchObject({ orders: 2, tickets: 3 });
    });

    test('stores every order exactly once when concurrent batches overlap, retrying only transient errors', async () => {
      const eventId = freshEventId();
      const shared = Array.from({ length: 10 }, () => makeIntent(eventId, 2));
      // The shared orders in a different order in each batch: the worst case for row locks.
      const batches = [
        shared,
        [...shared].reverse(),
        [...shared.slice(5), ...shared.slice(0, 5)],
      ].map((overlap) => [...Array.from({ length: 10 }, () => makeIntent(eventId, 1)), ...overlap]);

      const results = await Promise.all(
        batches.map((batch) => persistRetryingTransient(store, batch)),
      );

      const unique = [...shared, ...batches.flatMap((batch) => batch.slice(0, 10))];
      expect(results.reduce((sum, r) => sum + r.ordersInserted, 0)).toBe(unique.length);
      expect(results.reduce((sum, r) => sum + r.ticketsInserted, 0)).toBe(ticketsOf(unique));
      expect(results.reduce((sum, r) => sum + r.duplicates, 0)).toBe(
        batches.length * 20 - unique.length,
      );
      expect(await store.ticketsPersisted(eventId)).toBe(ticketsOf(unique));
    });

    test('counts persisted tickets per event, and zero for an event without orders', async () => {
      const [a, b] = [freshEventId(), freshEventId()];
      await store.persist([makeIntent(a, 3), makeIntent(b, 2), makeIntent(a, 5)]);

      expect(await store.ticketsPersisted(a)).toBe(8);
      expect(await store.ticketsPersisted(b)).toBe(2);
      expect(await store.ticketsPersisted(freshEventId())).toBe(0);
    });

    test('audits an event: orders, tickets ordered, ticket rows and distinct codes', async () => {
      const eventId = freshEventId();
      const batch = [makeIntent(eventId, 3), makeIntent(eventId, 1), makeIntent(eventId, 4)];
      await store.persist(batch);
      await store.persist(batch.slice(1));

      expect(await store.auditEvent(eventId)).toEqual({
        orders: 3,
        ticketsOrdered: 8,
        tickets: 8,
        distinctCodes: 8,
      });
      expect(await store.auditEvent(freshEventId())).toEqual({
        orders: 0,
        ticketsOrdered: 0,
        tickets: 0,
        distinctCodes: 0,
      });
    });

    test('reports an empty batch as nothing written', async () => {
      await expect(store.persist([])).resolves.toEqual({
        ordersInserted: 0,
        ticketsInserted: 0,
        duplicates: 0,
      });
    });

    test('rejects a batch with an invalid order whole, as a permanent error', async () => {
      const eventId = freshEventId();
      const valid = makeIntent(eventId, 2);
      const invalid = { ...makeIntent(eventId, 1), quantity: 0 };

      const error: unknown = await store.persist([valid, invalid]).then(
        () => undefined,
        (err: unknown) => err,
      );

      expect(error).toBeInstanceOf(Error);
      expect(store.isTransientError(error)).toBe(false);
      expect(await store.ticketsPersisted(eventId)).toBe(0);
      // The valid order was not half-written: it goes in whole once the batch is fixed.
      expect(await store.persist([valid])).toEqual({
        ordersInserted: 1,
        ticketsInserted: 2,
        duplicates: 0,
      });
    });

    test('does not call an error transient unless it says so', () => {
      expect(store.isTransientError(new Error('constraint violated'))).toBe(false);
      expect(store.isTransientError('ECONNRESET')).toBe(false);
      expect(store.isTransientError(null)).toBe(false);
    });

    test('creates an event, then updates its descriptive fields and keeps its creation time', async () => {
      const id = freshEventId();
      // In the past: Spanner refuses a commit-timestamp column value later than the commit.
      const createdAt = new Date('2025-01-01T00:00:00.000Z');
      await store.upsertEvent({
        id,
        name: 'Frequency',
        venue: 'Old Hall',
        ticketsTotal: 1_000,
        maxPerOrder: 4,
        opensAt: new Date('2030-06-01T08:00:00.000Z'),
        createdAt,
      });
      await store.upsertEvent({
        id,
        name: 'Frequency Festival',
        venue: 'Green Park',
        ticketsTotal: 1_000_000,
        maxPerOrder: 6,
        opensAt: new Date('2030-06-01T09:00:00.000Z'),
      });

      const stored = await fresh.readEvent(id);

      expect(stored).toMatchObject({
        name: 'Frequency Festival',
        venue: 'Green Park',
        ticketsTotal: 1_000_000,
        maxPerOrder: 6,
      });
      expect(stored?.opensAt.getTime()).toBe(Date.parse('2030-06-01T09:00:00.000Z'));
      expect(stored?.createdAt.getTime()).toBe(createdAt.getTime());
    });

    test('rejects an event that breaks a check constraint, permanently', async () => {
      const error: unknown = await store
        .upsertEvent({
          id: freshEventId(),
          name: 'n',
          venue: 'v',
          ticketsTotal: 0,
          maxPerOrder: 1,
          opensAt: new Date(),
        })
        .then(
          () => undefined,
          (err: unknown) => err,
        );

      expect(error).toBeInstanceOf(Error);
      expect(store.isTransientError(error)).toBe(false);
    });
  });
}
