// A time-series panel: one uPlot line per series (cumulative when the panel stacks, with bands
// between the stacked lines), the table legend below it, and the thresholds as dashed lines when
// the panel shows them.
import uPlot from 'uplot';
import type { TimeseriesPanel } from '../dashboard-schema.ts';
import { legendTable } from './legend.ts';
import type { Drawn } from './panel-item.ts';
import { alpha, AXIS, colour, seriesColour, timeAxis } from './theme.ts';
import { format } from './units.ts';

/** Each series added to the ones before it, as Grafana's "normal" stacking draws them. */
function stack(
  times: readonly number[],
  values: readonly (number | null)[][],
): (number | null)[][] {
  const running = times.map(() => 0);
  return values.map((series) =>
    series.map((v, t) => {
      if (v === null) return null;
      const sum = (running[t] ?? 0) + v;
      running[t] = sum;
      return sum;
    }),
  );
}

export function timeseries(body: HTMLElement, item: Drawn<TimeseriesPanel>): void {
  const { panel, times, series } = item;
  const defaults = panel.fieldConfig?.defaults ?? {};
  const custom = defaults.custom ?? {};
  const unit = defaults.unit ?? 'short';
  const stacked = custom.stacking?.mode === 'normal';
  const colours = series.map((_, i) => seriesColour(i));
  const chart = document.createElement('div');
  body.appendChild(chart);
  const legendEl = legendTable(body, panel, series, colours, unit);
  const legendHeight = legendEl ? Math.min(legendEl.offsetHeight, body.clientHeight * 0.45) : 0;
  if (legendEl) legendEl.style.maxHeight = `${legendHeight}px`;
  const raw = series.map((s) => s.values);
  const data = stacked ? stack(times, raw) : raw;
  const fillOpacity = (custom.fillOpacity ?? 0) / 100;
  const opts: uPlot.Options = {
    width: body.clientWidth,
    height: Math.max(60, body.clientHeight - legendHeight - 4),
    legend: { show: false },
    cursor: { show: false },
    scales: {
      x: { time: true },
      y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.05 : 1] },
    },
    axes: [
      timeAxis(),
      { ...AXIS, size: 64, values: (_u, splits) => splits.map((v) => format(unit, v)) },
    ],
    series: [
      {},
      ...series.map((s, i): uPlot.Series => {
        const c = colours[i] ?? seriesColour(i);
        return {
          label: s.name,
          stroke: c,
          width: custom.lineWidth || 1,
          spanGaps: false,
          points: { show: false },
          ...(fillOpacity > 0 && (!stacked || i === 0) ? { fill: alpha(c, fillOpacity) } : {}),
        };
      }),
    ],
    bands: stacked
      ? series.slice(1).map((_, i) => ({
          series: [i + 2, i + 1] as [number, number],
          fill: alpha(colours[i + 1] ?? seriesColour(i + 1), fillOpacity),
        }))
      : [],
  };
  const steps = defaults.thresholds?.steps ?? [];
  const style = custom.thresholdsStyle?.mode ?? 'off';
  if (style !== 'off' && steps.length > 1) {
    opts.hooks = {
      draw: [
        (u) => {
          const ctx = u.ctx;
          for (const step of steps) {
            if (step.value === null) continue;
            const y = u.valToPos(step.value, 'y', true);
            ctx.save();
            ctx.strokeStyle = colour(step.color);
            ctx.setLineDash([10, 10]);
            ctx.beginPath();
            ctx.moveTo(u.bbox.left, y);
            ctx.lineTo(u.bbox.left + u.bbox.width, y);
            ctx.stroke();
            ctx.restore();
          }
        },
      ],
    };
  }
  new uPlot(opts, [times, ...data], chart);
}
