// Grafana's dark theme as these dashboards use it: the classic palette series take in order, the
// named colours thresholds refer to, and the axis style of its time-series panels.
import type uPlot from 'uplot';

export const PALETTE = [
  '#73BF69',
  '#F2CC0C',
  '#8AB8FF',
  '#FF780A',
  '#F2495C',
  '#5794F2',
  '#B877D9',
  '#705DA0',
  '#37872D',
  '#FADE2A',
  '#447EBC',
  '#C15C17',
  '#890F02',
  '#0A437C',
  '#6D1F62',
  '#584477',
  '#B7DBAB',
  '#F4D598',
  '#70DBED',
  '#F9BA8F',
  '#F29191',
  '#82B5D8',
  '#E5A8E2',
  '#AEA2E0',
] as const;

const NAMED: Readonly<Record<string, string>> = {
  green: '#73BF69',
  red: '#F2495C',
  yellow: '#FADE2A',
  orange: '#FF9830',
  blue: '#5794F2',
  purple: '#B877D9',
  transparent: 'rgba(0,0,0,0)',
  text: '#ccccdc',
};

/** A threshold colour as the page draws it: Grafana's named colours, anything else as written. */
export function colour(name: string): string {
  return NAMED[name] ?? name;
}

/** The palette colour of the i-th series. */
export function seriesColour(i: number): string {
  return PALETTE[i % PALETTE.length] ?? PALETTE[0];
}

/** A #rrggbb colour at opacity a. */
export function alpha(hex: string, a: number): string {
  const n = parseInt(hex.slice(1), 16);
  return `rgba(${(n >> 16) & 255},${(n >> 8) & 255},${n & 255},${a})`;
}

export const AXIS = {
  stroke: '#9fa7b3',
  grid: { stroke: 'rgba(204,204,220,0.07)', width: 1 },
  ticks: { stroke: 'rgba(204,204,220,0.07)', width: 1 },
  font: '11px Inter, DejaVu Sans, sans-serif',
} satisfies uPlot.Axis;

/** The x axis of a time panel: UTC wall-clock time, hh:mm:ss. */
export function timeAxis(): uPlot.Axis {
  const pad = (n: number): string => String(n).padStart(2, '0');
  return {
    ...AXIS,
    values: (_u, splits) =>
      splits.map((t) => {
        const d = new Date(t * 1000);
        return `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
      }),
  };
}
