// The script of the page headless Chromium screenshots, bundled with uPlot when the page is
// screenshotted. It draws the dashboard model page.ts builds the way Grafana's dark theme draws the
// same panels: time series with uPlot (stacked when the panel stacks), stat panels as a big reduced
// value coloured by the thresholds over a sparkline, heatmaps as cells, and the table legend with
// the panel's calcs.
import { drawPage } from '../../screenshot/browser/index.ts';
import type { DashboardModel, PageItem } from '../page.ts';
import { heatmap } from './heatmap.ts';
import type { Drawn } from './panel-item.ts';
import { stat } from './stat.ts';
import { timeseries } from './timeseries.ts';

function drawn<P>(item: PageItem, panel: P): Drawn<P> {
  return {
    panel,
    box: item.box,
    times: item.times ?? [],
    series: item.series ?? [],
    ...(item.buckets ? { buckets: item.buckets } : {}),
  };
}

function panelElement(root: HTMLElement, item: PageItem): HTMLElement {
  const el = document.createElement('div');
  el.className = `panel ${item.panel.type}`;
  Object.assign(el.style, {
    left: `${item.box.left}px`,
    top: `${item.box.top}px`,
    width: `${item.box.width}px`,
    height: `${item.box.height}px`,
  });
  const title = document.createElement('div');
  title.className = 'title';
  title.textContent = item.panel.title;
  el.appendChild(title);
  root.appendChild(el);
  return el;
}

function drawDashboard(model: DashboardModel): void {
  const root = document.getElementById('dashboard');
  if (!root) throw new Error('the page has no #dashboard element');
  for (const item of model.panels) {
    const el = panelElement(root, item);
    const { panel } = item;
    if (panel.type === 'row') continue;
    const body = document.createElement('div');
    body.className = 'body';
    el.appendChild(body);
    if (panel.type === 'timeseries') timeseries(body, drawn(item, panel));
    else if (panel.type === 'stat') stat(body, drawn(item, panel));
    else heatmap(body, drawn(item, panel));
  }
}

// The model is the DashboardModel render.ts built with page.ts.
drawPage((model) => {
  drawDashboard(model as DashboardModel);
});
