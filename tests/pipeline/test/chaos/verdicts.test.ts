import { describe, expect, it } from 'vitest';
import type { AcceptedOrder } from '../../src/chaos/fans.js';
import {
  judgeOrders,
  type Ledger,
  type LedgerOrder,
  type ReadBack,
} from '../../src/chaos/verify.js';

const order = (orderId: string, quantity: number): AcceptedOrder => ({
  orderId,
  quantity,
  readToken: 'token',
  fan: 0,
});

function ledger(rows: Record<string, LedgerOrder>): Ledger {
  const codes = Object.values(rows).flatMap((row) => row.codes);
  return {
    orders: new Map(Object.entries(rows)),
    ticketRows: codes.length,
    distinctCodes: new Set(codes).size,
    redisSold: codes.length,
    redisStock: 0,
  };
}

const confirmed = (...codes: string[]): ReadBack => ({ status: 'confirmed', reason: null, codes });
const rejected: ReadBack = { status: 'rejected', reason: 'SOLD_OUT', codes: [] };

describe('every 202 against HTTP and the ledger', () => {
  it('counts confirmed and rejected orders the ledger agrees with', () => {
    const verdicts = judgeOrders(
      [order('ord_a', 2), order('ord_b', 1)],
      new Map([
        ['ord_a', confirmed('B', 'A')],
        ['ord_b', rejected],
      ]),
      new Map(),
      ledger({
        ord_a: { status: 'confirmed', quantity: 2, codes: ['A', 'B'] },
        ord_b: { status: 'rejected', quantity: 1, codes: [] },
      }),
    );
    expect(verdicts).toEqual({ confirmed: 1, rejected: 1, lost: new Map() });
  });

  it('counts as lost what never became final, has no row, or differs from its row', () => {
    const verdicts = judgeOrders(
      [
        order('ord_pending', 1),
        order('ord_norow', 1),
        order('ord_othercodes', 2),
        order('ord_notrejected', 1),
        order('ord_rejectedwithtickets', 1),
      ],
      new Map([
        ['ord_norow', confirmed('N')],
        ['ord_othercodes', confirmed('A', 'B')],
        ['ord_notrejected', rejected],
        ['ord_rejectedwithtickets', rejected],
      ]),
      new Map([['ord_pending', '404 NOT_FOUND']]),
      ledger({
        ord_othercodes: { status: 'confirmed', quantity: 2, codes: ['A', 'C'] },
        ord_notrejected: { status: 'confirmed', quantity: 1, codes: ['D'] },
        ord_rejectedwithtickets: { status: 'rejected', quantity: 1, codes: ['E'] },
      }),
    );
    expect(verdicts.confirmed).toBe(0);
    expect(verdicts.rejected).toBe(0);
    expect([...verdicts.lost.keys()]).toEqual([
      'ord_pending',
      'ord_norow',
      'ord_othercodes',
      'ord_notrejected',
      'ord_rejectedwithtickets',
    ]);
    expect(verdicts.lost.get('ord_pending')).toContain('404 NOT_FOUND');
    expect(verdicts.lost.get('ord_norow')).toContain('no ledger row');
  });
});
