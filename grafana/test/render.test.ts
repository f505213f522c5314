// The renderer's Grafana arithmetic (intervals, variables, legends, heatmap buckets) on its own, and
// the renderer against a real Prometheus: a panel whose query names a metric nobody exports fails
// the command by dashboard, panel and query; a panel with data becomes a PNG.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type PrometheusServer } from '../src/prometheus-server.ts';
import { freePort, renderDashboards } from '../src/render/index.ts';
import { queryIntervals, roundInterval } from '../src/render/interval.ts';
import { deaccumulate, legendName, readsOnlyProductionMetrics } from '../src/render/panel-data.ts';
import { interpolate } from '../src/render/variables.ts';

describe('Grafana intervals', () => {
  it('round the raw interval as Grafana does and never go below the scrape interval', () => {
    expect(roundInterval(2_320)).toBe(2_000);
    expect(roundInterval(13_900)).toBe(15_000);
    expect(roundInterval(40_000)).toBe(30_000);
    // 30 minutes over a 776 px panel: 2.3 s raw, 2 s rounded, floored at the 5 s scrape interval.
    expect(queryIntervals(30 * 60_000, 776, 5_000)).toEqual({
      intervalMs: 5_000,
      rateIntervalMs: 20_000,
    });
    // 3 hours: 13.9 s raw, 15 s; $__rate_interval = max(15 s + 5 s, 4 × 5 s).
    expect(queryIntervals(3 * 3_600_000, 776, 5_000)).toEqual({
      intervalMs: 15_000,
      rateIntervalMs: 20_000,
    });
    expect(queryIntervals(12 * 3_600_000, 776, 5_000)).toEqual({
      intervalMs: 60_000,
      rateIntervalMs: 65_000,
    });
  });
});

describe('dashboard variables', () => {
  const values = new Map([
    ['testid', 'sim1\\.a'],
    ['event', '.*'],
  ]);
  const intervals = { intervalMs: 5_000, rateIntervalMs: 20_000 };

  it('are replaced in both spellings, with the intervals as PromQL durations', () => {
    expect(
      interpolate(
        'rate(x{testid=~"$testid", event=~"${event}"}[$__rate_interval]) [$__interval]',
        values,
        intervals,
      ),
    ).toBe('rate(x{testid=~"sim1\\.a", event=~".*"}[20s]) [5s]');
  });

  it('fail by name when the dashboard uses one it does not define', () => {
    expect(() => interpolate('x{a="$nope"}', values, intervals)).toThrow(/unknown variable \$nope/);
  });
});

describe('legends and heatmap buckets', () => {
  it('fill {{label}} from the series and name an unformatted series by its selector', () => {
    expect(legendName('{{service}} {{route}}', { service: 'checkout', route: '/v1/orders' })).toBe(
      'checkout /v1/orders',
    );
    expect(legendName(undefined, { __name__: 'up', service: 'web' })).toBe('up{service="web"}');
  });

  it('turn cumulative le buckets into what each bucket holds', () => {
    expect(
      deaccumulate([
        [1, 2, null],
        [3, 2, 4],
        [10, 5, 4],
      ]),
    ).toEqual([
      [1, 2, null],
      [2, 0, 4],
      [7, 3, 0],
    ]);
  });

  it('let only production exporters’ metrics be absent', () => {
    expect(readsOnlyProductionMetrics('sum(kube_deployment_status_replicas)')).toBe(true);
    expect(readsOnlyProductionMetrics('sum(stackdriver_x) + sum(worker_inflight_messages)')).toBe(
      false,
    );
    expect(readsOnlyProductionMetrics('sum(frequency_metric_that_does_not_exist)')).toBe(false);
  });
});

function dashboard(title: string, panels: { title: string; expr: string }[]): string {
  return JSON.stringify({
    uid: title.toLowerCase().replace(/\W+/g, '-'),
    title,
    templating: { list: [] },
    panels: panels.map((panel, index) => ({
      id: index + 1,
      type: 'timeseries',
      title: panel.title,
      gridPos: { x: (index % 2) * 12, y: Math.floor(index / 2) * 8, w: 12, h: 8 },
      fieldConfig: { defaults: { unit: 'short' } },
      targets: [{ refId: 'A', expr: panel.expr, legendFormat: 'one' }],
    })),
  });
}

describe('the renderer against a real Prometheus', () => {
  let prometheus: PrometheusServer;
  const scratch = mkdtempSync(join(tmpdir(), 'render-test-'));
  const range = () => ({ fromMs: Date.now() - 60_000, toMs: Date.now() });

  beforeAll(async () => {
    prometheus = await startPrometheus({
      targets: {},
      dataDir: join(scratch, 'prometheus'),
      listen: `127.0.0.1:${await freePort()}`,
    });
  });
  afterAll(async () => {
    await prometheus.stop();
    rmSync(scratch, { recursive: true, force: true });
  });

  it('fails on a panel whose query returns no series, naming dashboard, panel and query, and draws nothing', async () => {
    const dir = join(scratch, 'empty');
    const out = join(scratch, 'empty-out');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'broken.json'),
      dashboard('Broken board', [
        { title: 'Has data', expr: 'vector(1)' },
        {
          title: 'Reads a metric nobody exports',
          expr: 'sum(rate(frequency_metric_that_does_not_exist[$__rate_interval]))',
        },
      ]),
    );
    const rendering = renderDashboards({
      prometheusUrl: prometheus.url,
      range: range(),
      dashboardsDir: dir,
      outDir: out,
      variables: {},
    });
    await expect(rendering).rejects.toThrow(
      'Broken board › panel "Reads a metric nobody exports", query A returned no series: sum(rate(frequency_metric_that_does_not_exist[20s]))',
    );
    expect(existsSync(join(out, 'broken.png'))).toBe(false);
  });

  it('fails on a query Prometheus rejects, with Prometheus’ reason', async () => {
    const dir = join(scratch, 'invalid');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'invalid.json'),
      dashboard('Invalid board', [{ title: 'Bad', expr: 'sum(' }]),
    );
    await expect(
      renderDashboards({
        prometheusUrl: prometheus.url,
        range: range(),
        dashboardsDir: dir,
        outDir: scratch,
        variables: {},
      }),
    ).rejects.toThrow(/Invalid board › panel "Bad", query A failed: sum\(: bad_data/);
  });

  // Its own timeout: starting headless Chromium alone can take longer than vitest's default 5 s on
  // a busy machine.
  it('draws a dashboard whose panels all have series into a PNG of the page width', async () => {
    const dir = join(scratch, 'ok');
    const out = join(scratch, 'ok-out');
    mkdirSync(dir);
    writeFileSync(
      join(dir, 'fine.json'),
      dashboard('Fine board', [
        { title: 'One', expr: 'vector(1)' },
        { title: 'Two', expr: 'vector(2) or sum(kube_deployment_status_replicas)' },
      ]),
    );
    const rendered = await renderDashboards({
      prometheusUrl: prometheus.url,
      range: range(),
      dashboardsDir: dir,
      outDir: out,
      variables: {},
      width: 1200,
    });
    expect(rendered).toEqual([
      { file: join(out, 'fine.png'), dashboard: 'Fine board', panels: 2, series: 2 },
    ]);
    const png = readFileSync(join(out, 'fine.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    expect(png.readUInt32BE(16)).toBe(1200);
  }, 60_000);
});
