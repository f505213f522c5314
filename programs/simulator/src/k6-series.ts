// The simulator reports in k6's series so the load-test dashboard shows either tool's run: the
// names and labels k6's Prometheus remote-write output gives the same measurements
// (k6_http_reqs_total{scenario,endpoint,status,testid}, k6_http_req_duration_p95/_p99 in seconds,
// k6_*_rate, k6_vus, k6_vus_max, k6_dropped_iterations_total), served on /metrics for Prometheus to
// scrape. Every figure is the simulator's own measurement. As in k6's output, the percentiles and
// rates cover the run so far per series (k6 aggregates a trend over the whole test), the scenario is
// the sale phase, and the VUs are the requests in flight (a k6 VU runs one request at a time)
// against the in-flight cap as the VUs allocated.
import { createServer, type Server } from 'node:http';
import { PHASES, type Endpoint, type PhaseName } from '@frequency/k6/lifecycle';
import { Counter, Gauge, Registry } from 'prom-client';
import { isExpected, percentile, sortedCopy, type Outcome } from './recorder.js';

interface SeriesTotals {
  requests: number;
  failed: number;
  saleAnswers: number;
  soldOut: number;
}

export class K6Series {
  readonly registry = new Registry();
  readonly #latencies = new Map<
    string,
    { scenario: PhaseName; endpoint: Endpoint; ms: number[] }
  >();
  readonly #totals = new Map<PhaseName, SeriesTotals>();
  readonly #requests: Counter<'scenario' | 'endpoint' | 'status' | 'testid'>;
  readonly #dropped: Counter<'scenario' | 'testid'>;
  inFlight = 0;

  constructor(
    readonly testid: string,
    maxInFlight: number,
  ) {
    const registers = [this.registry];
    this.#requests = new Counter({
      name: 'k6_http_reqs_total',
      help: 'HTTP requests answered (or failed without an answer: status 0), as k6 counts http_reqs',
      labelNames: ['scenario', 'endpoint', 'status', 'testid'],
      registers,
    });
    this.#dropped = new Counter({
      name: 'k6_dropped_iterations_total',
      help: 'Requests that were due but not sent because the in-flight cap was reached',
      labelNames: ['scenario', 'testid'],
      registers,
    });
    // None dropped is a measurement too: the series exists from the start at 0.
    for (const phase of PHASES) this.#dropped.labels(phase.name, testid).inc(0);
    const inFlight = (): number => this.inFlight;
    const latencies = this.#latencies;
    const totals = this.#totals;
    new Gauge({
      name: 'k6_vus',
      help: 'Requests in flight',
      labelNames: ['testid'],
      registers,
      collect() {
        this.labels(testid).set(inFlight());
      },
    });
    new Gauge({
      name: 'k6_vus_max',
      help: 'Requests in flight at most (SIM_MAX_IN_FLIGHT)',
      labelNames: ['testid'],
      registers,
      collect() {
        this.labels(testid).set(maxInFlight);
      },
    });
    for (const p of [95, 99] as const) {
      new Gauge({
        name: `k6_http_req_duration_p${p}`,
        help: `p${p} of http_req_duration so far, seconds`,
        labelNames: ['scenario', 'endpoint', 'testid'],
        registers,
        collect() {
          for (const { scenario, endpoint, ms } of latencies.values())
            this.labels(scenario, endpoint, testid).set(percentile(sortedCopy(ms), p) / 1000);
        },
      });
    }
    const rate = (name: string, help: string, of: (t: SeriesTotals) => [number, number]) =>
      new Gauge({
        name,
        help,
        labelNames: ['scenario', 'testid'],
        registers,
        collect() {
          for (const [scenario, phaseTotals] of totals) {
            const [hits, total] = of(phaseTotals);
            if (total > 0) this.labels(scenario, testid).set(hits / total);
          }
        },
      });
    rate(
      'k6_http_req_failed_rate',
      'Share of requests without an expected answer (2xx, 409, 429)',
      (t) => [t.failed, t.requests],
    );
    rate(
      'k6_unexpected_errors_rate',
      'Share of requests answered neither as the contract says nor on purpose',
      (t) => [t.failed, t.requests],
    );
    rate(
      'k6_sold_out_responses_rate',
      'Share of join and order answers that were 409 (sold out)',
      (t) => [t.soldOut, t.saleAnswers],
    );
  }

  record(outcome: Outcome): void {
    this.#requests
      .labels(outcome.phase, outcome.endpoint, String(outcome.status), this.testid)
      .inc();
    const key = `${outcome.phase} ${outcome.endpoint}`;
    let latencies = this.#latencies.get(key);
    if (!latencies) {
      latencies = { scenario: outcome.phase, endpoint: outcome.endpoint, ms: [] };
      this.#latencies.set(key, latencies);
    }
    latencies.ms.push(outcome.latencyMs);
    let totals = this.#totals.get(outcome.phase);
    if (!totals) {
      totals = { requests: 0, failed: 0, saleAnswers: 0, soldOut: 0 };
      this.#totals.set(outcome.phase, totals);
    }
    totals.requests += 1;
    if (!isExpected(outcome)) totals.failed += 1;
    if (outcome.endpoint === 'join' || outcome.endpoint === 'order') {
      totals.saleAnswers += 1;
      if (outcome.status === 409) totals.soldOut += 1;
    }
  }

  skipped(phase: PhaseName): void {
    this.#dropped.labels(phase, this.testid).inc();
  }

  /** Serves /metrics on 127.0.0.1 (port 0: a free one); resolves with the host:port to scrape. */
  async serve(port = 0): Promise<{ target: string; close(): Promise<void> }> {
    const server: Server = createServer((request, response) => {
      if (request.url !== '/metrics') {
        response.writeHead(404).end();
        return;
      }
      this.registry.metrics().then(
        (text) => {
          response.writeHead(200, { 'content-type': this.registry.contentType }).end(text);
        },
        (err: unknown) => {
          response.writeHead(500).end(String(err));
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    const address = server.address();
    const bound = typeof address === 'object' && address ? address.port : port;
    return {
      target: `127.0.0.1:${bound}`,
      close: () =>
        new Promise<void>((resolve) => {
          server.close(() => {
            resolve();
          });
        }),
    };
  }
}
