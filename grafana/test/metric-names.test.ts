import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  dashboardExpressions,
  exportedMetricNames,
  isExternalMetric,
  metricFamily,
  metricNamesUsedByDashboards,
  metricNamesUsedByRules,
  parseRuleFile,
  recordingRuleNames,
} from '../src/metric-names.ts';
import type { Rules } from '../src/metric-names.ts';

const rules: Rules = parseRuleFile(
  `
groups:
  - name: g
    rules:
      - record: service_le:latency_bucket:rate1m
        expr: sum by (service, le) (rate(latency_seconds_bucket[1m]))
      - record: service:latency:p99
        expr: histogram_quantile(0.99, service_le:latency_bucket:rate1m)
      - alert: Down
        expr: up == 0
`,
  'fixture.yml',
);

describe('parseRuleFile', () => {
  it('separates recording rules from alerts', () => {
    expect(rules.recording.map((rule) => rule.record)).toEqual([
      'service_le:latency_bucket:rate1m',
      'service:latency:p99',
    ]);
    expect(rules.alerts).toEqual([{ alert: 'Down', expr: 'up == 0' }]);
  });

  it('names the file when a rule file is malformed', () => {
    expect(() => parseRuleFile('rules: []', 'broken.yml')).toThrow(/broken\.yml.*groups/);
    expect(() =>
      parseRuleFile('groups: [{ name: g, rules: [{ record: x }] }]', 'broken.yml'),
    ).toThrow(/broken\.yml.*expr/);
  });
});

describe('exportedMetricNames', () => {
  it('replaces recording rules by the metrics they read, recursively', () => {
    expect(
      exportedMetricNames([{ source: 'panel', expr: 'service:latency:p99 > 1' }], rules),
    ).toEqual(['latency_seconds_bucket']);
  });

  it('leaves out series no service exports and sorts the rest', () => {
    const names = exportedMetricNames(
      [
        {
          source: 'a',
          expr: 'sum(k6_http_reqs_total) + count(up) + sum(kube_deployment_status_replicas)',
        },
        {
          source: 'b',
          expr: 'stackdriver_pubsub_subscription_pubsub_googleapis_com_subscription_num_undelivered_messages + zeta + alpha',
        },
      ],
      rules,
    );
    expect(names).toEqual(['alpha', 'zeta']);
  });

  it('names the panel whose query does not parse', () => {
    expect(() =>
      exportedMetricNames([{ source: 'x.json: panel "P" query A', expr: 'sum(' }], rules),
    ).toThrow(/x\.json: panel "P" query A/);
  });
});

describe('dashboardExpressions', () => {
  it('reads panel targets, panels inside collapsed rows and variable queries', () => {
    const dashboard = {
      panels: [
        {
          title: 'A',
          targets: [
            { refId: 'A', expr: 'a_total' },
            { refId: 'B', expr: '' },
          ],
        },
        {
          type: 'row',
          title: 'R',
          panels: [{ title: 'B', targets: [{ refId: 'A', expr: 'b_total' }] }],
        },
      ],
      templating: {
        list: [
          { type: 'query', name: 'event', query: 'label_values(c_gauge, event)' },
          { type: 'query', name: 'svc', query: { query: 'label_values(d_gauge, service)' } },
          { type: 'custom', name: 'fixed', query: 'a,b' },
        ],
      },
    };
    expect(
      dashboardExpressions(dashboard, 'd.json').map((entry) => [entry.source, entry.expr]),
    ).toEqual([
      ['d.json: panel "A" query A', 'a_total'],
      ['d.json: panel "B" query A', 'b_total'],
      ['d.json: variable event', 'c_gauge'],
      ['d.json: variable svc', 'd_gauge'],
    ]);
  });
});

describe('names', () => {
  it('knows which series come from outside the services', () => {
    expect(['up', 'k6_vus', 'kube_pod_info', 'stackdriver_x'].every(isExternalMetric)).toBe(true);
    expect(
      ['upstream_total', 'checkout_tickets_sold', 'process_cpu_seconds_total'].some(
        isExternalMetric,
      ),
    ).toBe(false);
  });

  it('maps histogram samples to their family', () => {
    expect(metricFamily('http_request_duration_seconds_bucket')).toBe(
      'http_request_duration_seconds',
    );
    expect(metricFamily('http_requests_total')).toBe('http_requests_total');
  });
});

/** Metric names docs/conventions.md promises, plus the prom-client defaults the dashboards read. */
function documentedMetrics(): Set<string> {
  const conventions = readFileSync(new URL('../../docs/conventions.md', import.meta.url), 'utf8');
  const section = conventions.slice(conventions.indexOf('## Metrics'));
  const names = [...section.matchAll(/^- `([a-z_:]+)[{`]/gm)].map((match) => match[1] ?? '');
  return new Set([...names, 'process_cpu_seconds_total', 'nodejs_eventloop_lag_seconds']);
}

describe('the committed dashboards and rules', () => {
  it('read only metrics the conventions define, never a recording rule name', () => {
    const documented = documentedMetrics();
    expect(documented.has('checkout_tickets_remaining')).toBe(true);
    const recorded = new Set(recordingRuleNames());
    for (const name of [...metricNamesUsedByDashboards(), ...metricNamesUsedByRules()]) {
      expect(recorded.has(name), name).toBe(false);
      expect(isExternalMetric(name), name).toBe(false);
      expect(documented.has(metricFamily(name)), `${name} is not in docs/conventions.md`).toBe(
        true,
      );
    }
  });

  it('cover the figures the dashboards exist for', () => {
    expect(metricNamesUsedByDashboards()).toEqual(
      expect.arrayContaining([
        'http_requests_total',
        'http_request_duration_seconds_bucket',
        'waiting_room_waiting',
        'waiting_room_admission_rate_configured',
        'waiting_room_admission_rate_achieved',
        'waiting_room_active_admissions',
        'checkout_tickets_remaining',
        'reconciliation_tickets_sold',
        'reconciliation_tickets_persisted',
        'reconciliation_oversold',
        'worker_inflight_messages',
        'worker_lag_seconds_bucket',
      ]),
    );
    expect(metricNamesUsedByRules()).toEqual(
      expect.arrayContaining([
        'waiting_room_admitted_total',
        'reconciliation_oversold',
        'worker_lag_seconds_bucket',
      ]),
    );
  });
});
