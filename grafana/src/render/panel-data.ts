// What each panel shows: its queries interpolated and run over the range at Grafana's step, the
// answers put on one time axis and named by their legendFormat. A panel, or a query, that returns
// no series is an error naming the dashboard, the panel and the query: on a sale dashboard an empty
// panel hides either a broken query or a metric the services stopped exporting.
import { metricNamesInExpression } from '../promql.ts';
import type { Dashboard, QueriedPanel } from './dashboard-schema.ts';
import { queryIntervals } from './interval.ts';
import { panelBox } from './layout.ts';
import type { PrometheusApi, RangeSeries, TimeRange } from './prometheus-api.ts';
import { interpolate, type VariableValues } from './variables.ts';

export interface Series {
  name: string;
  /** One value per timestamp of the panel; null where Prometheus had no point. */
  values: (number | null)[];
}

export interface PanelData {
  panel: QueriedPanel;
  /** Unix seconds, shared by every series of the panel. */
  times: number[];
  series: Series[];
  /** Heatmap panels: the upper bound (le) of each series' bucket, ascending. */
  buckets?: number[];
  /** Queries that found nothing but are allowed to (production-only metrics), for the log. */
  absent: string[];
}

export class EmptyPanelError extends Error {
  constructor(readonly problems: string[]) {
    super(`the dashboards cannot be drawn:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'EmptyPanelError';
  }
}

/**
 * Metrics that only production has: kube-state-metrics (kube_*) and the Stackdriver exporter's
 * Pub/Sub figures (stackdriver_*) exist in GKE, not on a laptop. A query reading only these may be
 * empty locally, as long as its panel has another query that shows the same thing from the services.
 */
export function readsOnlyProductionMetrics(expr: string): boolean {
  const names = metricNamesInExpression(expr);
  return names.length > 0 && names.every((name) => /^(kube|stackdriver)_/.test(name));
}

/** `{{label}}` replaced by the series' label values, as Grafana's legendFormat does. */
export function legendName(format: string | undefined, metric: Record<string, string>): string {
  if (format === undefined || format === '' || format === '__auto') {
    const { __name__: name = '', ...labels } = metric;
    const inner = Object.entries(labels)
      .map(([key, value]) => `${key}="${value}"`)
      .join(', ');
    return inner === '' ? name || '{}' : `${name}{${inner}}`;
  }
  return format.replace(/\{\{\s*([\w]+)\s*\}\}/g, (_, label: string) => metric[label] ?? '');
}

function timeAxis(range: TimeRange, stepMs: number): number[] {
  const start = Math.floor(range.fromMs / stepMs) * stepMs;
  const end = Math.ceil(range.toMs / stepMs) * stepMs;
  const times: number[] = [];
  for (let t = start; t <= end; t += stepMs) times.push(t / 1000);
  return times;
}

function align(series: RangeSeries, times: readonly number[]): (number | null)[] {
  const byTime = new Map(series.values.map(([t, v]) => [Math.round(t * 1000), Number(v)]));
  return times.map((t) => {
    const value = byTime.get(Math.round(t * 1000));
    return value === undefined || !Number.isFinite(value) ? null : value;
  });
}

/**
 * Cumulative `le` buckets to per-bucket figures, as Grafana's heatmap does for format=heatmap:
 * each bucket keeps what it holds above the bucket below it.
 */
export function deaccumulate(columns: (number | null)[][]): (number | null)[][] {
  return columns.map((values, index) => {
    const below = index === 0 ? undefined : columns[index - 1];
    return values.map((value, t) => {
      const lower = below?.[t] ?? null;
      if (value === null) return null;
      return lower === null ? value : Math.max(0, value - lower);
    });
  });
}

export async function panelData(
  dashboard: Dashboard,
  panel: QueriedPanel,
  api: PrometheusApi,
  range: TimeRange,
  variables: VariableValues,
  options: { dashboardWidth: number; scrapeMs: number },
): Promise<{ data: PanelData; problems: string[] }> {
  const box = panelBox(panel.gridPos, options.dashboardWidth);
  const intervals = queryIntervals(
    range.toMs - range.fromMs,
    panel.maxDataPoints ?? box.width,
    options.scrapeMs,
  );
  const times = timeAxis(range, intervals.intervalMs);
  const where = `${dashboard.title} › panel "${panel.title}"`;
  const problems: string[] = [];
  const absent: string[] = [];
  const series: Series[] = [];
  const buckets: number[] = [];
  for (const target of panel.targets) {
    const expr = interpolate(target.expr, variables, intervals);
    let answer: RangeSeries[];
    try {
      answer = await api.queryRange(expr, range, intervals.intervalMs);
    } catch (err) {
      problems.push(`${where}, query ${target.refId} failed: ${expr}: ${(err as Error).message}`);
      continue;
    }
    if (answer.length === 0) {
      if (readsOnlyProductionMetrics(target.expr)) absent.push(expr);
      else problems.push(`${where}, query ${target.refId} returned no series: ${expr}`);
      continue;
    }
    if (target.format === 'heatmap') {
      const sorted = answer
        .map((s) => ({ le: Number(s.metric['le'] === '+Inf' ? Infinity : s.metric['le']), s }))
        .sort((a, b) => a.le - b.le);
      const columns = deaccumulate(sorted.map(({ s }) => align(s, times)));
      sorted.forEach(({ le, s }, index) => {
        buckets.push(le);
        series.push({
          name: legendName(target.legendFormat, s.metric),
          values: columns[index] ?? [],
        });
      });
      continue;
    }
    for (const s of answer)
      series.push({ name: legendName(target.legendFormat, s.metric), values: align(s, times) });
  }
  if (series.length === 0 && problems.length === 0)
    problems.push(`${where} returned no series from any of its queries`);
  return {
    data: { panel, times, series, absent, ...(panel.type === 'heatmap' ? { buckets } : {}) },
    problems,
  };
}
