import { describe, expect, it } from 'vitest';
import {
  PromqlSyntaxError,
  expressionInVariableQuery,
  metricNamesInExpression,
  substituteGrafanaVariables,
} from '../src/promql.ts';

describe('metricNamesInExpression', () => {
  it('finds selectors inside functions, aggregations and binary operations', () => {
    expect(
      metricNamesInExpression(
        'sum by (service) (rate(http_requests_total{status_code=~"5.."}[1m])) / on (service) group_left count by (service) (up)',
      ),
    ).toEqual(['http_requests_total', 'up']);
  });

  it('does not take functions, label names, keywords or label values for metrics', () => {
    expect(
      metricNamesInExpression(
        'histogram_quantile(0.99, sum without (instance) (rate(worker_lag_seconds_bucket{result="persisted_total"}[5m]))) > bool 1 unless on (event) absent(checkout_tickets_sold offset 5m)',
      ),
    ).toEqual(['worker_lag_seconds_bucket', 'checkout_tickets_sold']);
  });

  it('reads recording-rule names with colons and __name__ matchers', () => {
    expect(metricNamesInExpression('service:http_requests:rate1m{service="checkout"}')).toEqual([
      'service:http_requests:rate1m',
    ]);
    expect(metricNamesInExpression('{__name__="waiting_room_waiting", event="x"}')).toEqual([
      'waiting_room_waiting',
    ]);
    expect(metricNamesInExpression('{"__name__"="waiting_room_leader"}')).toEqual([
      'waiting_room_leader',
    ]);
    expect(metricNamesInExpression('{"worker.inflight", service="worker"}')).toEqual([
      'worker.inflight',
    ]);
  });

  it('returns each name once, in order of appearance', () => {
    expect(metricNamesInExpression('b - a + b * a')).toEqual(['b', 'a']);
  });

  it('accepts subqueries and numbers without metrics', () => {
    expect(metricNamesInExpression('max_over_time(rate(x_total[1m])[10m:1m])')).toEqual([
      'x_total',
    ]);
    expect(metricNamesInExpression('1 + 2')).toEqual([]);
  });

  it('refuses a __name__ regex: it names no single metric', () => {
    expect(() => metricNamesInExpression('{__name__=~"checkout_.*"}')).toThrow(/__name__/);
  });

  it('throws on a syntax error instead of returning a partial answer', () => {
    expect(() => metricNamesInExpression('sum(rate(http_requests_total[1m])')).toThrow(
      PromqlSyntaxError,
    );
    expect(() => metricNamesInExpression('rate(http_requests_total[)')).toThrow(PromqlSyntaxError);
  });

  it('parses Grafana queries once their variables are substituted', () => {
    expect(
      metricNamesInExpression(
        'sum by (event) (rate(waiting_room_skipped_total{event=~"$event", service=~"${service}"}[$__rate_interval]))',
      ),
    ).toEqual(['waiting_room_skipped_total']);
    expect(substituteGrafanaVariables('rate(x[$__rate_interval])')).toBe('rate(x[5m])');
  });
});

describe('expressionInVariableQuery', () => {
  it('extracts the selector of label_values and the expression of query_result', () => {
    expect(expressionInVariableQuery('label_values(waiting_room_waiting, event)')).toBe(
      'waiting_room_waiting',
    );
    expect(expressionInVariableQuery('label_values(up{job="frequency"}, service)')).toBe(
      'up{job="frequency"}',
    );
    expect(expressionInVariableQuery('query_result(topk(5, checkout_tickets_sold))')).toBe(
      'topk(5, checkout_tickets_sold)',
    );
  });

  it('returns null for queries that name no metric and throws on unknown ones', () => {
    expect(expressionInVariableQuery('label_values(event)')).toBeNull();
    expect(expressionInVariableQuery('label_names()')).toBeNull();
    expect(() => expressionInVariableQuery('SELECT 1')).toThrow(/unrecognised/);
  });
});
