import { newId, newTicketCode, type PurchaseIntent } from '@frequency/contracts';
import { describe, expect, it } from 'vitest';
import { PostgresStore } from './postgres-store.js';
import { allocate, intentTotals, uniqueByOrderId } from './store.js';

const intent = (orderId = newId('order')): PurchaseIntent => ({
  v: 1,
  orderId,
  eventId: 'e1',
  admissionId: newId('admission'),
  entryId: newId('queueEntry'),
  quantity: 1,
  buyer: { name: 'A', email: 'a@example.at' },
  tickets: [{ id: newId('ticket'), code: newTicketCode() }],
  reservedAt: new Date().toISOString(),
});

describe('uniqueByOrderId', () => {
  it('keeps the first occurrence of each order, sorted by order id (a fixed lock order)', () => {
    const a = intent();
    const b = intent();
    const again = { ...a, buyer: { name: 'changed', email: 'x@example.at' } };
    const sorted = [a, b].sort((x, y) => (x.orderId < y.orderId ? -1 : 1));
    expect(uniqueByOrderId([a, b, again])).toEqual(sorted);
    expect(uniqueByOrderId([b, again, a])).toEqual(sorted.map((i) => (i === a ? again : i)));
  });
});

describe('allocate', () => {
  const withQuantity = (eventId: string, quantity: number): PurchaseIntent => ({
    ...intent(),
    eventId,
    quantity,
    tickets: Array.from({ length: quantity }, () => ({
      id: newId('ticket'),
      code: newTicketCode(),
    })),
  });

  it('fits orders in the given order while they fit, per event, and skips only those that do not', () => {
    const [a, b, c, d] = [
      withQuantity('e1', 3),
      withQuantity('e1', 2),
      withQuantity('e1', 1),
      withQuantity('e2', 4),
    ];
    const inventory = new Map([
      ['e1', { ticketsTotal: 5, ticketsSold: 1 }],
      ['e2', { ticketsTotal: 4, ticketsSold: 0 }],
    ]);

    const soldOut = allocate([a, b, c, d], inventory);

    // e1: 1 + 3 = 4, then 2 does not fit, then 1 does (5); e2: 4 of 4.
    expect([...soldOut]).toEqual([b.orderId]);
    expect(inventory.get('e1')?.ticketsSold).toBe(5);
    expect(inventory.get('e2')?.ticketsSold).toBe(4);
  });

  it('refuses an event it has no inventory for', () => {
    expect(() => allocate([withQuantity('e3', 1)], new Map())).toThrow(/no inventory/);
  });
});

describe('intentTotals', () => {
  it("takes the highest ticketsTotal an event's intents carry, null when none does", () => {
    const { ticketsTotal: _, ...without } = intent();
    const totals = intentTotals([
      { ...intent(), ticketsTotal: 10 },
      { ...intent(), ticketsTotal: 12 },
      without,
      { ...without, eventId: 'e2' },
    ]);
    expect([...totals]).toEqual([
      ['e1', 12],
      ['e2', null],
    ]);
  });
});

describe('PostgresStore.classifyError', () => {
  const store = PostgresStore.open('postgres://postgres@127.0.0.1:1/none', 1);
  it.each([
    ['08006', 'transient'],
    ['40001', 'transient'],
    ['40P01', 'transient'],
    ['57014', 'transient'],
    ['55P03', 'transient'],
    ['22021', 'invalid'],
    ['22P05', 'invalid'],
    ['22003', 'invalid'],
    ['23502', 'invalid'],
    ['23514', 'invalid'],
    ['23505', 'permanent'],
    ['42P01', 'permanent'],
  ])('code %s is %s', (code, kind) => {
    expect(store.classifyError(Object.assign(new Error('x'), { code }))).toBe(kind);
  });

  it('looks through a wrapper to the driver error it keeps as the cause', () => {
    const wrapped = new Error('Failed query: insert …', {
      cause: Object.assign(new Error('invalid byte sequence'), { code: '22021' }),
    });
    expect(store.classifyError(wrapped)).toBe('invalid');
  });
});

describe('PostgresStore.isTransientError', () => {
  const store = PostgresStore.open('postgres://postgres@127.0.0.1:1/none', 1);
  it.each([
    ['08006', true],
    ['40001', true],
    ['57P01', true],
    ['ECONNREFUSED', true],
    ['23505', false],
    ['22P02', false],
  ])('code %s is transient: %s', (code, transient) => {
    expect(store.isTransientError(Object.assign(new Error('x'), { code }))).toBe(transient);
  });
});
