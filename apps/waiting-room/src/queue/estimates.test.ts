import { describe, expect, test } from 'vitest';
import type { EventSnapshot } from '../events/event-cache.js';
import { aheadOfYou, estimatedWaitSeconds, pollAfterMs } from './estimates.js';

function snapshot(overrides: Partial<EventSnapshot> = {}): EventSnapshot {
  return {
    id: 'ev-test',
    config: {
      id: 'ev-test',
      name: 'n',
      venue: 'v',
      ticketsTotal: 100,
      maxPerOrder: 4,
      opensAt: new Date(0).toISOString(),
      admissionRatePerSecond: 100,
      maxActiveCheckouts: 100,
      paused: false,
      joinChallengeBits: 0,
      maxPerBuyer: 4,
      checkoutWindowSeconds: 300,
    },
    opensAtMs: 0,
    seq: 10_000,
    preSeq: 0,
    sealed: true,
    base: 0,
    shuffled: true,
    front: 1_000,
    admittedTotal: 900,
    skippedLeft: 0,
    skippedAbandoned: 100,
    leftPending: 0,
    commitment: null,
    seed: null,
    stock: 100,
    sold: 0,
    activeCheckouts: 0,
    preCount: 0,
    achievedRatePerSecond: 50,
    noShowRate: 0.1,
    fetchedAt: 0,
    version: 1,
    shuffleNext: 0,
    recoveredAt: 0,
    stale: false,
    ...overrides,
  };
}

describe('estimates', () => {
  test('the wait comes from the measured rate and the no-show rate, not the setting', () => {
    const s = snapshot();
    // 900 ahead, 10% will not show, 50 admitted per second measured (100 configured).
    expect(estimatedWaitSeconds(s, 900)).toBe(Math.ceil((900 * 0.9) / 50));
    expect(estimatedWaitSeconds(snapshot({ achievedRatePerSecond: 0 }), 900)).toBe(
      Math.ceil((900 * 0.9) / 100),
    );
    expect(
      estimatedWaitSeconds(snapshot({ config: { ...s.config, paused: true } }), 900),
    ).toBeNull();
  });

  test('places of fans who left are taken off the count ahead, spread over the line', () => {
    expect(aheadOfYou(snapshot(), 1_001)).toBe(0);
    expect(aheadOfYou(snapshot(), 2_001)).toBe(1_000);
    expect(aheadOfYou(snapshot({ leftPending: 900 }), 2_001)).toBe(900);
  });

  test('far-back fans poll rarely, near-front fans every second, with jitter', () => {
    for (let i = 0; i < 100; i += 1) {
      const near = pollAfterMs(2, 10);
      const far = pollAfterMs(3_600, 100_000);
      expect(near).toBeGreaterThanOrEqual(800);
      expect(near).toBeLessThanOrEqual(1_200);
      expect(far).toBeGreaterThanOrEqual(24_000);
      expect(far).toBeLessThanOrEqual(36_000);
    }
    const samples = new Set(Array.from({ length: 20 }, () => pollAfterMs(3_600, 100_000)));
    expect(samples.size).toBeGreaterThan(1);
  });
});
