import { describe, expect, test } from 'vitest';
import {
  bucketDelta,
  histogramBuckets,
  histogramQuantile,
  parsePrometheus,
  sumSamples,
} from './prometheus';

const text = `# HELP http_requests_total HTTP requests
# TYPE http_requests_total counter
http_requests_total{route="/v1/events/:eventId/queue/me",method="GET",status_code="200",service="waiting-room"} 90
http_requests_total{route="/metrics",method="GET",status_code="200",service="waiting-room"} 7
http_request_duration_seconds_bucket{le="0.005",route="/a",method="GET",service="waiting-room"} 50
http_request_duration_seconds_bucket{le="0.01",route="/a",method="GET",service="waiting-room"} 90
http_request_duration_seconds_bucket{le="+Inf",route="/a",method="GET",service="waiting-room"} 100
http_request_duration_seconds_bucket{le="0.005",route="/b",method="GET",service="waiting-room"} 0
http_request_duration_seconds_bucket{le="0.01",route="/b",method="GET",service="waiting-room"} 0
http_request_duration_seconds_bucket{le="+Inf",route="/b",method="GET",service="waiting-room"} 0
checkout_outbox_pending{service="checkout"} 3
reconciliation_tickets_sold{event="a-b",service="worker"} 12
weird_label{msg="say \\"hi\\", then, {leave}"} 1
`;

describe('reading Prometheus text', () => {
  test('samples carry their labels and values', () => {
    const samples = parsePrometheus(text);
    expect(sumSamples(samples, 'http_requests_total')).toBe(97);
    expect(sumSamples(samples, 'http_requests_total', (l) => l.route !== '/metrics')).toBe(90);
    expect(sumSamples(samples, 'reconciliation_tickets_sold', (l) => l.event === 'a-b')).toBe(12);
    expect(sumSamples(samples, 'absent')).toBeNull();
    expect(samples.find((s) => s.name === 'weird_label')?.labels.msg).toBe(
      'say "hi", then, {leave}',
    );
  });

  test('buckets are summed across routes and sorted', () => {
    expect(histogramBuckets(parsePrometheus(text), 'http_request_duration_seconds')).toEqual([
      [0.005, 50],
      [0.01, 90],
      [Infinity, 100],
    ]);
  });

  test('quantiles interpolate inside the bucket like histogram_quantile', () => {
    const buckets: [number, number][] = [
      [0.005, 50],
      [0.01, 90],
      [Infinity, 100],
    ];
    expect(histogramQuantile(0.5, buckets)).toBeCloseTo(0.005);
    expect(histogramQuantile(0.7, buckets)).toBeCloseTo(0.0075);
    expect(histogramQuantile(0.99, buckets)).toBe(0.01);
    expect(
      histogramQuantile(0.99, [
        [0.005, 0],
        [Infinity, 0],
      ]),
    ).toBeNull();
  });

  test('deltas between scrapes survive a counter reset', () => {
    expect(
      bucketDelta(
        [
          [0.01, 10],
          [Infinity, 12],
        ],
        [
          [0.01, 15],
          [Infinity, 3],
        ],
      ),
    ).toEqual([
      [0.01, 5],
      [Infinity, 3],
    ]);
  });
});
