// Renders every dashboard of a folder against one Prometheus and time range into PNGs. All panels
// of all dashboards are queried before anything is drawn, so one run lists every empty panel.
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launchChromium, screenshotPage } from '../screenshot/index.ts';
import { Dashboard } from './dashboard-schema.ts';
import { dashboardPage, gridWidth, pageSize } from './page.ts';
import { EmptyPanelError, panelData, type PanelData } from './panel-data.ts';
import { PrometheusApi, type TimeRange } from './prometheus-api.ts';
import { resolveVariables } from './variables.ts';

/** The page's script: draws the dashboard model page.ts builds, with uPlot. */
const DRAW_SCRIPT = fileURLToPath(new URL('./browser/draw.ts', import.meta.url));

export interface RenderOptions {
  prometheusUrl: string;
  range: TimeRange;
  dashboardsDir: string;
  outDir: string;
  /** Variables pinned to one value (the run's `testid`); the others take "All". */
  variables: Record<string, string>;
  /** Page width in px; 1600 unless given. */
  width?: number;
  /** The datasource's scrape interval (`timeInterval`), the floor of `$__interval`. */
  scrapeMs?: number;
  log?: (line: string) => void;
}

export interface Rendered {
  file: string;
  dashboard: string;
  panels: number;
  series: number;
}

export function loadDashboards(dir: string): { file: string; dashboard: Dashboard }[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  if (files.length === 0) throw new Error(`no dashboards (*.json) in ${dir}`);
  return files.map((f) => {
    const parsed = Dashboard.safeParse(JSON.parse(readFileSync(join(dir, f), 'utf8')));
    if (!parsed.success)
      throw new Error(`${f} is not a dashboard the renderer can draw: ${parsed.error.message}`);
    return { file: f, dashboard: parsed.data };
  });
}

export async function renderDashboards(options: RenderOptions): Promise<Rendered[]> {
  const api = new PrometheusApi(options.prometheusUrl);
  const width = options.width ?? 1600;
  const scrapeMs = options.scrapeMs ?? 5_000;
  const log = options.log ?? (() => undefined);
  const problems: string[] = [];
  const prepared: {
    file: string;
    dashboard: Dashboard;
    data: PanelData[];
    variables: Record<string, string>;
  }[] = [];
  for (const { file, dashboard } of loadDashboards(options.dashboardsDir)) {
    const chosen = Object.fromEntries(
      Object.entries(options.variables).filter(([name]) =>
        (dashboard.templating?.list ?? []).some((v) => v.name === name),
      ),
    );
    let variables: Map<string, string>;
    try {
      variables = await resolveVariables(dashboard, api, options.range, chosen);
    } catch (err) {
      const message = (err as Error).message;
      problems.push(
        message.startsWith(dashboard.title) ? message : `${dashboard.title}: ${message}`,
      );
      continue;
    }
    const data: PanelData[] = [];
    for (const panel of dashboard.panels) {
      if (panel.type === 'row') continue;
      const result = await panelData(dashboard, panel, api, options.range, variables, {
        dashboardWidth: gridWidth(width),
        scrapeMs,
      });
      problems.push(...result.problems);
      for (const expr of result.data.absent)
        log(`${dashboard.title} › "${panel.title}": no series (production-only metric): ${expr}`);
      data.push(result.data);
    }
    const shown = Object.fromEntries(
      (dashboard.templating?.list ?? []).map((v) => [v.name, chosen[v.name] ?? 'All']),
    );
    prepared.push({ file, dashboard, data, variables: shown });
  }
  if (problems.length > 0) throw new EmptyPanelError(problems);

  mkdirSync(options.outDir, { recursive: true });
  const browser = await launchChromium();
  try {
    const rendered: Rendered[] = [];
    for (const { file, dashboard, data, variables } of prepared) {
      const out = join(options.outDir, `${basename(file, '.json')}.png`);
      const { html, model } = dashboardPage(dashboard, data, options.range, variables, width);
      await screenshotPage(
        browser,
        { html, model, script: DRAW_SCRIPT, viewport: pageSize(dashboard, width) },
        out,
      );
      const series = data.reduce((sum, d) => sum + d.series.length, 0);
      log(`${out}: ${dashboard.title}, ${data.length} panels, ${series} series`);
      rendered.push({ file: out, dashboard: dashboard.title, panels: data.length, series });
    }
    return rendered;
  } finally {
    await browser.close();
  }
}
