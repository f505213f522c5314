// One chart per service, drawn with uPlot in a page that headless Chromium screenshots to PNG:
// offered load, replicas desired and ready, CPU utilisation of the request, with a line at the
// opening burst, at sold out and at every scale-up.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Report, ServiceReport } from './report.js';
import { verdict } from './report.js';

const require = createRequire(import.meta.url);

function asset(file: string): string {
  return readFileSync(require.resolve(`uplot/dist/${file}`), 'utf8');
}

export interface ChartData {
  title: string;
  subtitle: string;
  unit: string;
  seconds: number[];
  offered: number[];
  served: number[];
  desired: number[];
  ready: number[];
  utilisation: number[];
  marks: { second: number; label: string; color: string }[];
  phases: { start: number; name: string }[];
}

export function chartData(report: Report, service: ServiceReport): ChartData {
  const s = service.result.seconds;
  const m = service.manifest;
  const marks = [
    { second: report.openingSecond, label: 'sale opens', color: '#d62728' },
    ...(report.soldOutSecond === null
      ? []
      : [{ second: report.soldOutSecond, label: 'sold out', color: '#555' }]),
    ...service.result.scaleUps.map((u) => ({
      second: u.second,
      label: `${u.from}→${u.to}`,
      color: '#2ca02c',
    })),
  ];
  return {
    title: `${m.service}: HPA ${m.hpa.minReplicas}–${m.hpa.maxReplicas} replicas, pod ready ${service.readySeconds} s after scale-up`,
    subtitle: verdict(service),
    unit: service.load.unit,
    seconds: s.map((x) => x.second),
    offered: s.map((x) => Math.round(x.offered)),
    served: s.map((x) => Math.round(x.served)),
    desired: s.map((x) => x.desired),
    ready: s.map((x) => x.ready),
    utilisation: s.map((x) => Math.round(x.utilisation * 10) / 10),
    marks,
    phases: report.phases.map((p) => ({ start: p.startSeconds, name: p.name })),
  };
}

function page(data: ChartData): string {
  return `<!doctype html><html><head><meta charset="utf-8"><style>${asset('uPlot.min.css')}
body{margin:0;background:#fff;font:13px system-ui,sans-serif;color:#222}
#frame{padding:12px 16px;width:1200px}h1{font-size:16px;margin:0 0 2px}p{margin:0 0 8px;color:#444}
</style><script>${asset('uPlot.iife.min.js')}</script></head><body><div id="frame">
<h1 id="title"></h1><p id="subtitle"></p><div id="chart"></div></div><script>
const d = ${JSON.stringify(data)};
document.getElementById('title').textContent = d.title;
document.getElementById('subtitle').textContent = d.subtitle;
const clock = (s) => Math.floor(s / 60) + ':' + String(s % 60).padStart(2, '0');
const marks = {
  hooks: { draw: [(u) => {
    const ctx = u.ctx; ctx.save(); ctx.font = (11 * devicePixelRatio) + 'px sans-serif';
    for (const p of d.phases) {
      const x = u.valToPos(p.start, 'x', true);
      ctx.fillStyle = '#888'; ctx.fillText(p.name, x + 4, u.bbox.top + u.bbox.height - 6);
      ctx.strokeStyle = '#ddd'; ctx.setLineDash([]); ctx.beginPath();
      ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
    }
    let row = 0;
    for (const m of d.marks) {
      const x = u.valToPos(m.second, 'x', true);
      ctx.strokeStyle = m.color; ctx.setLineDash([4, 3]); ctx.lineWidth = devicePixelRatio;
      ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
      ctx.fillStyle = m.color;
      ctx.fillText(m.label, x + 3, u.bbox.top + 14 * devicePixelRatio * (1 + (row++ % 6)));
    }
    ctx.restore();
  }] },
};
new uPlot({
  width: 1170, height: 460, plugins: [marks],
  legend: { live: false },
  scales: { x: { time: false }, pods: { range: (u, min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] }, pct: { range: [0, 200] } },
  axes: [
    { label: 'time into the lifecycle (m:ss)', values: (u, v) => v.map(clock), incrs: [60, 120, 300] },
    { scale: 'load', label: d.unit, size: 70 },
    { scale: 'pods', label: 'replicas', side: 1, grid: { show: false } },
    { scale: 'pct', label: 'CPU % of request', side: 1, grid: { show: false }, size: 60 },
  ],
  series: [
    { label: 't', value: (u, v) => v == null ? '' : clock(v) },
    { label: 'offered ' + d.unit, scale: 'load', stroke: '#1f77b4', width: 2 },
    { label: 'served ' + d.unit, scale: 'load', stroke: '#17becf', width: 1, dash: [6, 3] },
    { label: 'replicas desired', scale: 'pods', stroke: '#ff7f0e', width: 2 },
    { label: 'replicas ready', scale: 'pods', stroke: '#2ca02c', width: 2 },
    { label: 'CPU % of request', scale: 'pct', stroke: '#9467bd', width: 1 },
  ],
}, [d.seconds, d.offered, d.served, d.desired, d.ready, d.utilisation], document.getElementById('chart'));
window.__rendered = true;
</script></body></html>`;
}

export interface RenderOptions {
  chromiumPath: string;
  outDir: string;
}

/** Screenshots one PNG per service into outDir; returns the files written. */
export async function renderCharts(
  charts: readonly ChartData[],
  names: readonly string[],
  options: RenderOptions,
): Promise<string[]> {
  const browser = await chromium.launch({
    executablePath: options.chromiumPath,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const written: string[] = [];
  try {
    const context = await browser.newContext({
      viewport: { width: 1240, height: 620 },
      deviceScaleFactor: 1,
    });
    for (const [index, data] of charts.entries()) {
      const tab = await context.newPage();
      await tab.setContent(page(data));
      // The page sets this global once uPlot has drawn (the function runs in the page, not here).
      await tab.waitForFunction('window.__rendered === true');
      const file = join(options.outDir, `${names[index] ?? `chart-${index}`}.png`);
      await tab.locator('#frame').screenshot({ path: file });
      written.push(file);
      await tab.close();
    }
  } finally {
    await browser.close();
  }
  return written;
}
