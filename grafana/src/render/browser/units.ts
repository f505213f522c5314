// Grafana's value formatting and reductions for the units and calcs these dashboards use, so a
// legend, an axis or a stat shows the figure Grafana would show for the same series.
import type { ThresholdStep } from '../dashboard-schema.ts';
import { colour } from './theme.ts';

export type Values = readonly (number | null)[];

function trim(v: number, decimals?: number): string {
  if (v === 0) return '0';
  const d = decimals ?? (Math.abs(v) >= 100 ? 0 : Math.abs(v) >= 10 ? 1 : 2);
  return String(Number(v.toFixed(d)));
}

function scaled(value: number, step: number, suffixes: readonly string[]): string {
  let i = 0;
  let v = value;
  while (Math.abs(v) >= step && i < suffixes.length - 1) {
    v /= step;
    i += 1;
  }
  return `${trim(v)}${suffixes[i] ?? ''}`;
}

/** Grafana's units used by these dashboards: short, reqps, s, percentunit, none. */
export function format(unit: string, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '-';
  switch (unit) {
    case 'reqps':
      return `${scaled(value, 1000, ['', ' K', ' Mil', ' Bil'])} req/s`;
    case 'percentunit':
      return `${trim(value * 100)}%`;
    case 's': {
      const a = Math.abs(value);
      if (a === 0) return '0 s';
      if (a < 1e-3) return `${trim(value * 1e6)} µs`;
      if (a < 1) return `${trim(value * 1e3)} ms`;
      if (a < 60) return `${trim(value)} s`;
      return `${trim(value / 60)} min`;
    }
    case 'none':
      return trim(value);
    default:
      return scaled(value, 1000, ['', ' K', ' Mil', ' Bil', ' Tri']);
  }
}

/** The colour of the last step whose value the figure reaches, as Grafana's absolute thresholds. */
export function thresholdColour(steps: readonly ThresholdStep[], value: number): string {
  let chosen = steps[0]?.color ?? 'green';
  for (const step of steps) if (step.value === null || value >= step.value) chosen = step.color;
  return colour(chosen);
}

function lastNotNull(values: Values): number | null {
  for (let i = values.length - 1; i >= 0; i -= 1) {
    const v = values[i];
    if (v !== null && v !== undefined) return v;
  }
  return null;
}

/** A legend or stat reduction by Grafana's name; null for a series without points. */
export function calc(name: string, values: Values): number | null {
  const present = values.filter((v): v is number => v !== null);
  if (present.length === 0) return null;
  switch (name) {
    case 'lastNotNull':
    case 'last':
      return lastNotNull(values);
    case 'max':
      return Math.max(...present);
    case 'min':
      return Math.min(...present);
    case 'mean':
      return present.reduce((a, b) => a + b, 0) / present.length;
    default:
      return null;
  }
}

const CALC_TITLE: Readonly<Record<string, string>> = {
  lastNotNull: 'Last *',
  last: 'Last',
  max: 'Max',
  min: 'Min',
  mean: 'Mean',
};

/** The legend's column head for a calc. */
export function calcTitle(name: string): string {
  return CALC_TITLE[name] ?? name;
}
