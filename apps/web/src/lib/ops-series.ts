import { bucketsFromJson, type OpsMetrics } from './ops-metrics';
import { bucketDelta, histogramQuantile } from './prometheus';

/**
 * Requests per second and p99 latency across the three services between two scrapes: counters and
 * buckets are cumulative, so the figures of the last interval are the differences. A restarted
 * service (counter lower than before) counts from zero.
 */
export function deriveTraffic(
  previous: OpsMetrics | null,
  current: OpsMetrics,
): { requestsPerSecond: number | null; p99Ms: number | null } {
  if (previous === null || current.scrapedAt <= previous.scrapedAt) {
    return { requestsPerSecond: null, p99Ms: null };
  }
  const seconds = (current.scrapedAt - previous.scrapedAt) / 1_000;
  let requests = 0;
  let counted = false;
  const merged = new Map<number, number>();
  for (const service of current.services) {
    const before = previous.services.find((s) => s.service === service.service);
    if (!before || service.requestsTotal === null || before.requestsTotal === null) continue;
    counted = true;
    requests +=
      service.requestsTotal >= before.requestsTotal
        ? service.requestsTotal - before.requestsTotal
        : service.requestsTotal;
    const delta = bucketDelta(
      bucketsFromJson(before.latencyBuckets),
      bucketsFromJson(service.latencyBuckets),
    );
    for (const [bound, count] of delta) merged.set(bound, (merged.get(bound) ?? 0) + count);
  }
  const buckets = [...merged.entries()].sort((a, b) => a[0] - b[0]);
  const p99 = histogramQuantile(0.99, buckets);
  return {
    requestsPerSecond: counted ? requests / seconds : null,
    p99Ms: p99 === null ? null : p99 * 1_000,
  };
}
