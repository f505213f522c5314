'use client';

import type { AdminEventView } from '@frequency/contracts';
import { formatNumber } from '../../lib/format';
import type { OpsMetrics } from '../../lib/ops-metrics';
import { useI18n } from '../../i18n/language';
import type { Language } from '../../i18n/messages';
import type { Traffic } from './use-ops-telemetry';

/** A figure rounded to `digits` decimals in the page's language; a dash while it is unknown. */
function figure(value: number | null | undefined, lang: Language, digits = 0): string {
  if (value === null || value === undefined) return '–';
  return formatNumber(digits === 0 ? Math.round(value) : Math.round(value * 10 ** digits) / 10 ** digits, lang);
}

export function ServiceStates({ metrics }: { metrics: OpsMetrics }) {
  const { t } = useI18n();
  return (
    <ul className="flex flex-wrap gap-2 text-sm" aria-label="services">
      {metrics.services.map((s) => (
        <li key={s.service} className={`rounded-full px-3 py-1 font-semibold ${s.up ? 'bg-surface-muted text-ink' : 'bg-danger-soft text-danger'}`}>
          {s.service}
          {s.up ? '' : `: ${t.ops.down}`}
        </li>
      ))}
    </ul>
  );
}

export function OpsFigures({ admin, metrics, traffic }: { admin: AdminEventView | null; metrics: OpsMetrics | null; traffic: Traffic }) {
  const { t, lang } = useI18n();
  const n = (value: number | null | undefined, digits = 0) => figure(value, lang, digits);
  const config = admin?.config;
  const figures: { id: string; label: string; value: string }[] = [
    { id: 'phase', label: t.ops.figures.phase, value: admin ? `${admin.phase}${config?.paused ? ` (${t.ops.figures.paused})` : ''}` : '–' },
    { id: 'waiting', label: t.ops.figures.waiting, value: n(admin?.waiting) },
    { id: 'admitted', label: t.ops.figures.admitted, value: n(admin?.admittedTotal) },
    { id: 'active', label: t.ops.figures.active, value: admin ? `${n(admin.activeCheckouts)} / ${n(config?.maxActiveCheckouts)}` : '–' },
    { id: 'rate', label: t.ops.figures.rate, value: admin ? `${n(admin.achievedAdmissionRatePerSecond, 1)} / ${n(config?.admissionRatePerSecond, 1)}` : '–' },
    { id: 'remaining', label: t.ops.figures.remaining, value: n(admin?.ticketsRemaining) },
    { id: 'sold', label: t.ops.figures.sold, value: n(admin?.ticketsSold) },
    { id: 'rps', label: t.ops.figures.rps, value: n(traffic.requestsPerSecond, 1) },
    { id: 'p99', label: t.ops.figures.p99, value: traffic.p99Ms === null ? '–' : `${n(traffic.p99Ms, 1)} ms` },
    { id: 'backlog', label: t.ops.figures.backlog, value: n(metrics?.pubsubBacklog) },
    { id: 'persisted', label: t.ops.figures.persisted, value: `${n(metrics?.ticketsPersisted)} / ${n(metrics?.ticketsSold ?? admin?.ticketsSold)}` },
  ];
  return (
    <dl className="grid grid-cols-2 gap-3 md:grid-cols-3" data-testid="ops-figures">
      {figures.map((f) => (
        <div key={f.id} className="rounded-xl border-2 border-line bg-surface p-3">
          <dt className="text-sm font-semibold text-ink-soft">{f.label}</dt>
          <dd className="text-2xl font-bold tabular-nums" data-testid={`figure-${f.id}`}>
            {f.value}
          </dd>
        </div>
      ))}
    </dl>
  );
}
