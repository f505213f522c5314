import { describe, expect, it } from 'vitest';
import { readJoin, readOrderCreated, readOrderStatus, readQueueStatus } from '../lib/contract.ts';
import { FanPool, pickArrival, pickQuantity } from '../lib/fans.ts';
import type { Random } from '../lib/fans.ts';
import type { PhaseMix } from '../lib/lifecycle.ts';

const limits = { maxFans: 3, checkoutThinkMs: 1_000, orderPollMs: 500 };
const always: Random = () => 0;
const never: Random = () => 0.999;
const onlyJoins: PhaseMix = {
  followUpShare: 1,
  arrivals: { page: 0, event: 0, availability: 0, join: 1 },
};

function join(pool: FanPool, id: string, now: number, pollAfterMs = 2_000) {
  const fan = pool.joined(id, { queueToken: `q_${id}`, state: 'waiting', pollAfterMs }, 2, now);
  if (fan === null) throw new Error('join refused');
  return fan;
}

describe('FanPool.nextStep', () => {
  it('does not poll a fan before its pollAfterMs has passed', () => {
    const pool = new FanPool(limits);
    const fan = join(pool, 'a', 1_000, 2_000);
    expect(pool.nextStep(onlyJoins, 2_999, always)).toEqual({ kind: 'arrive', action: 'join' });
    expect(pool.nextStep(onlyJoins, 3_000, always)).toEqual({ kind: 'poll_queue', fan });
  });

  it('polls the fan that has waited longest first', () => {
    const pool = new FanPool(limits);
    join(pool, 'late', 1_000, 500);
    const early = join(pool, 'early', 1_000, 100);
    expect(pool.nextStep(onlyJoins, 5_000, always)).toEqual({ kind: 'poll_queue', fan: early });
  });

  it('leaves room for new arrivals beyond the phase follow-up share', () => {
    const pool = new FanPool(limits);
    join(pool, 'a', 0, 0);
    const mix: PhaseMix = {
      followUpShare: 0.5,
      arrivals: { page: 0, event: 1, availability: 0, join: 0 },
    };
    expect(pool.nextStep(mix, 10, () => 0.4).kind).toBe('poll_queue');
    expect(pool.nextStep(mix, 10, () => 0.6)).toEqual({ kind: 'arrive', action: 'event' });
  });

  it('sends an admitted fan to checkout ahead of every poll, even at a zero follow-up share', () => {
    const pool = new FanPool(limits);
    join(pool, 'waiting', 0, 0);
    const admitted = join(pool, 'admitted', 0, 0);
    pool.queueStatus(
      admitted,
      { state: 'admitted', pollAfterMs: 0, admission: { token: 'adm' } },
      0,
      always,
    );
    const mix: PhaseMix = {
      followUpShare: 0,
      arrivals: { page: 1, event: 0, availability: 0, join: 0 },
    };
    expect(pool.nextStep(mix, 10_000, never)).toEqual({ kind: 'create_order', fan: admitted });
  });

  it('stops adding fans once the VU holds its bound', () => {
    const pool = new FanPool(limits);
    for (const id of ['a', 'b', 'c']) join(pool, id, 0, 60_000);
    expect(pool.isFull).toBe(true);
    expect(pool.nextStep(onlyJoins, 1, always)).toEqual({ kind: 'arrive', action: 'event' });
  });
});

describe('a fan through the sale', () => {
  it('waits, is admitted, thinks, orders and polls the order until it is confirmed', () => {
    const pool = new FanPool(limits);
    const fan = join(pool, 'a', 0, 1_000);

    pool.queueStatus(fan, { state: 'waiting', pollAfterMs: 1_500, admission: null }, 1_000, always);
    expect(fan).toMatchObject({ stage: 'queued', dueAt: 2_500 });

    pool.queueStatus(
      fan,
      { state: 'admitted', pollAfterMs: 1_000, admission: { token: 'adm' } },
      2_500,
      always,
    );
    // Think time is spread between half and one and a half times the configured value.
    expect(fan).toMatchObject({ stage: 'admitted', admissionToken: 'adm', dueAt: 3_000 });

    pool.orderCreated(fan, 'ord_1', 3_000);
    expect(fan).toMatchObject({ stage: 'ordered', orderId: 'ord_1', dueAt: 3_500 });
    expect(pool.nextStep(onlyJoins, 3_500, always)).toEqual({ kind: 'poll_order', fan });

    pool.orderPending(fan, 3_500);
    expect(fan.dueAt).toBe(4_000);
    pool.remove(fan);
    expect(pool.size).toBe(0);
  });

  it('drops fans whose sale is over', () => {
    const pool = new FanPool(limits);
    const soldOut = join(pool, 'a', 0);
    const expired = join(pool, 'b', 0);
    pool.queueStatus(soldOut, { state: 'sold_out', pollAfterMs: 0, admission: null }, 1, always);
    pool.queueStatus(expired, { state: 'expired', pollAfterMs: 0, admission: null }, 1, always);
    expect(pool.size).toBe(0);
    expect(
      pool.joined('c', { queueToken: 'q', state: 'sold_out', pollAfterMs: 0 }, 1, 0),
    ).toBeNull();
  });
});

describe('random choices', () => {
  it('asks for 1 to 4 tickets', () => {
    const seen = new Set(
      [0, 0.24, 0.3, 0.69, 0.75, 0.8, 0.9999].map((roll) => pickQuantity(() => roll)),
    );
    expect([...seen].sort()).toEqual([1, 2, 3, 4]);
  });

  it('picks arrivals in proportion to their weights', () => {
    const arrivals = { page: 1, event: 0, availability: 1, join: 2 };
    expect(pickArrival(arrivals, () => 0.1)).toBe('page');
    expect(pickArrival(arrivals, () => 0.3)).toBe('availability');
    expect(pickArrival(arrivals, () => 0.6)).toBe('join');
  });
});

describe('response readers', () => {
  it('accept the contract shapes', () => {
    expect(
      readJoin({ queueToken: 'q', state: 'prequeue', position: null, pollAfterMs: 5_000 }),
    ).toEqual({
      queueToken: 'q',
      state: 'prequeue',
      pollAfterMs: 5_000,
    });
    expect(
      readQueueStatus({
        state: 'admitted',
        position: 3,
        aheadOfYou: 0,
        estimatedWaitSeconds: 0,
        pollAfterMs: 1_000,
        admission: { token: 'adm', expiresAt: '2030-01-01T00:00:00Z' },
      }),
    ).toEqual({ state: 'admitted', pollAfterMs: 1_000, admission: { token: 'adm' } });
    expect(readOrderCreated({ orderId: 'ord_1', status: 'pending', quantity: 2 })).toEqual({
      orderId: 'ord_1',
    });
    expect(
      readOrderStatus({ orderId: 'ord_1', status: 'confirmed', quantity: 2, tickets: [] }),
    ).toEqual({
      status: 'confirmed',
    });
  });

  it('reject bodies a fan cannot act on', () => {
    expect(readJoin({ state: 'waiting', pollAfterMs: 1 })).toBeNull();
    expect(readJoin({ queueToken: 'q', state: 'queued', pollAfterMs: 1 })).toBeNull();
    expect(readQueueStatus({ state: 'admitted', pollAfterMs: 1, admission: null })).toBeNull();
    expect(readQueueStatus({ state: 'waiting', pollAfterMs: -1, admission: null })).toBeNull();
    expect(readOrderCreated({ error: { code: 'SOLD_OUT' } })).toBeNull();
    expect(readOrderStatus({ status: 'shipped' })).toBeNull();
    expect(readOrderStatus('confirmed')).toBeNull();
  });
});
