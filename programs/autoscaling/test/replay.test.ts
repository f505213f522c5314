// The replay loop against hand-worked cases: a new pod serves only once ready, and what the ready
// pods cannot carry is counted.
import { describe, expect, it } from 'vitest';
import { DEFAULT_SCALE_DOWN, DEFAULT_SCALE_UP } from '../src/hpa.js';
import { replay, summarise, type ReplayInput } from '../src/replay.js';

// 2 pods, 1 vCPU request and ceiling each, 0.01 vCPU-s per request: a pod carries 100 req/s;
// CPU target 50 %, seen over the last second; a new pod serves 20 s after the HPA adds it.
function input(offeredPerSecond: number, seconds = 60): ReplayInput {
  return {
    hpa: {
      minReplicas: 2,
      maxReplicas: 10,
      behavior: { scaleUp: DEFAULT_SCALE_UP, scaleDown: DEFAULT_SCALE_DOWN },
    },
    metrics: [{ kind: 'cpu', targetUtilization: 50, windowSeconds: 1 }],
    offered: Array.from({ length: seconds }, () => offeredPerSecond),
    vcpuSecondsPerUnit: Array.from({ length: seconds }, () => 0.01),
    cpuRequest: 1,
    cpuCeiling: 1,
    readySeconds: 20,
    queues: false,
  };
}

describe('replay', () => {
  it('adds a pod at the first sync and lets it serve only once ready', () => {
    const result = replay(input(150));
    const { seconds, scaleUps } = result;
    // 0–14 s: 2 pods carry 150 req/s at 150 × 0.01 / 2 / 1 = 75 % of request.
    expect(seconds[14]?.utilisation).toBeCloseTo(75);
    // Sync at 15 s: 75 / 50 = 1.5 → ceil(1.5 × 2) = 3; the default scale-up allows max(2 + 4, 4).
    expect(scaleUps[0]).toEqual({ second: 15, from: 2, to: 3 });
    expect(seconds[15]?.desired).toBe(3);
    // Ready at 15 + 20 = 35 s, not before.
    expect(seconds[34]?.ready).toBe(2);
    expect(seconds[35]?.ready).toBe(3);
    // Sync at 30 s: 2 ready at 75 %, 1 starting counted as 0: 75 × 2 / (50 × 3) = 1.0, inside the
    // tolerance → no second scale-up. From 35 s: 150 × 0.01 / 3 = 50 %, on target.
    expect(scaleUps).toHaveLength(1);
    expect(seconds[40]?.utilisation).toBeCloseTo(50);
    expect(summarise(result, 2).totalShortfall).toBe(0);
  });

  it('counts the requests the ready pods cannot take while new pods start', () => {
    const result = replay(input(300));
    // 0–14 s: 2 pods serve 200 of 300 req/s at 100 %. Sync at 15: 100 / 50 = 2 → 4 (the default
    // scale-up allows 6). Ready at 35. Sync at 30: 100 × 2 / (50 × 4) = 1.0 → holds at 4.
    // 35 s on: 4 pods carry 400 ≥ 300. Shortfall: 35 s × 100 req/s = 3,500.
    expect(result.scaleUps[0]).toEqual({ second: 15, from: 2, to: 4 });
    const summary = summarise(result, 2);
    expect(summary.totalShortfall).toBeCloseTo(3_500);
    expect(summary.secondsShort).toBe(35);
    expect(summary.firstShortSecond).toBe(0);
    // The floor alone carries 2 × 100 = 200 req/s, less than the 300 offered.
    expect(summary.floorCeiling).toBeCloseTo(200);
    expect(summary.floorCarries).toBe(false);
  });

  it('keeps unserved work in a backlog when the service queues', () => {
    // 250 msg/s against 200 of capacity for 15 s before the first sync: 50 more wait every second.
    const queued = replay({ ...input(250, 15), queues: true });
    expect(queued.seconds[14]?.backlog).toBeCloseTo(750);
  });
});
