'use client';

export interface Series {
  label: string;
  values: (number | null)[];
  color: string;
  dashed?: boolean;
}

/**
 * A small line chart in inline SVG: no chart library to load for a console that redraws once a
 * second. The numbers are in the caption for screen readers; the drawing is decoration.
 */
export function Sparkline({ title, series, unit, testId }: { title: string; series: Series[]; unit?: string; testId?: string }) {
  const width = 300;
  const height = 80;
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null && Number.isFinite(v)));
  const max = Math.max(1, ...all);
  const count = Math.max(2, ...series.map((s) => s.values.length));
  const x = (i: number) => (i / (count - 1)) * width;
  const y = (v: number) => height - (v / max) * (height - 4) - 2;
  const latest = series.map((s) => {
    const last = [...s.values].reverse().find((v) => v !== null);
    return `${s.label}: ${last === undefined ? '–' : formatValue(last)}${unit ? ` ${unit}` : ''}`;
  });
  return (
    <figure className="rounded-xl border-2 border-line bg-surface p-3" data-testid={testId}>
      <figcaption className="flex flex-wrap justify-between gap-x-3 text-sm">
        <span className="font-semibold text-ink">{title}</span>
        <span className="text-ink-soft">{latest.join(' · ')}</span>
      </figcaption>
      <svg viewBox={`0 0 ${width} ${height}`} className="mt-2 h-20 w-full" aria-hidden="true" preserveAspectRatio="none">
        <line x1="0" x2={width} y1={height - 1} y2={height - 1} stroke="#d1d5db" strokeWidth="1" />
        {series.map((s) => {
          const points = s.values
            .map((v, i) => (v === null || !Number.isFinite(v) ? null : `${x(i).toFixed(1)},${y(v).toFixed(1)}`))
            .filter((p): p is string => p !== null)
            .join(' ');
          return (
            <polyline
              key={s.label}
              points={points}
              fill="none"
              stroke={s.color}
              strokeWidth="2"
              strokeDasharray={s.dashed ? '5 4' : undefined}
              vectorEffect="non-scaling-stroke"
            />
          );
        })}
      </svg>
      <p className="mt-1 text-xs text-ink-soft">max {formatValue(max)}</p>
    </figure>
  );
}

function formatValue(value: number): string {
  if (Math.abs(value) >= 100) return Math.round(value).toLocaleString('en');
  return (Math.round(value * 10) / 10).toString();
}
