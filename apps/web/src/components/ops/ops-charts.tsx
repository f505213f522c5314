'use client';

import { useId } from 'react';
import { useI18n } from '../../i18n/language';
import { Sparkline } from './sparkline';
import type { OpsPoint } from './use-ops-telemetry';

export function OpsCharts({ points }: { points: OpsPoint[] }) {
  const { t } = useI18n();
  const ids = useId();
  const series = (key: Exclude<keyof OpsPoint, 'at'>) => points.map((p) => p[key]);
  return (
    <section aria-labelledby={`${ids}-charts`} className="space-y-3">
      <h2 id={`${ids}-charts`} className="text-xl font-bold">
        {t.ops.charts}
      </h2>
      <div className="grid gap-3 md:grid-cols-2">
        <Sparkline title={t.ops.figures.waiting} series={[{ label: t.ops.figures.waiting, values: series('waiting'), color: '#6d28d9' }]} />
        <Sparkline
          title={t.ops.figures.rate}
          unit="/s"
          testId="chart-rate"
          series={[
            { label: 'achieved', values: series('achieved'), color: '#15803d' },
            { label: 'configured', values: series('configured'), color: '#111827', dashed: true },
          ]}
        />
        <Sparkline title={t.ops.figures.rps} series={[{ label: 'req/s', values: series('requestsPerSecond'), color: '#2563eb' }]} />
        <Sparkline title={t.ops.figures.p99} unit="ms" series={[{ label: 'p99', values: series('p99Ms'), color: '#b45309' }]} />
        <Sparkline
          title={t.ops.figures.persisted}
          series={[
            { label: 'sold', values: series('sold'), color: '#111827', dashed: true },
            { label: 'persisted', values: series('persisted'), color: '#15803d' },
          ]}
        />
        <Sparkline title={t.ops.figures.backlog} series={[{ label: 'backlog', values: series('backlog'), color: '#b91c1c' }]} />
      </div>
    </section>
  );
}
