import { describe, expect, it } from 'vitest';
import { checkPlaces, type PlaceRecord } from '../../src/chaos/fairness.js';

/** A fan whose join was sent at `sent` and answered 5 ms later. */
const fan = (sent: number, admittedBatch: number | null, extra: Partial<PlaceRecord> = {}) => ({
  joinSentAt: sent,
  joinAnsweredAt: sent + 5,
  admittedBatch,
  waitedUntilBatch: null,
  refused: false,
  ...extra,
});

describe('fans who lost their place', () => {
  it('are none when admission follows join order, ticks shared by several fans', () => {
    expect(checkPlaces([fan(0, 100), fan(10, 100), fan(20, 200), fan(30, 300)])).toEqual({
      fans: 4,
      refused: 0,
      overtaken: 0,
      lost: 0,
    });
  });

  it('counts a fan a later joiner was admitted before', () => {
    expect(checkPlaces([fan(0, 300), fan(10, 100), fan(20, 200)])).toMatchObject({
      overtaken: 1,
      lost: 1,
    });
  });

  it('does not order fans whose joins overlapped in time', () => {
    // The second join was sent before the first was answered: either may stand first in line.
    const overlapping = { ...fan(0, 200), joinAnsweredAt: 50 };
    expect(checkPlaces([overlapping, fan(20, 100)])).toMatchObject({ overtaken: 0 });
  });

  it('counts a fan still waiting when a later joiner was admitted, not one who stopped before', () => {
    const stillWaiting = fan(0, null, { waitedUntilBatch: 500 });
    const stoppedEarly = fan(0, null, { waitedUntilBatch: 50 });
    expect(checkPlaces([stillWaiting, fan(10, 100)])).toMatchObject({ overtaken: 1 });
    expect(checkPlaces([stoppedEarly, fan(10, 100)])).toMatchObject({ overtaken: 0 });
  });

  it('never counts a later joiner who was not admitted as overtaking', () => {
    const waiting = fan(0, null, { waitedUntilBatch: 500 });
    const stoppedFirst = fan(10, null, { waitedUntilBatch: 400 });
    expect(checkPlaces([waiting, stoppedFirst])).toMatchObject({ overtaken: 0 });
  });

  it('counts a refused queue token once, even when the fan was overtaken too', () => {
    const refused = fan(0, null, { waitedUntilBatch: 500, refused: true });
    expect(checkPlaces([refused, fan(10, 100)])).toEqual({
      fans: 2,
      refused: 1,
      overtaken: 1,
      lost: 1,
    });
  });
});
