import { describe, expect, it } from 'vitest';
import { readAvailability } from '../lib/contract.ts';
import { SoldOutView, VERIFY_AFTER_MS } from '../lib/sold-out.ts';

describe('SoldOutView', () => {
  it('holds a 409 for a stock read until the VU has seen the event sold out', () => {
    const view = new SoldOutView();
    view.sawQueueState('waiting');
    view.sawEvent({ phase: 'open' });
    view.sawAvailability({ ticketsRemaining: 3, soldOut: false });
    expect(view.on409(2, 1_000)).toBeNull();
    expect(view.settleKnown()).toEqual([]);
  });

  it.each([
    ['a queue status', (view: SoldOutView) => view.sawQueueState('sold_out')],
    ['the event phase', (view: SoldOutView) => view.sawEvent({ phase: 'sold_out' })],
    [
      'availability',
      (view: SoldOutView) => view.sawAvailability({ ticketsRemaining: 0, soldOut: true }),
    ],
  ])('learns sold out from %s, and then judges a 409 at once', (_source, see) => {
    const view = new SoldOutView();
    see(view);
    expect(view.soldOut).toBe(true);
    expect(view.on409(4, 1_000)).toBe(false);
    expect(view.needsStockRead(10_000)).toBe(false);
  });

  it('reads the stock only once checkout’s availability cache has passed the 409', () => {
    const view = new SoldOutView();
    view.on409(1, 5_000);
    expect(view.needsStockRead(5_000 + VERIFY_AFTER_MS - 1)).toBe(false);
    expect(view.needsStockRead(5_000 + VERIFY_AFTER_MS)).toBe(true);
    expect(VERIFY_AFTER_MS).toBeGreaterThan(200);
  });

  it('calls a 409 early only when the later stock still held the tickets asked for', () => {
    const view = new SoldOutView();
    view.on409(4, 0);
    view.on409(3, 0);
    expect(view.judge({ ticketsRemaining: 3, soldOut: false })).toEqual([false, true]);
    expect(view.soldOut).toBe(false);
    view.on409(1, 0);
    expect(view.judge({ ticketsRemaining: 0, soldOut: true })).toEqual([false]);
    expect(view.soldOut).toBe(true);
    expect(view.judge({ ticketsRemaining: 0, soldOut: true })).toEqual([]);
  });

  it('settles waiting 409s as not early once sold out is seen elsewhere', () => {
    const view = new SoldOutView();
    view.on409(2, 0);
    view.on409(2, 0);
    view.sawQueueState('sold_out');
    expect(view.settleKnown()).toEqual([false, false]);
    expect(view.settleKnown()).toEqual([]);
  });

  it('counts a 409 it could not check as early', () => {
    const view = new SoldOutView();
    view.on409(1, 0);
    expect(view.judge(null)).toEqual([true]);
  });
});

describe('readAvailability', () => {
  it('reads the checkout availability body and refuses other shapes', () => {
    expect(readAvailability({ ticketsRemaining: 7, soldOut: false })).toEqual({
      ticketsRemaining: 7,
      soldOut: false,
    });
    expect(readAvailability({ ticketsRemaining: -1, soldOut: false })).toBeNull();
    expect(readAvailability({ ticketsRemaining: 1.5, soldOut: false })).toBeNull();
    expect(readAvailability({ ticketsRemaining: 1, soldOut: 'no' })).toBeNull();
    expect(readAvailability(null)).toBeNull();
  });
});
