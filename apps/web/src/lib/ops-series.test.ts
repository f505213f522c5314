import { describe, expect, test } from 'vitest';
import { compactMetrics } from './ops-metrics';
import { deriveTraffic } from './ops-series';

function scrape(requests: number, fast: number, slow: number) {
  return `http_requests_total{route="/v1/x",method="GET",status_code="200"} ${requests}
http_requests_total{route="/metrics",method="GET",status_code="200"} ${requests * 10}
http_request_duration_seconds_bucket{le="0.005",route="/v1/x",method="GET"} ${fast}
http_request_duration_seconds_bucket{le="0.25",route="/v1/x",method="GET"} ${fast + slow}
http_request_duration_seconds_bucket{le="+Inf",route="/v1/x",method="GET"} ${fast + slow}
reconciliation_tickets_sold{event="e-1"} 8
reconciliation_tickets_persisted{event="e-1"} 6
reconciliation_tickets_sold{event="other"} 100
checkout_outbox_pending 2
`;
}

describe('figures the ops console derives from two scrapes', () => {
  test('requests per second and p99 cover only the interval, without probes and scrapes', () => {
    const before = compactMetrics(
      'e-1',
      { 'waiting-room': scrape(100, 100, 0), checkout: scrape(0, 0, 0), worker: null },
      10_000,
    );
    const after = compactMetrics(
      'e-1',
      { 'waiting-room': scrape(300, 296, 4), checkout: scrape(0, 0, 0), worker: null },
      12_000,
    );
    const { requestsPerSecond, p99Ms } = deriveTraffic(before, after);
    expect(requestsPerSecond).toBe(100);
    // 200 requests in the interval, 4 of them between 5 and 250 ms: the 198th lands halfway in.
    expect(p99Ms).toBeCloseTo(127.5);
    expect(after.services.find((s) => s.service === 'worker')?.up).toBe(false);
  });

  test('the event gauges are those of the chosen event', () => {
    const m = compactMetrics('e-1', {
      'waiting-room': null,
      checkout: scrape(0, 0, 0),
      worker: scrape(0, 0, 0),
    });
    expect(m.ticketsSold).toBe(8);
    expect(m.ticketsPersisted).toBe(6);
    expect(m.pubsubBacklog).toBe(2);
  });

  test('a first scrape has no rate yet', () => {
    const only = compactMetrics('e-1', {
      'waiting-room': scrape(1, 1, 0),
      checkout: null,
      worker: null,
    });
    expect(deriveTraffic(null, only)).toEqual({ requestsPerSecond: null, p99Ms: null });
  });
});
