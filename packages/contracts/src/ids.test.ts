import { describe, expect, it } from 'vitest';
import {
  newId,
  newTicketCode,
  OrderIdSchema,
  QueueEntryIdSchema,
  TicketCodeSchema,
} from './ids.js';

describe('ids', () => {
  it('are prefixed, random and match their schema', () => {
    const ids = new Set(Array.from({ length: 2_000 }, () => newId('order')));
    expect(ids.size).toBe(2_000);
    for (const id of ids) expect(OrderIdSchema.safeParse(id).success).toBe(true);
    expect(QueueEntryIdSchema.safeParse(newId('queueEntry')).success).toBe(true);
    expect(OrderIdSchema.safeParse(newId('ticket')).success).toBe(false);
  });

  it('ticket codes carry 160 random bits in eight groups and never repeat', () => {
    const codes = Array.from({ length: 2_000 }, () => newTicketCode());
    expect(new Set(codes).size).toBe(codes.length);
    for (const code of codes) expect(TicketCodeSchema.safeParse(code).success).toBe(true);
    // Every symbol position varies: nothing sequential or fixed hides in the code.
    const first = codes[0] ?? '';
    for (let i = 0; i < first.length; i++) {
      if (first[i] === '-') continue;
      expect(new Set(codes.map((c) => c[i])).size).toBeGreaterThan(16);
    }
  });
});
