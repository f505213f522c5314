// A heatmap panel: one row per histogram bucket, one cell per step, coloured on Grafana's orange
// scheme by the cell's share of the panel's largest value raised to the panel's exponent.
import uPlot from 'uplot';
import type { HeatmapPanel } from '../dashboard-schema.ts';
import type { Drawn } from './panel-item.ts';
import { AXIS, timeAxis } from './theme.ts';
import { format } from './units.ts';

const SCALE_HEIGHT = 22;

export function heatmap(body: HTMLElement, item: Drawn<HeatmapPanel>): void {
  const { panel, times, series } = item;
  const buckets = item.buckets ?? [];
  const unit = panel.options?.yAxis?.unit ?? 'short';
  const exponent = panel.options?.color?.exponent || 0.5;
  let max = 0;
  for (const s of series) for (const v of s.values) if (v !== null && v > max) max = v;
  const bucketLabel = (i: number): string => {
    const bound = buckets[i];
    return bound === Infinity ? '+Inf' : format(unit, bound);
  };
  const chart = document.createElement('div');
  body.appendChild(chart);
  new uPlot(
    {
      width: body.clientWidth,
      height: body.clientHeight - SCALE_HEIGHT,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: true }, y: { time: false, range: [0, buckets.length] } },
      axes: [
        timeAxis(),
        {
          ...AXIS,
          size: 64,
          incrs: [1, 2, 3, 4, 5, 10],
          values: (_u, splits) =>
            splits.map((v) => (Number.isInteger(v) && v < buckets.length ? bucketLabel(v) : '')),
        },
      ],
      series: [{}, { paths: () => null, points: { show: false } }],
      hooks: {
        draw: [
          (u) => {
            const ctx = u.ctx;
            const [t0, t1] = times;
            const stepPx =
              t0 !== undefined && t1 !== undefined
                ? Math.abs(u.valToPos(t1, 'x', true) - u.valToPos(t0, 'x', true))
                : 4;
            series.forEach((s, b) => {
              const y0 = u.valToPos(b + 1, 'y', true);
              const y1 = u.valToPos(b, 'y', true);
              s.values.forEach((v, t) => {
                const time = times[t];
                if (v === null || v <= 0 || max === 0 || time === undefined) return;
                const k = Math.pow(v / max, exponent);
                ctx.fillStyle = `rgba(${Math.round(120 + 135 * k)},${Math.round(50 + 100 * k)},${Math.round(10 + 10 * k)},${0.25 + 0.75 * k})`;
                const x = u.valToPos(time, 'x', true);
                ctx.fillRect(x - stepPx / 2, y0, Math.max(1, stepPx - 1), Math.max(1, y1 - y0 - 1));
              });
            });
          },
        ],
      },
    },
    [times, times.map(() => null)],
    chart,
  );
  const scale = document.createElement('div');
  scale.className = 'heat-scale';
  scale.innerHTML = `<span>0</span><span class="ramp"></span><span>${format('reqps', max)}</span>`;
  body.appendChild(scale);
}
