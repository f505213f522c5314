import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';

/**
 * Latency buckets that resolve 1 ms .. 5 s: dense under 50 ms where the hot paths live, sparse above,
 * 14 buckets keep the series count per route small.
 */
export const latencyBuckets = [
  0.001, 0.0025, 0.005, 0.0075, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5,
];

export interface ServiceMetrics {
  registry: Registry;
  httpRequests: Counter<'route' | 'method' | 'status_code'>;
  httpDuration: Histogram<'route' | 'method'>;
}

/** One registry per process, with default Node metrics and a `service` label on every series. */
export function createMetrics(service: string): ServiceMetrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  const httpRequests = new Counter({
    name: 'http_requests_total',
    help: 'HTTP requests by route, method and status code',
    labelNames: ['route', 'method', 'status_code'] as const,
    registers: [registry],
  });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['route', 'method'] as const,
    buckets: latencyBuckets,
    registers: [registry],
  });
  return { registry, httpRequests, httpDuration };
}
