import { describe, expect, it } from 'vitest';
import { readAvailability } from '../lib/contract.ts';
import { SoldOutView } from '../lib/sold-out.ts';

describe('SoldOutView', () => {
  it('asks for a stock check on a 409 until the VU has seen the event sold out', () => {
    const view = new SoldOutView();
    expect(view.on409()).toBe('verify');
    view.sawQueueState('waiting');
    view.sawEvent({ phase: 'open' });
    view.sawAvailability({ ticketsRemaining: 3, soldOut: false });
    expect(view.on409()).toBe('verify');
  });

  it.each([
    ['a queue status', (view: SoldOutView) => view.sawQueueState('sold_out')],
    ['the event phase', (view: SoldOutView) => view.sawEvent({ phase: 'sold_out' })],
    [
      'availability',
      (view: SoldOutView) => view.sawAvailability({ ticketsRemaining: 0, soldOut: true }),
    ],
  ])('learns sold out from %s', (_source, see) => {
    const view = new SoldOutView();
    see(view);
    expect(view.soldOut).toBe(true);
    expect(view.on409()).toBe('known');
  });

  it('calls a 409 early only when the stock still held the tickets asked for', () => {
    const view = new SoldOutView();
    expect(view.judge({ ticketsRemaining: 4, soldOut: false }, 4)).toBe(true);
    expect(view.judge({ ticketsRemaining: 3, soldOut: false }, 4)).toBe(false);
    expect(view.soldOut).toBe(false);
    expect(view.judge({ ticketsRemaining: 0, soldOut: true }, 1)).toBe(false);
    expect(view.soldOut).toBe(true);
  });

  it('counts a 409 it could not check as early', () => {
    expect(new SoldOutView().judge(null, 1)).toBe(true);
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
