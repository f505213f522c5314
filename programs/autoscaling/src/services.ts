// Ties one service's manifests, the benchmarked per-request cost and the lifecycle's demand into
// the replay's input: which endpoints it serves, what its HPA metrics see, and when a new pod serves.
import type { Endpoint } from '@frequency/k6/lifecycle';
import { vcpuSecondsPerRequest, type Capacity } from './capacity.js';
import { meanTicketsPerOrder, type DemandSecond } from './demand.js';
import type { ServiceManifest, Service } from './manifests.js';
import type { ReplayInput, ReplayMetric } from './replay.js';

export const ENDPOINTS_BY_SERVICE: Readonly<Record<Service, readonly Endpoint[]>> = {
  'waiting-room': ['join', 'status', 'event'],
  checkout: ['availability', 'order', 'order_status'],
  web: ['page'],
  worker: [],
};

/** What the replay states rather than reads: everything here is printed beside the results. */
export interface Timings {
  /**
   * From the HPA raising the count to the container's process listening: scheduling on a node with
   * room (the node pool is sized before the sale; a new node would add a minute or more), pulling
   * the image (a few hundred MB from the same region) and Node's start.
   */
  podStartSeconds: number;
  /** metrics-server's CPU usage rate is an average over about this window. */
  cpuWindowSeconds: number;
  /** Cloud Monitoring samples Pub/Sub backlog every 60 s and shows it up to 120 s later. */
  backlogDelaySeconds: number;
}

export const DEFAULT_TIMINGS: Timings = {
  podStartSeconds: 20,
  cpuWindowSeconds: 30,
  backlogDelaySeconds: 120,
};

/** Start estimate + the first startup probe success + the first readiness probe success. */
export function readySeconds(manifest: ServiceManifest, timings: Timings): number {
  const probe = (p: ServiceManifest['startupProbe']) =>
    p === null ? 0 : p.initialDelaySeconds + p.periodSeconds;
  return timings.podStartSeconds + probe(manifest.startupProbe) + probe(manifest.readinessProbe);
}

export function replayMetrics(
  manifest: ServiceManifest,
  timings: Timings,
  adapterWindowSeconds: number,
): ReplayMetric[] {
  return manifest.metrics.map((metric): ReplayMetric => {
    if (metric.type === 'Resource') {
      if (metric.resource.name !== 'cpu') {
        throw new Error(`${manifest.service}: only the cpu resource metric is replayed`);
      }
      return {
        kind: 'cpu',
        targetUtilization: metric.resource.target.averageUtilization,
        windowSeconds: timings.cpuWindowSeconds,
      };
    }
    if (metric.type === 'Pods') {
      return {
        kind: 'podsRate',
        name: metric.pods.metric.name,
        targetPerPod: metric.pods.target.averageValue,
        windowSeconds: adapterWindowSeconds,
      };
    }
    return {
      kind: 'backlog',
      name: metric.external.metric.name,
      targetPerPod: metric.external.target.averageValue,
      delaySeconds: timings.backlogDelaySeconds,
    };
  });
}

export interface ServiceLoad {
  offered: number[];
  vcpuSecondsPerUnit: number[];
  unit: 'req/s' | 'msg/s';
}

/** The service's offered load and its cost per unit, second by second, at that second's mix. */
export function serviceLoad(
  service: Service,
  demand: readonly DemandSecond[],
  capacity: Capacity,
): ServiceLoad {
  if (service === 'worker') {
    // One purchase intent persists one order row and its tickets' rows.
    const rowsPerMessage = 1 + meanTicketsPerOrder();
    const cost =
      (capacity.assumptions.vcpuPerBenchCore * rowsPerMessage) / capacity.persistRowsPerCore;
    return {
      offered: demand.map((s) => s.purchaseIntents),
      vcpuSecondsPerUnit: demand.map(() => cost),
      unit: 'msg/s',
    };
  }
  const endpoints = ENDPOINTS_BY_SERVICE[service];
  const offered: number[] = [];
  const costs: number[] = [];
  const fallback = Math.max(...endpoints.map((e) => vcpuSecondsPerRequest(capacity, e)));
  for (const s of demand) {
    let total = 0;
    let vcpu = 0;
    for (const endpoint of endpoints) {
      total += s.requests[endpoint];
      vcpu += s.requests[endpoint] * vcpuSecondsPerRequest(capacity, endpoint);
    }
    offered.push(total);
    // A second without load still needs a cost to state a ceiling: the dearest endpoint's.
    costs.push(total > 0 ? vcpu / total : fallback);
  }
  return { offered, vcpuSecondsPerUnit: costs, unit: 'req/s' };
}

export function replayInput(
  manifest: ServiceManifest,
  load: ServiceLoad,
  capacity: Capacity,
  timings: Timings,
  adapterWindowSeconds: number,
): ReplayInput {
  return {
    hpa: manifest.hpa,
    metrics: replayMetrics(manifest, timings, adapterWindowSeconds),
    offered: load.offered,
    vcpuSecondsPerUnit: load.vcpuSecondsPerUnit,
    cpuRequest: manifest.cpuRequest,
    // One Node process runs JavaScript on one thread: it uses at most about one core here, and
    // never more than its limit.
    cpuCeiling: Math.min(manifest.cpuLimit, capacity.assumptions.vcpuPerBenchCore),
    readySeconds: readySeconds(manifest, timings),
    queues: manifest.service === 'worker',
  };
}
