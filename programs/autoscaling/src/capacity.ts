// Per-request CPU cost of every lifecycle endpoint, from the benchmarks' BENCH lines (programs/bench),
// and the conversion to what the HPA measures: CPU utilisation of the pod's request, requests/s per
// pod, and a worker's messages/s.
//
// A bench runs one service process beside its load generator on this machine: its req/s is what one
// process does on (about) one core here. One core here ≈ VCPU_PER_BENCH_CORE GKE vCPU
// (docs/deploy.md's conversion), so a request costs vcpuPerBenchCore / rps vCPU-seconds on a node.
import { parseBenchLine, type BenchFigure } from '@frequency/bench';
import type { Endpoint } from '@frequency/k6/lifecycle';

/** Bench figures by the names their scripts print (apps/<service>/bench). */
export const FIGURE_NAMES = {
  status: 'GET /queue/me (waiting fan)',
  join: 'POST /queue (join)',
  order: 'order placement vs hello-world GET',
  persist: 'worker persist (PostgresStore.persist)',
} as const;

export interface Assumptions {
  /** GKE vCPU per core of this machine (docs/deploy.md). */
  vcpuPerBenchCore: number;
  /**
   * Server-rendered pages per second per core: apps/web has no throughput bench, so this one is
   * stated, not measured.
   */
  webPagesPerCore: number;
}

export const DEFAULT_ASSUMPTIONS: Assumptions = { vcpuPerBenchCore: 2, webPagesPerCore: 1_000 };

export interface EndpointCost {
  endpoint: Endpoint;
  /** Requests per second one process does on one core here. */
  perCore: number;
  /** Where the figure comes from, in words, with its bare baseline and ratio when it has one. */
  source: string;
  measured: boolean;
  baseline: number | null;
  ratio: number | null;
}

export interface Capacity {
  endpoints: Record<Endpoint, EndpointCost>;
  /** Rows/s the worker's persist stage does on one core here. */
  persistRowsPerCore: number;
  persistFigure: BenchFigure;
  bareBaseline: number;
  assumptions: Assumptions;
}

export function figuresFromOutput(text: string): BenchFigure[] {
  return text
    .split('\n')
    .map((line) => parseBenchLine(line))
    .filter((figure): figure is BenchFigure => figure !== null);
}

function find(figures: readonly BenchFigure[], name: string): BenchFigure {
  const figure = figures.find((f) => f.name === name);
  if (figure === undefined) {
    throw new Error(
      `the bench output has no "${name}" figure; was its bench run and did it finish?`,
    );
  }
  return figure;
}

export function deriveCapacity(
  figures: readonly BenchFigure[],
  assumptions: Assumptions = DEFAULT_ASSUMPTIONS,
): Capacity {
  const status = find(figures, FIGURE_NAMES.status);
  const join = find(figures, FIGURE_NAMES.join);
  const order = find(figures, FIGURE_NAMES.order);
  const persist = find(figures, FIGURE_NAMES.persist);
  const bare = status.baseline;
  if (bare === null || bare <= 0) throw new Error('the status poll figure has no bare baseline');
  const measured = (endpoint: Endpoint, figure: BenchFigure, what: string): EndpointCost => ({
    endpoint,
    perCore: figure.value,
    source: `measured: ${what}`,
    measured: true,
    baseline: figure.baseline,
    ratio: figure.ratio,
  });
  const assumed = (endpoint: Endpoint, perCore: number, why: string): EndpointCost => ({
    endpoint,
    perCore,
    source: `assumed: ${why}`,
    measured: false,
    baseline: bare,
    ratio: Math.round((perCore / bare) * 1000) / 1000,
  });
  return {
    endpoints: {
      status: measured('status', status, status.name),
      join: measured('join', join, join.name),
      order: measured('order', order, 'order placement (ES256 + Lua + publish)'),
      event: assumed('event', bare, 'in-memory snapshot, counted as the bare hello-world'),
      availability: assumed(
        'availability',
        bare,
        'cached 200 ms in memory, as the bare hello-world',
      ),
      order_status: assumed(
        'order_status',
        status.value,
        'one token check + one hash read, as a status poll',
      ),
      page: assumed('page', assumptions.webPagesPerCore, 'apps/web has no throughput bench'),
    },
    persistRowsPerCore: persist.value,
    persistFigure: persist,
    bareBaseline: bare,
    assumptions,
  };
}

/** vCPU-seconds one request of an endpoint costs a pod. */
export function vcpuSecondsPerRequest(capacity: Capacity, endpoint: Endpoint): number {
  return capacity.assumptions.vcpuPerBenchCore / capacity.endpoints[endpoint].perCore;
}
