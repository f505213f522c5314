// A stat panel: per series, the reduced value in big figures coloured by the thresholds, over a
// sparkline of the series unless the panel turns the graph off.
import uPlot from 'uplot';
import type { StatPanel, ThresholdStep } from '../dashboard-schema.ts';
import type { Drawn } from './panel-item.ts';
import { alpha } from './theme.ts';
import { calc, format, thresholdColour } from './units.ts';

const DEFAULT_STEPS: readonly ThresholdStep[] = [{ value: null, color: 'green' }];

export function stat(body: HTMLElement, item: Drawn<StatPanel>): void {
  const { panel, times, series } = item;
  const defaults = panel.fieldConfig?.defaults ?? {};
  const unit = defaults.unit ?? 'short';
  const steps = defaults.thresholds?.steps ?? DEFAULT_STEPS;
  const reduce = panel.options?.reduceOptions?.calcs[0] ?? 'lastNotNull';
  const graph = panel.options?.graphMode !== 'none';
  body.classList.add('stats');
  for (const s of series) {
    const value = calc(reduce, s.values);
    const c = thresholdColour(steps, value ?? -Infinity);
    const cell = document.createElement('div');
    cell.className = 'stat-cell';
    body.appendChild(cell);
    const width = body.clientWidth / series.length;
    cell.style.width = `${width}px`;
    if (graph) {
      const spark = document.createElement('div');
      spark.className = 'spark';
      cell.appendChild(spark);
      new uPlot(
        {
          width,
          height: Math.round(body.clientHeight * 0.5),
          legend: { show: false },
          cursor: { show: false },
          axes: [{ show: false }, { show: false }],
          scales: {
            x: { time: false },
            y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max : 1] },
          },
          series: [{}, { stroke: c, fill: alpha(c, 0.15), width: 1, points: { show: false } }],
        },
        [times, s.values],
        spark,
      );
    }
    const text = document.createElement('div');
    text.className = 'value';
    text.style.color = c;
    text.textContent = format(unit, value);
    cell.appendChild(text);
    if (series.length > 1 || s.name) {
      const label = document.createElement('div');
      label.className = 'label';
      label.textContent = s.name;
      cell.appendChild(label);
    }
  }
}
