// The table legend under a time series: a swatch and the name of each series, then one column per
// calc the panel asks for, headed as Grafana heads them.
import type { TimeseriesPanel } from '../dashboard-schema.ts';
import type { Series } from '../panel-data.ts';
import { calc, calcTitle, format } from './units.ts';

export function legendTable(
  container: HTMLElement,
  panel: TimeseriesPanel,
  series: readonly Series[],
  colours: readonly string[],
  unit: string,
): HTMLTableElement | null {
  const legend = panel.options?.legend ?? {};
  if (legend.showLegend === false || legend.displayMode === 'hidden') return null;
  const calcs = legend.calcs ?? [];
  const table = document.createElement('table');
  table.className = 'legend';
  if (calcs.length > 0) {
    const head = table.insertRow();
    head.insertCell().textContent = '';
    for (const c of calcs) head.insertCell().textContent = calcTitle(c);
    head.className = 'head';
  }
  series.forEach((s, i) => {
    const row = table.insertRow();
    const name = row.insertCell();
    name.innerHTML = `<span class="swatch" style="background:${colours[i] ?? ''}"></span>`;
    name.appendChild(document.createTextNode(s.name));
    for (const c of calcs) row.insertCell().textContent = format(unit, calc(c, s.values));
  });
  container.appendChild(table);
  return table;
}
