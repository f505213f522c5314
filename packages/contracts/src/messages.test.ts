import { describe, expect, it } from 'vitest';
import { newId, newTicketCode } from './ids.js';
import { PurchaseIntentSchema } from './messages.js';
import { CreateOrderBodySchema } from './orders.js';

const intent = () => ({
  v: 1,
  orderId: newId('order'),
  eventId: 'frequency-20xx',
  admissionId: newId('admission'),
  entryId: newId('queueEntry'),
  quantity: 2,
  buyer: { name: 'Anna', email: 'anna@example.at' },
  tickets: [
    { id: newId('ticket'), code: newTicketCode() },
    { id: newId('ticket'), code: newTicketCode() },
  ],
  reservedAt: new Date().toISOString(),
});

describe('purchase intent', () => {
  it('accepts a well-formed intent', () => {
    expect(PurchaseIntentSchema.safeParse(intent()).success).toBe(true);
  });
  it('rejects an intent whose tickets do not match its quantity', () => {
    expect(PurchaseIntentSchema.safeParse({ ...intent(), quantity: 3 }).success).toBe(false);
  });
});

describe('order body', () => {
  it('rejects unknown fields and wrong types', () => {
    const buyer = { name: 'A', email: 'a@example.at' };
    expect(CreateOrderBodySchema.safeParse({ quantity: 1, buyer }).success).toBe(true);
    expect(CreateOrderBodySchema.safeParse({ quantity: '1', buyer }).success).toBe(false);
    expect(CreateOrderBodySchema.safeParse({ quantity: 1, buyer, admin: true }).success).toBe(false);
    expect(CreateOrderBodySchema.safeParse({ quantity: 1, buyer: { ...buyer, email: 'x' } }).success).toBe(false);
  });
});
