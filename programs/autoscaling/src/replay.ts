// Plays the lifecycle's offered load second by second against one service's pods while its HPA
// syncs every 15 s. A pod the HPA adds serves only once it is ready (start-up estimate + probes);
// a pod it removes stops serving at once. What the ready pods cannot carry is counted as requests
// that would queue or fail.
import { SYNC_PERIOD_SECONDS, emptyState, syncHpa, type HpaSpec, type Observation } from './hpa.js';

/** How the HPA sees one metric, and how this service's load turns into it. */
export type ReplayMetric =
  | {
      kind: 'cpu';
      /** averageUtilization of the pod's CPU request, in %. */
      targetUtilization: number;
      /** The usage rate the metrics pipeline reports is an average over this many seconds. */
      windowSeconds: number;
    }
  | {
      kind: 'podsRate';
      name: string;
      /** Requests/s per pod the HPA aims at. */
      targetPerPod: number;
      /** prometheus-adapter's rate() window. */
      windowSeconds: number;
    }
  | {
      kind: 'backlog';
      name: string;
      targetPerPod: number;
      /** How old the backlog sample is when the HPA reads it. */
      delaySeconds: number;
    };

export interface ReplayInput {
  hpa: HpaSpec;
  metrics: readonly ReplayMetric[];
  /** Offered work per second (requests, or messages for the worker). */
  offered: readonly number[];
  /** vCPU-seconds one unit of work costs a pod, per second (the mix changes with the phase). */
  vcpuSecondsPerUnit: readonly number[];
  cpuRequest: number;
  /** The most vCPU one pod can use: its limit, and one Node process's event loop. */
  cpuCeiling: number;
  /** From the HPA creating a pod to the pod serving. */
  readySeconds: number;
  /** Whether unserved work waits (a Pub/Sub backlog) instead of being lost (HTTP requests). */
  queues: boolean;
  syncPeriodSeconds?: number;
}

export interface ReplaySecond {
  second: number;
  offered: number;
  served: number;
  /** Work offered this second that the ready pods could not take (queued or failed). */
  shortfall: number;
  /** Work waiting at the end of this second (queues only). */
  backlog: number;
  desired: number;
  ready: number;
  /** CPU used per ready pod as % of its request (what the HPA's Utilization target compares). */
  utilisation: number;
}

export interface ScaleUp {
  second: number;
  from: number;
  to: number;
}

export interface ReplayResult {
  seconds: ReplaySecond[];
  scaleUps: ScaleUp[];
  /** Units per second one ready pod carries at most, per second. */
  podCeiling: number[];
}

function costAt(input: ReplayInput, second: number): number {
  const cost = input.vcpuSecondsPerUnit[second];
  if (cost === undefined || !(cost > 0)) throw new Error(`no cost for second ${second}`);
  return cost;
}

function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((a, b) => a + b, 0) / values.length;
}

export function replay(input: ReplayInput): ReplayResult {
  const sync = input.syncPeriodSeconds ?? SYNC_PERIOD_SECONDS;
  const podCeiling = input.offered.map((_, i) => input.cpuCeiling / costAt(input, i));
  const state = emptyState();
  // Ready-at second of every pod; the floor's pods are running before the sale starts.
  let pods: number[] = Array.from({ length: input.hpa.minReplicas }, () => -Infinity);
  const seconds: ReplaySecond[] = [];
  const scaleUps: ScaleUp[] = [];
  let backlog = 0;
  for (let second = 0; second < input.offered.length; second += 1) {
    if (second % sync === 0 && second > 0) {
      const current = pods.length;
      const readyPods = pods.filter((at) => at <= second).length;
      const observations = input.metrics.map((metric) =>
        observe(metric, seconds, readyPods, current - readyPods),
      );
      const { desired } = syncHpa(input.hpa, state, current, observations, second);
      if (desired > current) {
        scaleUps.push({ second, from: current, to: desired });
        const readyAt = second + input.readySeconds;
        pods = [...pods, ...Array.from({ length: desired - current }, () => readyAt)];
      } else if (desired < current) {
        // A ReplicaSet deletes pods that are not ready first, then the youngest.
        pods = [...pods].sort((a, b) => a - b).slice(0, desired);
      }
    }
    const ready = pods.filter((at) => at <= second).length;
    const work = (input.offered[second] ?? 0) + (input.queues ? backlog : 0);
    const cost = costAt(input, second);
    const capacity = (ready * input.cpuCeiling) / cost;
    const served = Math.min(work, capacity);
    const shortfall = input.queues
      ? Math.max(0, (input.offered[second] ?? 0) - served)
      : work - served;
    backlog = input.queues ? work - served : 0;
    const utilisation = ready === 0 ? 0 : ((served * cost) / ready / input.cpuRequest) * 100;
    seconds.push({
      second,
      offered: input.offered[second] ?? 0,
      served,
      shortfall,
      backlog,
      desired: pods.length,
      ready,
      utilisation,
    });
  }
  return { seconds, scaleUps, podCeiling };
}

function observe(
  metric: ReplayMetric,
  history: readonly ReplaySecond[],
  readyPods: number,
  unreadyPods: number,
): Observation {
  if (metric.kind === 'backlog') {
    const sample = history[Math.max(0, history.length - 1 - metric.delaySeconds)];
    return {
      kind: 'external',
      total: sample?.backlog ?? 0,
      targetAverageValue: metric.targetPerPod,
    };
  }
  const window = history.slice(-metric.windowSeconds);
  if (metric.kind === 'cpu') {
    return {
      kind: 'perPod',
      averageOverReady: mean(window.map((s) => s.utilisation)),
      target: metric.targetUtilization,
      readyPods,
      unreadyPods,
    };
  }
  return {
    kind: 'perPod',
    averageOverReady: mean(window.map((s) => (s.ready === 0 ? 0 : s.served / s.ready))),
    target: metric.targetPerPod,
    readyPods,
    unreadyPods,
  };
}

export interface ReplaySummary {
  peakOffered: number;
  peakDesired: number;
  peakReady: number;
  peakUtilisation: number;
  /** Work the ready pods could not take, over the whole lifecycle. */
  totalShortfall: number;
  secondsShort: number;
  firstShortSecond: number | null;
  maxBacklog: number;
  /** Offered load the floor's pods carry at their ceiling, at the busiest second's mix. */
  floorCeiling: number;
  /** Whether the floor alone carries the busiest second, before any pod is added. */
  floorCarries: boolean;
}

export function summarise(result: ReplayResult, minReplicas: number): ReplaySummary {
  const s = result.seconds;
  const short = s.filter((x) => x.shortfall > 1e-9);
  // The busiest second is the one that needs most pods: offered load over one pod's ceiling at
  // that second's mix (a join costs twice a status poll, so the peak in req/s is not always it).
  let busiest: ReplaySecond | null = null;
  let most = -1;
  for (const x of s) {
    const pods = x.offered / (result.podCeiling[x.second] ?? Infinity);
    if (pods > most) {
      most = pods;
      busiest = x;
    }
  }
  const floorCeiling =
    busiest === null ? 0 : minReplicas * (result.podCeiling[busiest.second] ?? 0);
  return {
    peakOffered: Math.max(...s.map((x) => x.offered)),
    peakDesired: Math.max(...s.map((x) => x.desired)),
    peakReady: Math.max(...s.map((x) => x.ready)),
    peakUtilisation: Math.max(...s.map((x) => x.utilisation)),
    totalShortfall: s.reduce((sum, x) => sum + x.shortfall, 0),
    secondsShort: short.length,
    firstShortSecond: short[0]?.second ?? null,
    maxBacklog: Math.max(...s.map((x) => x.backlog)),
    floorCeiling,
    floorCarries: busiest === null || busiest.offered <= floorCeiling,
  };
}
