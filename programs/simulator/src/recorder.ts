import type { Endpoint, PhaseName } from '@frequency/k6/lifecycle';

/** Nearest-rank percentile of an ascending array; NaN for no samples. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? Number.NaN;
}

export function sortedCopy(values: readonly number[]): Float64Array {
  return Float64Array.from(values).sort();
}

export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export function summarize(values: readonly number[]): LatencySummary {
  const sorted = sortedCopy(values);
  return {
    count: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? (sorted[sorted.length - 1] ?? Number.NaN) : Number.NaN,
  };
}

/** What one response was: the status, and the contract's error code for a non-2xx answer. */
export interface Outcome {
  endpoint: Endpoint;
  phase: PhaseName;
  /** 0 when no response arrived (connection refused or reset, timeout). */
  status: number;
  code: string | null;
  latencyMs: number;
  /** Milliseconds since the start of the run. */
  at: number;
}

/** 409 SOLD_OUT / INSUFFICIENT_TICKETS and 429 RATE_LIMITED are answers the sale gives on purpose. */
export function isExpected(outcome: Pick<Outcome, 'status'>): boolean {
  return (
    (outcome.status >= 200 && outcome.status < 300) ||
    outcome.status === 409 ||
    outcome.status === 429
  );
}

export interface SecondBucket {
  requests: number;
  ok: number;
  conflicts: number;
  rateLimited: number;
  errors: number;
  /** Joins and orders answered: the denominator of the 409 rate (the requests that can meet SOLD_OUT). */
  saleRequests: number;
  saleConflicts: number;
  latencies: number[];
}

function emptyBucket(): SecondBucket {
  return {
    requests: 0,
    ok: 0,
    conflicts: 0,
    rateLimited: 0,
    errors: 0,
    saleRequests: 0,
    saleConflicts: 0,
    latencies: [],
  };
}

/** Someone else who counts every answer and every request not sent (the k6 series). */
export interface RecorderObserver {
  record(outcome: Outcome): void;
  skipped(phase: PhaseName): void;
}

/** Everything the report needs from the requests, aggregated as they come (no per-request log). */
export class Recorder {
  constructor(private readonly observer: RecorderObserver | null = null) {}

  readonly latencies = new Map<Endpoint, number[]>();
  readonly phaseLatencies = new Map<PhaseName, number[]>();
  /** phase -> "endpoint status code" -> count */
  readonly outcomes = new Map<PhaseName, Map<string, number>>();
  readonly seconds: SecondBucket[] = [];
  readonly notSent = new Map<PhaseName, number>();
  total = 0;
  unexpected = 0;

  record(outcome: Outcome): void {
    this.observer?.record(outcome);
    this.total += 1;
    push(this.latencies, outcome.endpoint, outcome.latencyMs);
    if (outcome.endpoint !== 'page') push(this.phaseLatencies, outcome.phase, outcome.latencyMs);
    let byPhase = this.outcomes.get(outcome.phase);
    if (!byPhase) {
      byPhase = new Map();
      this.outcomes.set(outcome.phase, byPhase);
    }
    const key = `${outcome.endpoint} ${outcome.status === 0 ? 'network' : outcome.status}${outcome.code ? ` ${outcome.code}` : ''}`;
    byPhase.set(key, (byPhase.get(key) ?? 0) + 1);

    const second = Math.max(0, Math.floor(outcome.at / 1000));
    while (this.seconds.length <= second) this.seconds.push(emptyBucket());
    const bucket = this.seconds[second] ?? emptyBucket();
    bucket.requests += 1;
    bucket.latencies.push(outcome.latencyMs);
    if (outcome.status >= 200 && outcome.status < 300) bucket.ok += 1;
    else if (outcome.status === 409) bucket.conflicts += 1;
    else if (outcome.status === 429) bucket.rateLimited += 1;
    else bucket.errors += 1;
    if (outcome.endpoint === 'join' || outcome.endpoint === 'order') {
      bucket.saleRequests += 1;
      if (outcome.status === 409) bucket.saleConflicts += 1;
    }
    if (!isExpected(outcome)) this.unexpected += 1;
  }

  skipped(phase: PhaseName): void {
    this.observer?.skipped(phase);
    this.notSent.set(phase, (this.notSent.get(phase) ?? 0) + 1);
  }

  /** Requests per second and p99 of the last `windowSeconds` complete seconds before `atMs`. */
  recent(atMs: number, windowSeconds = 3): { rate: number; p99: number; errors: number } {
    const last = Math.floor(atMs / 1000) - 1;
    const values: number[] = [];
    let requests = 0;
    let errors = 0;
    for (let s = Math.max(0, last - windowSeconds + 1); s <= last; s++) {
      const bucket = this.seconds[s];
      if (!bucket) continue;
      requests += bucket.requests;
      errors += bucket.errors;
      values.push(...bucket.latencies);
    }
    return { rate: requests / windowSeconds, p99: percentile(sortedCopy(values), 99), errors };
  }
}

function push<K>(map: Map<K, number[]>, key: K, value: number): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}
