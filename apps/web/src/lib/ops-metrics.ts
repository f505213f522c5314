import { z } from 'zod';
import { histogramBuckets, parsePrometheus, type Sample, sumSamples } from './prometheus';

/**
 * What `/api/ops/metrics` returns: raw counters and buckets per service, plus the gauges ops watch.
 * Rates and p99 are computed in the browser from two consecutive answers, so the route keeps no state
 * and any number of consoles can watch at once.
 */
export const serviceNames = ['waiting-room', 'checkout', 'worker'] as const;
export type ServiceName = (typeof serviceNames)[number];

const ServiceFiguresSchema = z.object({
  service: z.enum(serviceNames),
  up: z.boolean(),
  requestsTotal: z.number().nullable(),
  /** [upper bound in seconds, cumulative count]; +Inf is sent as null (JSON has no Infinity). */
  latencyBuckets: z.array(z.tuple([z.number().nullable(), z.number()])),
});

export const OpsMetricsSchema = z.object({
  scrapedAt: z.number(),
  event: z.string(),
  services: z.array(ServiceFiguresSchema),
  pubsubBacklog: z.number().nullable(),
  workerInflight: z.number().nullable(),
  ticketsSold: z.number().nullable(),
  ticketsPersisted: z.number().nullable(),
  oversold: z.number().nullable(),
});
export type OpsMetrics = z.infer<typeof OpsMetricsSchema>;
export type ServiceFigures = z.infer<typeof ServiceFiguresSchema>;

/** Probes and the scrape itself are not traffic: leaving them out keeps requests/s about fans. */
const infraRoutes = new Set(['/metrics', '/healthz', '/readyz']);
const isTraffic = (labels: Record<string, string>) => !infraRoutes.has(labels.route ?? '');

export function serviceFigures(service: ServiceName, samples: Sample[] | null): ServiceFigures {
  if (samples === null) return { service, up: false, requestsTotal: null, latencyBuckets: [] };
  return {
    service,
    up: true,
    requestsTotal: sumSamples(samples, 'http_requests_total', isTraffic),
    latencyBuckets: histogramBuckets(samples, 'http_request_duration_seconds', isTraffic).map(
      ([bound, count]) => [Number.isFinite(bound) ? bound : null, count],
    ),
  };
}

export function compactMetrics(
  event: string,
  scraped: Record<ServiceName, string | null>,
  now = Date.now(),
): OpsMetrics {
  const parsed = {
    'waiting-room':
      scraped['waiting-room'] === null ? null : parsePrometheus(scraped['waiting-room']),
    checkout: scraped.checkout === null ? null : parsePrometheus(scraped.checkout),
    worker: scraped.worker === null ? null : parsePrometheus(scraped.worker),
  };
  const forEvent = (labels: Record<string, string>) => labels.event === event;
  const checkout = parsed.checkout ?? [];
  const worker = parsed.worker ?? [];
  return {
    scrapedAt: now,
    event,
    services: serviceNames.map((name) => serviceFigures(name, parsed[name])),
    pubsubBacklog: sumSamples(checkout, 'checkout_outbox_pending'),
    workerInflight: sumSamples(worker, 'worker_inflight_messages'),
    ticketsSold:
      sumSamples(worker, 'reconciliation_tickets_sold', forEvent) ??
      sumSamples(checkout, 'checkout_tickets_sold', forEvent),
    ticketsPersisted: sumSamples(worker, 'reconciliation_tickets_persisted', forEvent),
    oversold: sumSamples(worker, 'reconciliation_oversold', forEvent),
  };
}

export function bucketsFromJson(buckets: ServiceFigures['latencyBuckets']): [number, number][] {
  return buckets.map(([bound, count]) => [bound ?? Infinity, count]);
}
