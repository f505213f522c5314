import {
  newId,
  newTicketCode,
  type EventDefinition,
  type PurchaseIntent,
} from '@frequency/contracts';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  EventNotInLedgerError,
  type OrderOutcome,
  type OrderStore,
  type PersistResult,
} from '../src/store.js';

export interface StoredTicket {
  id: string;
  ordinal: number;
  code: string;
  eventId: string;
}

/**
 * A store on a database of its own, plus a raw read (outside the interface) so the contract can
 * check what was written, not only what persist() reported, and more stores on the same database
 * (other connections, as other worker replicas have).
 */
export interface FreshStore<S extends OrderStore = OrderStore> {
  store: S;
  openAnother(): OrderStore;
  readTickets(orderId: string): Promise<StoredTicket[]>;
  drop(): Promise<void>;
}

let eventCounter = 0;
/** A fresh event id per test, so reconciliation counts of one test never include another's rows. */
export function freshEventId(): string {
  eventCounter += 1;
  return `ev-${Date.now().toString(36)}-${eventCounter}`;
}

/** An intent that carries its event's ticketsTotal (100,000 unless given), as checkout sends it. */
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
    ticketsTotal: 100_000,
    ...overrides,
  };
}

export function makeDefinition(
  eventId: string,
  version: number,
  overrides: Partial<EventDefinition['event']> = {},
): EventDefinition {
  return {
    v: 1,
    event: {
      id: eventId,
      name: 'Frequency Festival',
      venue: 'Green Park',
      ticketsTotal: 1_000,
      maxPerOrder: 4,
      opensAt: '2030-06-01T08:00:00.000Z',
      admissionRatePerSecond: 12.5,
      maxActiveCheckouts: 500,
      paused: false,
      joinChallengeBits: 0,
      maxPerBuyer: 4,
      checkoutWindowSeconds: 300,
      ...overrides,
    },
    version,
    shuffle: { seed: `seed-${version}`, commitment: `commitment-${version}` },
    changedAt: '2030-05-01T08:00:00.000Z',
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
      if (!store.isTransientError(err) || attempt >= 10) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}

/**
 * Concurrent batches on one event contend for its inventory row; the Spanner emulator runs one
 * read-write transaction at a time and aborts the others, which the client retries with backoff.
 */
const concurrentTimeoutMs = 120_000;

const ticketsOf = (intents: readonly PurchaseIntent[]) =>
  intents.reduce((sum, intent) => sum + intent.quantity, 0);

const confirmedWritten = (intents: readonly PurchaseIntent[]): OrderOutcome[] =>
  intents.map((i) => ({ orderId: i.orderId, status: 'confirmed', written: true }));

const byOrderId = (outcomes: readonly OrderOutcome[]) =>
  [...outcomes].sort((a, b) => (a.orderId < b.orderId ? -1 : 1));

async function caught(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => undefined,
    (err: unknown) => err,
  );
}

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

    describe('persist', () => {
      test('confirms a batch of new orders with one ticket row per unit, in ticket order', async () => {
        const eventId = freshEventId();
        const batch = [makeIntent(eventId, 1), makeIntent(eventId, 3), makeIntent(eventId, 2)];

        const result = await store.persist(batch);

        expect(result.ordersInserted).toBe(3);
        expect(result.ticketsInserted).toBe(6);
        expect(result.outcomes).toEqual(byOrderId(confirmedWritten(batch)));
        expect(await store.ticketsPersisted(eventId)).toBe(6);
        const second = batch[1];
        if (!second) throw new Error('batch has three orders');
        const stored = await fresh.readTickets(second.orderId);
        expect(
          stored.map((t) => ({ id: t.id, code: t.code, ordinal: t.ordinal, eventId: t.eventId })),
        ).toEqual(
          second.tickets.map((t, ordinal) => ({ id: t.id, code: t.code, ordinal, eventId })),
        );
      });

      test('changes nothing when the same batch is delivered again, and answers the stored status', async () => {
        const eventId = freshEventId();
        const batch = [makeIntent(eventId, 2), makeIntent(eventId, 4)];
        await store.persist(batch);

        const replay = await store.persist(batch);

        expect(replay).toEqual({
          outcomes: byOrderId(
            batch.map((i) => ({ orderId: i.orderId, status: 'confirmed', written: false })),
          ),
          ordersInserted: 0,
          ticketsInserted: 0,
        });
        expect(await store.ticketsPersisted(eventId)).toBe(6);
        expect(await store.auditEvent(eventId)).toMatchObject({ ledgerSold: 6, tickets: 6 });
      });

      test('writes only the new orders of a batch that replays part of an earlier one', async () => {
        const eventId = freshEventId();
        const first = [makeIntent(eventId, 1), makeIntent(eventId, 2), makeIntent(eventId, 3)];
        await store.persist(first);
        const newcomers = [makeIntent(eventId, 4), makeIntent(eventId, 5)];

        const result = await store.persist([...first.slice(1), ...newcomers]);

        expect(result.ordersInserted).toBe(2);
        expect(result.ticketsInserted).toBe(9);
        expect(result.outcomes).toEqual(
          byOrderId([
            ...first
              .slice(1)
              .map((i) => ({ orderId: i.orderId, status: 'confirmed' as const, written: false })),
            ...confirmedWritten(newcomers),
          ]),
        );
        expect(await store.ticketsPersisted(eventId)).toBe(ticketsOf([...first, ...newcomers]));
      });

      test('answers once for an order that appears twice in one batch', async () => {
        const eventId = freshEventId();
        const intent = makeIntent(eventId, 3);
        const other = makeIntent(eventId, 1);

        const result = await store.persist([intent, intent, other]);

        expect(result.outcomes).toEqual(byOrderId(confirmedWritten([intent, other])));
        expect(result.ticketsInserted).toBe(4);
        expect(await store.ticketsPersisted(eventId)).toBe(4);
      });

      test('calls a second order id of an admission a conflict, in the same or a later batch', async () => {
        const eventId = freshEventId();
        const [original, sameBatch] = [makeIntent(eventId, 2), makeIntent(eventId, 2)].sort(
          (a, b) => (a.orderId < b.orderId ? -1 : 1),
        );
        if (!original || !sameBatch) throw new Error('two intents');
        sameBatch.admissionId = original.admissionId;
        const later = makeIntent(eventId, 4, { admissionId: original.admissionId });
        const unrelated = makeIntent(eventId, 1);

        const first = await store.persist([sameBatch, original]);
        const second = await store.persist([later, unrelated]);

        // The lower order id of one admission in one batch wins.
        expect(first.outcomes).toEqual([
          { orderId: original.orderId, status: 'confirmed', written: true },
          { orderId: sameBatch.orderId, status: 'conflict' },
        ]);
        expect(second.outcomes).toEqual(
          byOrderId([
            { orderId: later.orderId, status: 'conflict' },
            { orderId: unrelated.orderId, status: 'confirmed', written: true },
          ]),
        );
        expect(await store.auditEvent(eventId)).toMatchObject({
          orders: 2,
          tickets: 3,
          ledgerSold: 3,
        });
      });

      test(
        'stores every order exactly once when concurrent batches overlap, retrying only transient errors',
        async () => {
          const eventId = freshEventId();
          const shared = Array.from({ length: 10 }, () => makeIntent(eventId, 2));
          // The shared orders in a different order in each batch: the worst case for row locks.
          const batches = [
            shared,
            [...shared].reverse(),
            [...shared.slice(5), ...shared.slice(0, 5)],
          ].map((overlap) => [
            ...Array.from({ length: 10 }, () => makeIntent(eventId, 1)),
            ...overlap,
          ]);
          const stores = [store, fresh.openAnother(), fresh.openAnother()];

          const results = await Promise.all(
            batches.map((batch, i) => persistRetryingTransient(stores[i] ?? store, batch)),
          );

          const unique = [...shared, ...batches.flatMap((batch) => batch.slice(0, 10))];
          expect(results.reduce((sum, r) => sum + r.ordersInserted, 0)).toBe(unique.length);
          expect(results.reduce((sum, r) => sum + r.ticketsInserted, 0)).toBe(ticketsOf(unique));
          const written = results.flatMap((r) =>
            r.outcomes.filter((o) => o.status === 'confirmed' && o.written).map((o) => o.orderId),
          );
          expect(new Set(written).size).toBe(unique.length);
          expect(results.every((r) => r.outcomes.every((o) => o.status === 'confirmed'))).toBe(
            true,
          );
          expect(await store.ticketsPersisted(eventId)).toBe(ticketsOf(unique));
          expect(await store.auditEvent(eventId)).toMatchObject({ ledgerSold: ticketsOf(unique) });
        },
        concurrentTimeoutMs,
      );

      test('reports an empty batch as nothing written', async () => {
        await expect(store.persist([])).resolves.toEqual({
          outcomes: [],
          ordersInserted: 0,
          ticketsInserted: 0,
        });
      });

      test('refuses a batch with an invalid order whole, and calls the error invalid', async () => {
        const eventId = freshEventId();
        const valid = makeIntent(eventId, 2);
        // Breaks orders_quantity_positive in the database itself.
        const invalid = { ...makeIntent(eventId, 1), quantity: 0, tickets: [] };

        const error = await caught(store.persist([valid, invalid]));

        expect(error).toBeInstanceOf(Error);
        expect(store.classifyError(error)).toBe('invalid');
        expect(store.isTransientError(error)).toBe(false);
        expect(await store.ticketsPersisted(eventId)).toBe(0);
        expect(await store.auditEvent(eventId)).toMatchObject({ orders: 0, ledgerSold: 0 });
        // The valid order was not half-written: it goes in whole once the batch is fixed.
        expect((await store.persist([valid])).outcomes).toEqual(confirmedWritten([valid]));
      });
    });

    describe('the cap', () => {
      test('confirms what fits, rejects the rest as SOLD_OUT in order-id order, and a replay answers the same', async () => {
        const eventId = freshEventId();
        const ticketsTotal = 10;
        const fill = [
          makeIntent(eventId, 4, { ticketsTotal }),
          makeIntent(eventId, 4, { ticketsTotal }),
        ];
        expect((await store.persist(fill)).outcomes).toEqual(byOrderId(confirmedWritten(fill)));
        const rest = [1, 3, 1, 2].map((q) => makeIntent(eventId, q, { ticketsTotal }));

        const result = await store.persist(rest);

        // 2 tickets left, allocated in order-id order.
        let left = 2;
        const expected = byOrderId(
          [...rest]
            .sort((a, b) => (a.orderId < b.orderId ? -1 : 1))
            .map((i): OrderOutcome => {
              if (i.quantity <= left) {
                left -= i.quantity;
                return { orderId: i.orderId, status: 'confirmed', written: true };
              }
              return { orderId: i.orderId, status: 'rejected', reason: 'SOLD_OUT', written: true };
            }),
        );
        expect(result.outcomes).toEqual(expected);
        const confirmedTickets = 8 + 2 - left;
        expect(await store.auditEvent(eventId)).toMatchObject({
          tickets: confirmedTickets,
          ticketsOrdered: confirmedTickets,
          ledgerSold: confirmedTickets,
          rejected: expected.filter((o) => o.status === 'rejected').length,
        });
        const rejected = rest.find((i) =>
          expected.some((o) => o.orderId === i.orderId && o.status === 'rejected'),
        );
        if (!rejected) throw new Error('some order does not fit');
        expect(await fresh.readTickets(rejected.orderId)).toEqual([]);

        const replay = await store.persist([...rest, ...fill]);
        expect(replay.ordersInserted).toBe(0);
        expect(replay.outcomes).toEqual(
          byOrderId([
            ...expected.map((o) => ({ ...o, written: false })),
            ...fill.map((i) => ({
              orderId: i.orderId,
              status: 'confirmed' as const,
              written: false,
            })),
          ]),
        );
        expect(await store.auditEvent(eventId)).toMatchObject({ ledgerSold: confirmedTickets });
      });

      test(
        'never holds more than ticketsTotal under concurrent batches from several stores',
        async () => {
          const eventId = freshEventId();
          const ticketsTotal = 1_000;
          // 8 batches of random 1-4 ticket orders, ~2,000 tickets in all.
          const batches = Array.from({ length: 8 }, () => {
            const batch: PurchaseIntent[] = [];
            for (let tickets = 0; tickets < 250;) {
              const quantity = 1 + Math.floor(Math.random() * 4);
              batch.push(makeIntent(eventId, quantity, { ticketsTotal }));
              tickets += quantity;
            }
            return batch;
          });
          const stores = [store, fresh.openAnother(), fresh.openAnother(), fresh.openAnother()];
          const run = () =>
            Promise.all(
              batches.map((batch, i) =>
                persistRetryingTransient(stores[i % stores.length] ?? store, batch),
              ),
            );

          const results = await run();

          const intents = batches.flat();
          const outcomes = results.flatMap((r) => r.outcomes);
          expect(outcomes).toHaveLength(intents.length);
          expect(new Set(outcomes.map((o) => o.orderId)).size).toBe(intents.length);
          expect(outcomes.every((o) => o.status !== 'conflict' && o.written)).toBe(true);
          const quantityOf = new Map(intents.map((i) => [i.orderId, i.quantity]));
          const confirmed = outcomes.filter((o) => o.status === 'confirmed');
          const rejected = outcomes.filter((o) => o.status === 'rejected');
          const confirmedTickets = confirmed.reduce(
            (s, o) => s + (quantityOf.get(o.orderId) ?? 0),
            0,
          );
          expect(rejected.every((o) => o.reason === 'SOLD_OUT')).toBe(true);
          expect(confirmedTickets).toBeLessThanOrEqual(ticketsTotal);
          // An order is rejected only when fewer than its quantity (at most 4) are left.
          expect(confirmedTickets).toBeGreaterThan(ticketsTotal - 4);
          expect(await store.auditEvent(eventId)).toEqual({
            orders: confirmed.length,
            ticketsOrdered: confirmedTickets,
            tickets: confirmedTickets,
            distinctCodes: confirmedTickets,
            rejected: rejected.length,
            ledgerSold: confirmedTickets,
          });

          const replays = await run();

          const replayed = replays.flatMap((r) => r.outcomes);
          expect(replays.every((r) => r.ordersInserted === 0 && r.ticketsInserted === 0)).toBe(
            true,
          );
          expect(byOrderId(replayed)).toEqual(
            byOrderId(outcomes.map((o) => ('written' in o ? { ...o, written: false } : o))),
          );
          expect(await store.auditEvent(eventId)).toMatchObject({
            tickets: confirmedTickets,
            ledgerSold: confirmedTickets,
            rejected: rejected.length,
          });
        },
        concurrentTimeoutMs,
      );

      test('takes the cap from the event definition when the intent does not carry it', async () => {
        const eventId = freshEventId();
        await store.upsertEvent(makeDefinition(eventId, 1, { ticketsTotal: 5 }));
        const { ticketsTotal: _, ...withoutTotal } = makeIntent(eventId, 4);
        const second = makeIntent(eventId, 2, { ticketsTotal: undefined });

        const first = await store.persist([withoutTotal]);
        const next = await store.persist([second]);

        expect(first.outcomes).toEqual(confirmedWritten([withoutTotal]));
        expect(next.outcomes).toEqual([
          { orderId: second.orderId, status: 'rejected', reason: 'SOLD_OUT', written: true },
        ]);
      });

      test('keeps a batch of an event it cannot cap yet for later, as a transient error', async () => {
        const eventId = freshEventId();
        const { ticketsTotal: _, ...old } = makeIntent(eventId, 2);

        const error = await caught(store.persist([old, makeIntent(freshEventId(), 1)]));

        expect(error).toBeInstanceOf(EventNotInLedgerError);
        expect(store.classifyError(error)).toBe('transient');
        expect(store.isTransientError(error)).toBe(true);
        expect(await store.ticketsPersisted(eventId)).toBe(0);

        await store.upsertEvent(makeDefinition(eventId, 1, { ticketsTotal: 10 }));
        expect((await store.persist([old])).outcomes).toEqual(confirmedWritten([old]));
      });
    });

    describe('recordRejected', () => {
      test('stores rejected rows without tickets, idempotently, and persist then answers rejected', async () => {
        const eventId = freshEventId();
        const invalid = makeIntent(eventId, 2);
        const failed = makeIntent(eventId, 1);

        const outcomes = await store.recordRejected([
          { intent: invalid, reason: 'INVALID' },
          { intent: failed, reason: 'FAILED' },
        ]);
        const again = await store.recordRejected([{ intent: invalid, reason: 'INVALID' }]);
        const persisted = await store.persist([invalid, failed]);

        expect(outcomes).toEqual(
          byOrderId([
            { orderId: invalid.orderId, status: 'rejected', reason: 'INVALID', written: true },
            { orderId: failed.orderId, status: 'rejected', reason: 'FAILED', written: true },
          ]),
        );
        expect(again).toEqual([
          { orderId: invalid.orderId, status: 'rejected', reason: 'INVALID', written: false },
        ]);
        expect(persisted.outcomes).toEqual(outcomes.map((o) => ({ ...o, written: false })));
        expect(await store.auditEvent(eventId)).toMatchObject({
          orders: 0,
          tickets: 0,
          rejected: 2,
          ledgerSold: 0,
        });
        const page = await store.pageOrders(eventId, null, 10);
        expect(page.find((o) => o.orderId === invalid.orderId)).toMatchObject({
          buyerEmail: '',
          status: 'rejected',
          reason: 'INVALID',
          tickets: [],
        });
        expect(page.find((o) => o.orderId === failed.orderId)).toMatchObject({
          buyerEmail: 'ada@example.com',
          reason: 'FAILED',
        });
      });

      test('keeps an order that is already confirmed, and says so', async () => {
        const eventId = freshEventId();
        const intent = makeIntent(eventId, 2);
        await store.persist([intent]);

        const outcomes = await store.recordRejected([{ intent, reason: 'FAILED' }]);

        expect(outcomes).toEqual([
          { orderId: intent.orderId, status: 'confirmed', written: false },
        ]);
        expect(await store.ticketsPersisted(eventId)).toBe(2);
      });
    });

    describe('events', () => {
      test('stores a definition only when its version is newer, and creates the inventory once', async () => {
        const eventId = freshEventId();

        const v2 = await store.upsertEvent(
          makeDefinition(eventId, 2, { name: 'Two', paused: true }),
        );
        const v1 = await store.upsertEvent(makeDefinition(eventId, 1, { name: 'One' }));
        const v2again = await store.upsertEvent(makeDefinition(eventId, 2, { name: 'Two again' }));
        const afterStale = await store.readEvent(eventId);
        const v3 = await store.upsertEvent(
          makeDefinition(eventId, 3, {
            name: 'Three',
            ticketsTotal: 2_000,
            admissionRatePerSecond: 0.5,
          }),
        );
        const latest = await store.readEvent(eventId);

        expect([v2, v1, v2again, v3]).toEqual([
          { stored: true },
          { stored: false },
          { stored: false },
          { stored: true },
        ]);
        expect(afterStale).toMatchObject({ version: 2, event: { name: 'Two', paused: true } });
        expect(latest).toEqual({
          event: {
            ...makeDefinition(eventId, 3).event,
            name: 'Three',
            ticketsTotal: 2_000,
            admissionRatePerSecond: 0.5,
          },
          version: 3,
          shuffle: { seed: 'seed-3', commitment: 'commitment-3' },
          // The inventory keeps the total it was created with.
          ticketsTotal: 1_000,
          ticketsSold: 0,
        });
      });

      test('stores a definition without a shuffle, and reads an unknown event as null', async () => {
        const eventId = freshEventId();
        await store.upsertEvent({ ...makeDefinition(eventId, 1), shuffle: null });

        expect(await store.readEvent(eventId)).toMatchObject({ shuffle: null, version: 1 });
        expect(await store.readEvent(freshEventId())).toBeNull();
      });

      test('refuses a definition that breaks a check constraint, not as transient', async () => {
        const error = await caught(
          store.upsertEvent(makeDefinition(freshEventId(), 1, { ticketsTotal: 0 })),
        );

        expect(error).toBeInstanceOf(Error);
        expect(store.isTransientError(error)).toBe(false);
        expect(store.classifyError(error)).toBe('invalid');
      });

      test("lists events with their inventory, and pages an event's orders in order-id order", async () => {
        const eventId = freshEventId();
        await store.upsertEvent(makeDefinition(eventId, 1, { ticketsTotal: 6 }));
        const intents = [3, 2, 1, 2, 1].map((q) => makeIntent(eventId, q, { ticketsTotal: 6 }));
        const { outcomes } = await store.persist(intents);

        const listed = (await store.listEvents()).find((e) => e.event.id === eventId);
        const pages = [];
        for (let after: string | null = null; ;) {
          const page = await store.pageOrders(eventId, after, 2);
          if (page.length === 0) break;
          pages.push(page);
          after = page[page.length - 1]?.orderId ?? null;
        }

        expect(listed).toEqual(await store.readEvent(eventId));
        const sold = intents
          .filter((i) => outcomes.some((o) => o.orderId === i.orderId && o.status === 'confirmed'))
          .reduce((sum, i) => sum + i.quantity, 0);
        expect(listed).toMatchObject({ ticketsTotal: 6, ticketsSold: sold, version: 1 });
        expect(sold).toBeLessThanOrEqual(6);
        expect(pages.map((p) => p.length)).toEqual([2, 2, 1]);
        const sorted = [...intents].sort((a, b) => (a.orderId < b.orderId ? -1 : 1));
        expect(pages.flat()).toEqual(
          sorted.map((intent) => {
            const outcome = outcomes.find((o) => o.orderId === intent.orderId);
            const rejected = outcome?.status === 'rejected';
            return {
              orderId: intent.orderId,
              admissionId: intent.admissionId,
              entryId: intent.entryId,
              quantity: intent.quantity,
              buyerEmail: intent.buyer.email,
              status: rejected ? 'rejected' : 'confirmed',
              reason: rejected ? 'SOLD_OUT' : null,
              tickets: rejected ? [] : intent.tickets,
            };
          }),
        );
        expect(await store.pageOrders(freshEventId(), null, 10)).toEqual([]);
      });
    });

    test('counts persisted tickets per event, and zero for an event without orders', async () => {
      const [a, b] = [freshEventId(), freshEventId()];
      await store.persist([makeIntent(a, 3), makeIntent(b, 2), makeIntent(a, 5)]);

      expect(await store.ticketsPersisted(a)).toBe(8);
      expect(await store.ticketsPersisted(b)).toBe(2);
      expect(await store.ticketsPersisted(freshEventId())).toBe(0);
    });

    test('audits an event: orders, tickets ordered, ticket rows, distinct codes, rejected, ledger sold', async () => {
      const eventId = freshEventId();
      const batch = [makeIntent(eventId, 3), makeIntent(eventId, 1), makeIntent(eventId, 4)];
      await store.persist(batch);
      await store.persist(batch.slice(1));

      expect(await store.auditEvent(eventId)).toEqual({
        orders: 3,
        ticketsOrdered: 8,
        tickets: 8,
        distinctCodes: 8,
        rejected: 0,
        ledgerSold: 8,
      });
      expect(await store.auditEvent(freshEventId())).toEqual({
        orders: 0,
        ticketsOrdered: 0,
        tickets: 0,
        distinctCodes: 0,
        rejected: 0,
        ledgerSold: 0,
      });
    });

    test('calls an error permanent unless it says otherwise', () => {
      expect(store.classifyError(new Error('constraint violated'))).toBe('permanent');
      expect(store.classifyError('ECONNRESET')).toBe('permanent');
      expect(store.classifyError(null)).toBe('permanent');
      expect(store.isTransientError(new Error('constraint violated'))).toBe(false);
    });
  });
}
