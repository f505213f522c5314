// The script of one service's chart page (runs in Chromium, bundled with uPlot when the page is
// screenshotted): offered and served load, replicas desired and ready, CPU utilisation, with the
// lifecycle's phases along the bottom and a dashed line at each mark (sale opens, sold out, every
// scale-up), their labels stepped down so neighbours do not overwrite each other.
import { drawPage } from '@frequency/grafana/screenshot/browser';
import uPlot from 'uplot';
import type { ChartData } from './chart-data.js';

/**
 * uPlot's Axis.Side.Right. uPlot declares the sides as a const enum, which a bundle built one
 * module at a time cannot read from its types, so the value is spelled here.
 */
const RIGHT = 1 as unknown as uPlot.Axis.Side;

const clock = (s: number): string => `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;

function element(id: string): HTMLElement {
  const el = document.getElementById(id);
  if (!el) throw new Error(`the chart page has no #${id}`);
  return el;
}

function marks(d: ChartData): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u) => {
          const ctx = u.ctx;
          ctx.save();
          ctx.font = `${11 * devicePixelRatio}px sans-serif`;
          for (const p of d.phases) {
            const x = u.valToPos(p.start, 'x', true);
            ctx.fillStyle = '#888';
            ctx.fillText(p.name, x + 4, u.bbox.top + u.bbox.height - 6);
            ctx.strokeStyle = '#ddd';
            ctx.setLineDash([]);
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
          }
          let row = 0;
          for (const m of d.marks) {
            const x = u.valToPos(m.second, 'x', true);
            ctx.strokeStyle = m.color;
            ctx.setLineDash([4, 3]);
            ctx.lineWidth = devicePixelRatio;
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
            ctx.fillStyle = m.color;
            ctx.fillText(m.label, x + 3, u.bbox.top + 14 * devicePixelRatio * (1 + (row++ % 6)));
          }
          ctx.restore();
        },
      ],
    },
  };
}

function drawChart(d: ChartData): void {
  element('title').textContent = d.title;
  element('subtitle').textContent = d.subtitle;
  new uPlot(
    {
      width: 1170,
      height: 460,
      plugins: [marks(d)],
      legend: { live: false },
      scales: {
        x: { time: false },
        pods: { range: (_u, _min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] },
        pct: { range: [0, 200] },
      },
      axes: [
        {
          label: 'time into the lifecycle (m:ss)',
          values: (_u, v) => v.map(clock),
          incrs: [60, 120, 300],
        },
        { scale: 'load', label: d.unit, size: 70 },
        { scale: 'pods', label: 'replicas', side: RIGHT, grid: { show: false } },
        { scale: 'pct', label: 'CPU % of request', side: RIGHT, grid: { show: false }, size: 60 },
      ],
      series: [
        // uPlot passes null where the cursor has no point, whatever its types say.
        { label: 't', value: (_u, v: number | null | undefined) => (v == null ? '' : clock(v)) },
        { label: `offered ${d.unit}`, scale: 'load', stroke: '#1f77b4', width: 2 },
        { label: `served ${d.unit}`, scale: 'load', stroke: '#17becf', width: 1, dash: [6, 3] },
        { label: 'replicas desired', scale: 'pods', stroke: '#ff7f0e', width: 2 },
        { label: 'replicas ready', scale: 'pods', stroke: '#2ca02c', width: 2 },
        { label: 'CPU % of request', scale: 'pct', stroke: '#9467bd', width: 1 },
      ],
    },
    [d.seconds, d.offered, d.served, d.desired, d.ready, d.utilisation],
    element('chart'),
  );
}

// The model is the ChartData render.ts passed for this page.
drawPage((model) => {
  drawChart(model as ChartData);
});
