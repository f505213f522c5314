import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { renderDashboards } from '../src/dashboards/index.ts';
import { dashboardExpressions, loadRules } from '../src/metric-names.ts';
import { metricNamesInExpression } from '../src/promql.ts';
import { dashboardsDir, packageDir } from '../src/paths.ts';

const rendered = renderDashboards();

interface PanelJson {
  id?: number;
  type: string;
  title: string;
  datasource?: { type?: string; uid?: string };
  targets?: { expr?: string }[];
}

function panelsOf(file: string): PanelJson[] {
  const dashboard = rendered.find((entry) => entry.file === file);
  if (dashboard === undefined) throw new Error(`no dashboard ${file}`);
  return (dashboard.dashboard.panels ?? []) as unknown as PanelJson[];
}

function exprsOf(file: string): string[] {
  return panelsOf(file).flatMap((panel) =>
    (panel.targets ?? []).map((target) => target.expr ?? ''),
  );
}

describe('committed dashboards', () => {
  it('equal the output of pnpm generate (run it and commit after changing src/dashboards)', () => {
    const committed = readdirSync(dashboardsDir)
      .filter((file) => file.endsWith('.json'))
      .sort();
    expect(committed).toEqual(rendered.map((entry) => entry.file).sort());
    for (const { file, json } of rendered) {
      expect(readFileSync(join(dashboardsDir, file), 'utf8'), file).toBe(json);
    }
  });
});

describe('dashboard content', () => {
  it('gives every panel a unique id and the provisioned Prometheus datasource', () => {
    const provisioned: unknown = parse(
      readFileSync(join(packageDir, 'provisioning/datasources/prometheus.yml'), 'utf8'),
    );
    expect(provisioned).toMatchObject({ datasources: [{ uid: 'prometheus', type: 'prometheus' }] });
    for (const { file } of rendered) {
      const panels = panelsOf(file);
      expect(new Set(panels.map((panel) => panel.id)).size, file).toBe(panels.length);
      for (const panel of panels.filter((candidate) => candidate.type !== 'row')) {
        expect(panel.datasource, `${file}: ${panel.title}`).toEqual({
          type: 'prometheus',
          uid: 'prometheus',
        });
        expect(panel.targets?.length, `${file}: ${panel.title}`).toBeGreaterThan(0);
      }
    }
  });

  it('parse as PromQL and use only recording rules that recording.yml defines', () => {
    const recorded = new Set(loadRules().recording.map((rule) => rule.record));
    for (const { file, dashboard } of rendered) {
      for (const { source, expr } of dashboardExpressions(dashboard, file)) {
        for (const name of metricNamesInExpression(expr)) {
          if (name.includes(':')) expect(recorded.has(name), `${source} reads ${name}`).toBe(true);
        }
      }
    }
  });

  it('show the sale overview panels ops rely on', () => {
    const titles = panelsOf('sale-overview.json').map((panel) => panel.title);
    expect(titles).toEqual(
      expect.arrayContaining([
        'Requests per second by route',
        'Latency heatmap',
        'Latency p50 / p95 / p99 by service',
        'Errors per second by status code (409 apart)',
        '409 SOLD_OUT / INSUFFICIENT_TICKETS per second',
        'Queue length',
        'Admission rate: configured vs achieved',
        'Active admissions',
        'Tickets remaining',
        'Pub/Sub backlog',
        'Worker lag (publish to commit)',
        'Persisted vs sold',
        'Replicas per service',
      ]),
    );
    expect(
      panelsOf('sale-overview.json').find((panel) => panel.title === 'Latency heatmap')?.type,
    ).toBe('heatmap');
    const exprs = exprsOf('sale-overview.json').join('\n');
    expect(exprs).toContain('status_code!="409"');
    expect(exprs).toContain(
      'stackdriver_pubsub_subscription_pubsub_googleapis_com_subscription_num_undelivered_messages',
    );
    expect(exprs).toContain('worker_inflight_messages');
    expect(exprs).toContain('count by (service) (up)');
    expect(exprs).toContain('kube_deployment_status_replicas');
    for (const q of ['0.5', '0.95', '0.99']) expect(exprs).toContain(`histogram_quantile(${q},`);
  });

  it('show k6 metrics on the load test dashboard', () => {
    const exprs = exprsOf('load-test.json').join('\n');
    for (const metric of [
      'k6_http_reqs_total',
      'k6_http_req_duration_p99',
      'k6_http_req_duration_p95',
      'k6_unexpected_errors_rate',
      'k6_sold_out_responses_rate',
      'k6_vus',
      'k6_dropped_iterations_total',
    ]) {
      expect(exprs).toContain(metric);
    }
  });
});
