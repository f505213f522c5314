import { describe, expect, it } from 'vitest';
import { buyerCapField } from './buyers.js';
import { newId, newTicketCode } from './ids.js';
import type { PurchaseIntent } from './messages.js';
import {
  confirmOrderArgs,
  orderRecordKeys,
  orderRecordReader,
  orderRecordScripts,
  placeOrderArgs,
  rejectOrderArgs,
  restoreOrderArgs,
} from './order-record.js';
import { eventKeys } from './redis-keys.js';

const intent: PurchaseIntent = {
  v: 1,
  orderId: 'ord_1',
  eventId: 'fest',
  admissionId: 'adm_1',
  entryId: 'q_1',
  quantity: 2,
  buyer: { name: 'Ada', email: 'Ada@Example.com' },
  tickets: [
    { id: newId('ticket'), code: newTicketCode() },
    { id: newId('ticket'), code: newTicketCode() },
  ],
  reservedAt: '2026-12-01T00:00:00.000Z',
};

describe('orderRecordReader', () => {
  const view = orderRecordReader('quantity', 'admissionId', 'tickets', 'reason');

  it('asks for the status first, then the fields in the order given', () => {
    expect(view.fields).toEqual(['status', 'quantity', 'admissionId', 'tickets', 'reason']);
  });

  it('parses the fields it was given', () => {
    const record = view.parse(['confirmed', '2', 'adm_1', JSON.stringify(intent.tickets), null]);
    expect(record).toEqual({
      status: 'confirmed',
      quantity: 2,
      admissionId: 'adm_1',
      tickets: intent.tickets,
    });
  });

  it('finds no record without a status, or with one that is not a state', () => {
    expect(view.parse([null, null, null, null, null])).toBeUndefined();
    expect(view.parse(['shipped', '2', 'adm_1', '[]', null])).toBeUndefined();
  });

  it('leaves out a reason it does not know, and throws on malformed tickets or quantity', () => {
    expect(view.parse(['rejected', '1', 'adm_1', '[]', 'LOST'])).toEqual({
      status: 'rejected',
      quantity: 1,
      admissionId: 'adm_1',
      tickets: [],
    });
    expect(view.parse(['rejected', '1', 'adm_1', '[]', 'SOLD_OUT'])?.reason).toBe('SOLD_OUT');
    expect(() => view.parse(['confirmed', '1', 'adm_1', '{"id":1}', null])).toThrow();
    expect(() => view.parse(['confirmed', 'two', 'adm_1', '[]', null])).toThrow();
  });
});

describe('order scripts', () => {
  it('name every key they need among the keys of one order', () => {
    const keys = orderRecordKeys('fest', 'ord_1');
    expect(keys.order).toBe(eventKeys('fest').order('ord_1'));
    for (const definition of Object.values(orderRecordScripts)) {
      for (const key of definition.keys) expect(keys).toHaveProperty(key);
    }
  });

  it('take exactly the arguments their builders give, nothing left out', () => {
    const builders = {
      placeOrder: placeOrderArgs(intent, {
        intentJson: JSON.stringify(intent),
        idempotencyKey: undefined,
        republishAt: 5,
        iat: 1,
        exp: 2,
      }),
      confirmOrder: confirmOrderArgs(intent),
      rejectOrder: rejectOrderArgs({ orderId: 'ord_1', reason: 'INVALID', fromLedger: false }),
      restoreOrder: restoreOrderArgs({
        orderId: 'ord_1',
        admissionId: 'adm_1',
        quantity: 2,
        buyerEmail: '',
        status: 'rejected',
        reason: 'INVALID',
        tickets: [],
      }),
    };
    for (const [name, args] of Object.entries(builders)) {
      const definition = orderRecordScripts[name as keyof typeof builders];
      expect(Object.keys(args).sort()).toEqual([...definition.args].sort());
    }
  });

  it('store the buyer as its cap field and the intent as it is published', () => {
    const args = placeOrderArgs(intent, {
      intentJson: JSON.stringify(intent),
      idempotencyKey: 'k',
      republishAt: 5,
      iat: 1,
      exp: 2,
    });
    expect(args.buyer).toBe(buyerCapField('ada@example.com'));
    expect(JSON.parse(args.intentJson)).toEqual(intent);
    expect(confirmOrderArgs(intent).buyer).toBe(args.buyer);
    expect(rejectOrderArgs({ orderId: 'o', reason: 'FAILED', fromLedger: true })).toMatchObject({
      buyer: '',
      ledgerLeft: '',
      writeMissing: '1',
    });
  });
});

describe('order script replies', () => {
  it('parse a reservation into its parts and refuse an outcome the script never gives', () => {
    const parse = orderRecordScripts.placeOrder.reply;
    expect(parse(['accepted', 'ord_1', 98, 1_000])).toEqual({
      outcome: 'accepted',
      id: 'ord_1',
      number: 98,
      expiresAt: 1_000,
    });
    expect(() => parse(['unchanged', '', 0, 0])).toThrow();
    expect(orderRecordScripts.reReserveOrder.reply(['unchanged', 'pending', 0, 0]).id).toBe(
      'pending',
    );
  });

  it('read a withdrawal as the status it found', () => {
    const parse = orderRecordScripts.withdrawOrder.reply;
    expect(parse('pending')).toBe('pending');
    expect(parse('')).toBeUndefined();
    expect(() => parse('shipped')).toThrow();
  });
});
