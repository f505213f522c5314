// The HPA calculation against cases worked out by hand from kubernetes.io's algorithm description.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_SCALE_DOWN,
  DEFAULT_SCALE_UP,
  emptyState,
  proposeReplicas,
  syncHpa,
  type HpaSpec,
  type PerPodObservation,
  type ScalingRules,
} from '../src/hpa.js';

const cpu = (averageOverReady: number, readyPods: number, unreadyPods = 0): PerPodObservation => ({
  kind: 'perPod',
  averageOverReady,
  target: 60,
  readyPods,
  unreadyPods,
});

function spec(
  overrides: Partial<HpaSpec> = {},
  scaleUp = DEFAULT_SCALE_UP,
  scaleDown = DEFAULT_SCALE_DOWN,
): HpaSpec {
  return { minReplicas: 1, maxReplicas: 100, behavior: { scaleUp, scaleDown }, ...overrides };
}

const upBoth = (selectPolicy: ScalingRules['selectPolicy']): ScalingRules => ({
  stabilizationWindowSeconds: 0,
  selectPolicy,
  policies: [
    { type: 'Percent', value: 100, periodSeconds: 15 },
    { type: 'Pods', value: 4, periodSeconds: 15 },
  ],
});

describe('one metric', () => {
  it('keeps the count inside the 10% tolerance band and scales just outside it', () => {
    // 65 / 60 = 1.083: |1 − 1.083| = 0.083 ≤ 0.1 → stays at 10.
    expect(proposeReplicas(10, cpu(65, 10))).toBe(10);
    // 54 / 60 = 0.9: |1 − 0.9| = 0.1 ≤ 0.1 → stays at 10 (the band's edge is inside).
    expect(proposeReplicas(10, cpu(54, 10))).toBe(10);
    // 67 / 60 = 1.1167 > 1.1 → ceil(10 × 1.1167) = ceil(11.17) = 12.
    expect(proposeReplicas(10, cpu(67, 10))).toBe(12);
    // 30 / 60 = 0.5 → ceil(10 × 0.5) = 5.
    expect(proposeReplicas(10, cpu(30, 10))).toBe(5);
  });

  it('counts pods that are not ready yet as using nothing when scaling up', () => {
    // 5 ready at 120 %, 5 starting: ratio over ready = 2, recomputed over all 10 pods:
    // 120 × 5 / (60 × 10) = 1.0 → inside the tolerance → stays at 10.
    expect(proposeReplicas(10, cpu(120, 5, 5))).toBe(10);
    // 180 × 5 / (60 × 10) = 1.5 → ceil(1.5 × 10) = 15.
    expect(proposeReplicas(10, cpu(180, 5, 5))).toBe(15);
    // Without the starting pods the same 120 % would ask for ceil(2 × 5) = 10 from 5.
    expect(proposeReplicas(5, cpu(120, 5))).toBe(10);
  });

  it('divides an External AverageValue metric by the target', () => {
    // 10,000 / (2,000 × 3) = 1.67 → ceil(10,000 / 2,000) = 5.
    expect(proposeReplicas(3, { kind: 'external', total: 10_000, targetAverageValue: 2_000 })).toBe(
      5,
    );
    // 6,500 / 6,000 = 1.083 → inside the tolerance → stays at 3.
    expect(proposeReplicas(3, { kind: 'external', total: 6_500, targetAverageValue: 2_000 })).toBe(
      3,
    );
  });
});

describe('several metrics', () => {
  it('takes the largest proposal', () => {
    const state = emptyState();
    const rps: PerPodObservation = {
      kind: 'perPod',
      averageOverReady: 9_000,
      target: 8_000,
      readyPods: 10,
      unreadyPods: 0,
    };
    // CPU: 90 / 60 = 1.5 → 15; rps: 9,000 / 8,000 = 1.125 → ceil(11.25) = 12; max → 15
    // (the default scale-up allows max(10 + 4, 10 × 2) = 20).
    expect(syncHpa(spec(), state, 10, [cpu(90, 10), rps], 0).desired).toBe(15);
  });

  it('does not scale down while any metric holds the count', () => {
    const rps: PerPodObservation = {
      kind: 'perPod',
      averageOverReady: 8_400,
      target: 8_000,
      readyPods: 10,
      unreadyPods: 0,
    };
    // CPU: 30 / 60 → 5; rps: 1.05 is inside the tolerance → 10; max → 10.
    expect(syncHpa(spec(), emptyState(), 10, [cpu(30, 10), rps], 0).desired).toBe(10);
  });
});

describe('scale-up policies', () => {
  it('Max picks the policy that adds most, per 15 s period', () => {
    const state = emptyState();
    const hpa = spec({}, upBoth('Max'));
    // Proposal: 600 / 60 = 10 → 30 from 3. Percent 100: ceil(3 × 2) = 6; Pods 4: 3 + 4 = 7; Max → 7.
    expect(syncHpa(hpa, state, 3, [cpu(600, 3)], 0).desired).toBe(7);
    // 5 s later, still inside the period that added 4: it started at 7 − 4 = 3, so the limits are
    // again 6 and 7 → stays at 7.
    expect(syncHpa(hpa, state, 7, [cpu(600, 7)], 5).desired).toBe(7);
    // At 15 s the first change has left the period (it was at 0, not after 15 − 15 = 0): from 7,
    // Percent ceil(7 × 2) = 14, Pods 11 → 14 (proposal ceil(7 × 10) = 70).
    expect(syncHpa(hpa, state, 7, [cpu(600, 7)], 15).desired).toBe(14);
  });

  it('Min picks the policy that adds least', () => {
    // From 3: Percent 6, Pods 7 → Min 6.
    expect(syncHpa(spec({}, upBoth('Min')), emptyState(), 3, [cpu(600, 3)], 0).desired).toBe(6);
  });

  it('Disabled never scales up, and still scales down', () => {
    const disabled: ScalingRules = { ...upBoth('Max'), selectPolicy: 'Disabled' };
    expect(syncHpa(spec({}, disabled), emptyState(), 3, [cpu(600, 3)], 0).desired).toBe(3);
    const noWindow = { ...DEFAULT_SCALE_DOWN, stabilizationWindowSeconds: 0 };
    // 30 / 60 → ceil(0.5 × 10) = 5; the default scale-down (100 % per 15 s) allows it.
    expect(syncHpa(spec({}, disabled, noWindow), emptyState(), 10, [cpu(30, 10)], 0).desired).toBe(
      5,
    );
  });

  it('Disabled scale-down keeps the count', () => {
    const disabled: ScalingRules = { ...DEFAULT_SCALE_DOWN, selectPolicy: 'Disabled' };
    expect(
      syncHpa(spec({}, DEFAULT_SCALE_UP, disabled), emptyState(), 10, [cpu(6, 10)], 0).desired,
    ).toBe(10);
  });
});

describe('scale-down', () => {
  it('waits out the stabilisation window (default 300 s) before acting on lower load', () => {
    const state = emptyState();
    const hpa = spec();
    // t = 0: 60 / 60 → 10, recorded.
    expect(syncHpa(hpa, state, 10, [cpu(60, 10)], 0).desired).toBe(10);
    // From 15 s on the load halves: proposal ceil(0.5 × 10) = 5, but the window still holds the
    // recommendation 10 from t = 0 (0 > t − 300 until t = 300), so the count stays 10.
    for (let t = 15; t < 300; t += 15) {
      expect(syncHpa(hpa, state, 10, [cpu(30, 10)], t).desired).toBe(10);
    }
    // t = 300: the 10 from t = 0 is no longer after 300 − 300 = 0; every recommendation left is 5.
    // Default scale-down policy, 100 % per 15 s: floor(10 × 0) = 0 allows it → 5.
    expect(syncHpa(hpa, state, 10, [cpu(30, 10)], 300).desired).toBe(5);
  });

  it('removes at most the policy share per period', () => {
    const tenPercent: ScalingRules = {
      stabilizationWindowSeconds: 0,
      selectPolicy: 'Max',
      policies: [{ type: 'Percent', value: 10, periodSeconds: 60 }],
    };
    const state = emptyState();
    const hpa = spec({}, DEFAULT_SCALE_UP, tenPercent);
    // Proposal ceil(20 × 6 / 60) = 2; the policy allows floor(20 × 0.9) = 18.
    expect(syncHpa(hpa, state, 20, [cpu(6, 20)], 0).desired).toBe(18);
    // 15 s later the 2 removed still count: the period started at 18 + 2 = 20 → 18 again, no change.
    expect(syncHpa(hpa, state, 18, [cpu(6, 18)], 15).desired).toBe(18);
    // At 60 s the removal at 0 is out of the period: floor(18 × 0.9) = floor(16.2) = 16.
    expect(syncHpa(hpa, state, 18, [cpu(6, 18)], 60).desired).toBe(16);
  });
});

describe('bounds', () => {
  it('clamps to maxReplicas and minReplicas', () => {
    // 120 / 60 = 2 → 20, allowed by the policies (max(14, 20) = 20), clamped to 12.
    expect(syncHpa(spec({ maxReplicas: 12 }), emptyState(), 10, [cpu(120, 10)], 0).desired).toBe(
      12,
    );
    const noWindow = { ...DEFAULT_SCALE_DOWN, stabilizationWindowSeconds: 0 };
    // 6 / 60 = 0.1 → ceil(1) = 1, raised to minReplicas 4.
    expect(
      syncHpa(
        spec({ minReplicas: 4 }, DEFAULT_SCALE_UP, noWindow),
        emptyState(),
        10,
        [cpu(6, 10)],
        0,
      ).desired,
    ).toBe(4);
  });

  it('moves a count outside the bounds straight to the bound', () => {
    // Below the floor the controller sets the floor at once, whatever the policies allow.
    expect(
      syncHpa(spec({ minReplicas: 12 }, upBoth('Min')), emptyState(), 2, [cpu(0, 2)], 0).desired,
    ).toBe(12);
    expect(syncHpa(spec({ maxReplicas: 8 }), emptyState(), 10, [cpu(600, 10)], 0).desired).toBe(8);
  });
});
