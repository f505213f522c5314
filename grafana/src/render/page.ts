// The HTML page of one dashboard: Grafana's dark theme, the header with the time range and the
// variables, and the panels at their grid positions; browser/draw.ts fills them from the data.
import type { Dashboard, Panel } from './dashboard-schema.ts';
import { dashboardHeight, panelBox, type Box } from './layout.ts';
import type { PanelData } from './panel-data.ts';
import type { TimeRange } from './prometheus-api.ts';

export const HEADER_HEIGHT = 56;
const PADDING = 16;

export interface PageItem {
  panel: Panel;
  box: Box;
  times?: number[];
  series?: PanelData['series'];
  buckets?: number[];
}

/** What the page's script draws: the page's model (see screenshot/browser). */
export interface DashboardModel {
  panels: PageItem[];
}

const CSS = `
  html, body { margin: 0; background: #111217; color: #ccccdc; font: 12px Inter, "DejaVu Sans", sans-serif; }
  header { height: ${HEADER_HEIGHT}px; padding: 0 ${PADDING}px; display: flex; align-items: center; gap: 24px; }
  header h1 { font-size: 18px; font-weight: 500; margin: 0; color: #d8d9da; }
  header .meta { color: #8e8e9e; }
  #dashboard { position: relative; margin: 0 ${PADDING}px ${PADDING}px; }
  .panel { position: absolute; box-sizing: border-box; display: flex; flex-direction: column; }
  .panel:not(.row) { background: #181b1f; border: 1px solid rgba(204,204,220,0.12); border-radius: 2px; }
  .panel .title { height: 32px; line-height: 32px; padding: 0 8px; font-size: 13px; font-weight: 500; color: #ccccdc; white-space: nowrap; overflow: hidden; text-overflow: ellipsis; }
  .panel.row .title { font-size: 15px; padding: 0; }
  .panel .body { flex: 1; position: relative; overflow: hidden; padding: 0 8px 4px; min-height: 0; }
  table.legend { display: block; overflow: hidden; border-collapse: collapse; width: 100%; font-size: 11px; }
  table.legend td { padding: 1px 8px 1px 0; white-space: nowrap; }
  table.legend tr.head td { color: #6e9fff; font-weight: 500; }
  table.legend td:not(:first-child) { text-align: right; }
  table.legend td:first-child { width: 100%; }
  .swatch { display: inline-block; width: 14px; height: 4px; border-radius: 2px; margin: 0 6px 2px 0; }
  .stats { display: flex; }
  .stat-cell { position: relative; height: 100%; }
  .stat-cell .spark { position: absolute; left: 0; bottom: 0; }
  .stat-cell .value { position: absolute; top: 18%; width: 100%; text-align: center; font-size: 44px; font-weight: 500; }
  .stat-cell .label { position: absolute; top: 4%; width: 100%; text-align: center; font-size: 13px; }
  .heat-scale { height: 18px; display: flex; gap: 6px; align-items: center; justify-content: flex-end; color: #8e8e9e; }
  .heat-scale .ramp { width: 160px; height: 8px; background: linear-gradient(to right, rgba(120,50,10,0.25), rgb(255,150,20)); }
`;

function escapeHtml(text: string): string {
  return text.replace(
    /[&<>"]/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c] ?? c,
  );
}

export function pageSize(dashboard: Dashboard, width: number): { width: number; height: number } {
  return {
    width,
    height: HEADER_HEIGHT + dashboardHeight(dashboard.panels.map((p) => p.gridPos)) + PADDING,
  };
}

/** The grid's width inside the page margins. */
export function gridWidth(width: number): number {
  return width - 2 * PADDING;
}

export function dashboardPage(
  dashboard: Dashboard,
  data: PanelData[],
  range: TimeRange,
  variables: Record<string, string>,
  width: number,
): { html: string; model: DashboardModel } {
  const inner = gridWidth(width);
  const byId = new Map(data.map((d) => [d.panel.id, d]));
  const items: PageItem[] = dashboard.panels.map((panel) => {
    const box = panelBox(panel.gridPos, inner);
    const d = byId.get(panel.id);
    return d
      ? {
          panel,
          box,
          times: d.times,
          series: d.series,
          ...(d.buckets ? { buckets: d.buckets } : {}),
        }
      : { panel, box };
  });
  const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
  const vars = Object.entries(variables)
    .map(([name, value]) => `${name} = ${value}`)
    .join(' · ');
  const html = `<!doctype html><html><head><meta charset="utf-8"><style>${CSS}</style></head><body>
<header><h1>${escapeHtml(dashboard.title)}</h1><span class="meta">${iso(range.fromMs)} to ${iso(range.toMs)} (UTC)</span><span class="meta">${escapeHtml(vars)}</span></header>
<div id="dashboard" style="width:${inner}px;height:${dashboardHeight(dashboard.panels.map((p) => p.gridPos))}px"></div>
</body></html>`;
  return { html, model: { panels: items } };
}
