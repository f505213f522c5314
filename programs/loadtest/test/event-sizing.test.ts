import { scalePhases } from '@frequency/k6/lifecycle';
import { describe, expect, it } from 'vitest';
import { meanQuantity, minJoinsPerSecond, sizeEvent } from '../src/event-sizing.js';

describe('minJoinsPerSecond', () => {
  it('is the arrivals share of iterations times the join weight', () => {
    const [warmUp, preSale, opening] = scalePhases({ rateScale: 0.02, timeScale: 0.1 });
    // warm_up: nobody joins.
    expect(warmUp && minJoinsPerSecond(warmUp)).toBe(0);
    // pre_sale at 200 req/s: half the iterations to arrivals, 3 of 10 arrivals join.
    expect(preSale && minJoinsPerSecond(preSale)).toBeCloseTo(200 * 0.5 * 0.3);
    // sale_opening at 1,000 req/s: a fifth to arrivals, 8 of 10 join.
    expect(opening && minJoinsPerSecond(opening)).toBeCloseTo(1_000 * 0.2 * 0.8);
  });
});

describe('sizeEvent', () => {
  it('admits a quarter of the opening join inflow and sells what that pace sells by 40% into sustained', () => {
    // RATE_SCALE 0.02, TIME_SCALE 0.1: pre_sale 12 s at 30 joins/s fills the pre-queue with 360,
    // sale_opening (24-42 s) adds 160 joins/s, so the queue never empties and 40 fans/s are
    // admitted from second 24 to second 54 (42 + 40% of sustained's 30 s): 30 s × 40 × 2.25.
    const sizing = sizeEvent({ rateScale: 0.02, timeScale: 0.1 });
    expect(meanQuantity()).toBeCloseTo(2.25);
    expect(sizing.admissionRatePerSecond).toBe(40);
    expect(sizing.expectedSellOutSeconds).toBe(54);
    expect(sizing.ticketsTotal).toBe(30 * 40 * 2.25);
    expect(sizing.maxActiveCheckouts).toBeGreaterThanOrEqual(sizing.admissionRatePerSecond * 30);
  });

  it('sells out after sale_opening ends and before sold_out starts, at every scale', () => {
    for (const [rateScale, timeScale] of [
      [0.005, 0.2],
      [0.01, 0.5],
      [0.05, 1],
      [1, 1],
    ] as const) {
      const phases = scalePhases({ rateScale, timeScale });
      const opening = phases.find((phase) => phase.name === 'sale_opening');
      const soldOut = phases.find((phase) => phase.name === 'sold_out');
      if (opening === undefined || soldOut === undefined) throw new Error('phases missing');
      const sizing = sizeEvent({ rateScale, timeScale });
      const openingEnds = opening.startSeconds + opening.scaledDurationSeconds;
      expect(sizing.expectedSellOutSeconds).toBeGreaterThan(openingEnds);
      expect(sizing.expectedSellOutSeconds).toBeLessThan(soldOut.startSeconds);
      // What the admissions sell by the end of opening is well short of the stock.
      const soldByOpeningEnd =
        sizing.admissionRatePerSecond * opening.scaledDurationSeconds * meanQuantity();
      expect(soldByOpeningEnd).toBeLessThan(sizing.ticketsTotal * 0.7);
    }
  });

  it('grows with the rate and the duration', () => {
    const base = sizeEvent({ rateScale: 0.01, timeScale: 0.5 }).ticketsTotal;
    expect(sizeEvent({ rateScale: 0.02, timeScale: 0.5 }).ticketsTotal).toBeCloseTo(base * 2, -2);
    expect(sizeEvent({ rateScale: 0.01, timeScale: 1 }).ticketsTotal).toBeCloseTo(base * 2, -2);
  });

  it('refuses a sell-out point outside the sustained phase', () => {
    expect(() =>
      sizeEvent({ rateScale: 0.01, timeScale: 0.5, sellOutShareOfSustained: 1.2 }),
    ).toThrow(/sellOutShareOfSustained/);
  });
});
