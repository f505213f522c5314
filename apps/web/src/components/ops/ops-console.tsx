'use client';

import type { AdminEventView, PatchEventBody } from '@frequency/contracts';
import { useEffect, useId, useRef, useState } from 'react';
import { ApiError, createOpsApi } from '../../lib/api';
import { seededEventId } from '../../lib/events';
import { formatNumber, formatTime } from '../../lib/format';
import { useApi, usePollLoop } from '../../lib/hooks';
import { OpsMetricsSchema, type OpsMetrics } from '../../lib/ops-metrics';
import { deriveTraffic } from '../../lib/ops-series';
import { RingBuffer } from '../../lib/ring-buffer';
import { useI18n } from '../../i18n/language';
import { Button } from '../panel';
import { AuditTrail } from './audit-trail';
import { Sparkline } from './sparkline';

const tokenKey = 'frequency:ops-token';
/** Five minutes at one sample a second. */
const historySize = 300;
const refreshMs = 1_000;
const opsApi = createOpsApi();

interface Point {
  at: number;
  waiting: number | null;
  achieved: number | null;
  configured: number | null;
  active: number | null;
  requestsPerSecond: number | null;
  p99Ms: number | null;
  sold: number | null;
  persisted: number | null;
  backlog: number | null;
}

interface PendingChange {
  what: string;
  from: string;
  to: string;
  body: PatchEventBody;
}

async function fetchOpsMetrics(eventId: string, token: string, signal: AbortSignal): Promise<OpsMetrics | null> {
  const response = await fetch(`/api/ops/metrics?event=${encodeURIComponent(eventId)}`, {
    headers: { authorization: `Bearer ${token}` },
    cache: 'no-store',
    signal,
  });
  if (!response.ok) return null;
  const parsed = OpsMetricsSchema.safeParse(await response.json());
  return parsed.success ? parsed.data : null;
}

/** `datetime-local` wants local wall time without a zone. */
function toLocalInput(iso: string): string {
  const date = new Date(iso);
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 19);
}

export function OpsConsole() {
  const { t, lang } = useI18n();
  const ids = useId();
  const { api } = useApi();
  const [token, setToken] = useState<string | null>(null);
  const [tokenInput, setTokenInput] = useState('');
  const [tokenError, setTokenError] = useState<string | null>(null);
  const [eventId, setEventId] = useState(seededEventId);
  const [eventInput, setEventInput] = useState(seededEventId);
  const [admin, setAdmin] = useState<AdminEventView | null>(null);
  const [metrics, setMetrics] = useState<OpsMetrics | null>(null);
  const [traffic, setTraffic] = useState<{ requestsPerSecond: number | null; p99Ms: number | null }>({
    requestsPerSecond: null,
    p99Ms: null,
  });
  const [problem, setProblem] = useState<string | null>(null);
  const [lastUpdate, setLastUpdate] = useState<number | null>(null);
  const [, setVersion] = useState(0);
  const history = useRef(new RingBuffer<Point>(historySize));
  const previousMetrics = useRef<OpsMetrics | null>(null);
  const [rateDraft, setRateDraft] = useState('');
  const [capDraft, setCapDraft] = useState('');
  const [opensDraft, setOpensDraft] = useState('');
  const [pending, setPending] = useState<PendingChange | null>(null);
  const [applying, setApplying] = useState(false);
  const [applied, setApplied] = useState<{ message: string; body: PatchEventBody } | null>(null);
  const [changeError, setChangeError] = useState<string | null>(null);

  useEffect(() => {
    try {
      setToken(sessionStorage.getItem(tokenKey));
    } catch {
      // sessionStorage unavailable: sign in each time.
    }
    const fromQuery = new URLSearchParams(window.location.search).get('event');
    if (fromQuery) {
      setEventId(fromQuery);
      setEventInput(fromQuery);
    }
  }, []);

  function signOut(message: string | null) {
    try {
      sessionStorage.removeItem(tokenKey);
    } catch {
      // nothing stored
    }
    setToken(null);
    setAdmin(null);
    setTokenError(message);
  }

  usePollLoop(
    async (signal) => {
      if (!api || !token) return refreshMs;
      const [adminResult, metricsResult] = await Promise.allSettled([
        opsApi.adminEvent(eventId, token, signal),
        fetchOpsMetrics(eventId, token, signal),
      ]);
      let view: AdminEventView | null = null;
      if (adminResult.status === 'fulfilled') {
        view = adminResult.value;
        setAdmin(view);
        setProblem(null);
      } else {
        const err: unknown = adminResult.reason;
        if (err instanceof ApiError && err.status === 401) {
          signOut(t.ops.tokenRejected);
          return refreshMs;
        }
        setProblem(err instanceof ApiError ? `${err.code}: ${err.message}` : t.ops.stale);
      }
      const current = metricsResult.status === 'fulfilled' ? metricsResult.value : null;
      const derived = current ? deriveTraffic(previousMetrics.current, current) : { requestsPerSecond: null, p99Ms: null };
      if (current) {
        previousMetrics.current = current;
        setMetrics(current);
        setTraffic(derived);
      }
      history.current.push({
        at: Date.now(),
        waiting: view?.waiting ?? null,
        achieved: view?.achievedAdmissionRatePerSecond ?? null,
        configured: view?.config.admissionRatePerSecond ?? null,
        active: view?.activeCheckouts ?? null,
        requestsPerSecond: derived.requestsPerSecond,
        p99Ms: derived.p99Ms,
        sold: current?.ticketsSold ?? view?.ticketsSold ?? null,
        persisted: current?.ticketsPersisted ?? null,
        backlog: current?.pubsubBacklog ?? null,
      });
      setVersion((v) => v + 1);
      if (view) setLastUpdate(Date.now());
      return refreshMs;
    },
    api !== null && token !== null,
    `${eventId}:${token ?? ''}`,
  );

  // Fill the control drafts from the live config once per event.
  const draftsFor = useRef<string | null>(null);
  useEffect(() => {
    if (!admin || draftsFor.current === eventId) return;
    draftsFor.current = eventId;
    setRateDraft(String(admin.config.admissionRatePerSecond));
    setCapDraft(String(admin.config.maxActiveCheckouts));
    setOpensDraft(toLocalInput(admin.config.opensAt));
  }, [admin, eventId]);

  async function applyChange(change: PendingChange) {
    if (!api || !token) return;
    setApplying(true);
    setChangeError(null);
    try {
      const config = await opsApi.patchEvent(eventId, token, change.body);
      setAdmin((current) => (current ? { ...current, config } : current));
      setApplied({ message: t.ops.applied(change.what, change.to), body: change.body });
      setPending(null);
    } catch (err) {
      setChangeError(`${t.ops.failed}: ${err instanceof ApiError ? `${err.code} ${err.message}` : String(err)}`);
    } finally {
      setApplying(false);
    }
  }

  if (token === null) {
    return (
      <section aria-labelledby={`${ids}-title`} className="rounded-2xl border-2 border-line bg-surface p-6">
        <h1 id={`${ids}-title`} className="text-2xl font-bold">
          {t.ops.title}
        </h1>
        <form
          className="mt-4 space-y-3"
          onSubmit={(e) => {
            e.preventDefault();
            const value = tokenInput.trim();
            if (!value) return;
            try {
              sessionStorage.setItem(tokenKey, value);
            } catch {
              // kept in memory only
            }
            setTokenError(null);
            setToken(value);
          }}
        >
          <label htmlFor={`${ids}-token`} className="block font-semibold">
            {t.ops.tokenLabel}
          </label>
          <input
            id={`${ids}-token`}
            type="password"
            autoComplete="off"
            value={tokenInput}
            onChange={(e) => {
              setTokenInput(e.target.value);
            }}
            aria-describedby={`${ids}-token-help`}
            className="focus-ring block w-full rounded-lg border-2 border-ink-soft px-3 py-3"
          />
          <p id={`${ids}-token-help`} className="text-sm text-ink-soft">
            {t.ops.tokenHelp}
          </p>
          {tokenError && (
            <p role="alert" className="font-semibold text-danger">
              {tokenError}
            </p>
          )}
          <Button type="submit">{t.ops.signIn}</Button>
        </form>
      </section>
    );
  }

  const points = history.current.toArray();
  const series = (key: Exclude<keyof Point, 'at'>) => points.map((p) => p[key]);
  const n = (value: number | null | undefined, digits = 0) =>
    value === null || value === undefined
      ? '–'
      : formatNumber(digits === 0 ? Math.round(value) : Math.round(value * 10 ** digits) / 10 ** digits, lang);
  const config = admin?.config;
  const inEffect =
    applied !== null &&
    config !== undefined &&
    Object.entries(applied.body).every(([key, value]) => {
      if (key === 'opensAt') return Date.parse(config.opensAt) === Date.parse(String(value));
      return (config as Record<string, unknown>)[key] === value;
    });

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
    <div className="space-y-6">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h1 className="text-3xl font-black">{t.ops.title}</h1>
        <Button variant="secondary" onClick={() => { signOut(null); }}>
          {t.ops.signOut}
        </Button>
      </div>
      <form
        className="flex flex-wrap items-end gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          history.current.clear();
          previousMetrics.current = null;
          setAdmin(null);
          setApplied(null);
          setEventId(eventInput.trim());
        }}
      >
        <div>
          <label htmlFor={`${ids}-event`} className="block text-sm font-semibold">
            {t.ops.eventLabel}
          </label>
          <input
            id={`${ids}-event`}
            value={eventInput}
            onChange={(e) => {
              setEventInput(e.target.value);
            }}
            className="focus-ring mt-1 rounded-lg border-2 border-ink-soft px-3 py-2 font-mono"
          />
        </div>
        <Button type="submit" variant="secondary">{t.ops.show}</Button>
      </form>
      <p className="text-sm text-ink-soft" role="status">
        {problem ?? (lastUpdate ? `${t.ops.live} · ${formatTime(lastUpdate, lang)}` : t.ops.stale)}
      </p>
      {metrics && (
        <ul className="flex flex-wrap gap-2 text-sm" aria-label="services">
          {metrics.services.map((s) => (
            <li key={s.service} className={`rounded-full px-3 py-1 font-semibold ${s.up ? 'bg-surface-muted text-ink' : 'bg-danger-soft text-danger'}`}>
              {s.service}{s.up ? '' : `: ${t.ops.down}`}
            </li>
          ))}
        </ul>
      )}
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

      <section aria-labelledby={`${ids}-charts`} className="space-y-3">
        <h2 id={`${ids}-charts`} className="text-xl font-bold">{t.ops.charts}</h2>
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

      <section aria-labelledby={`${ids}-controls`} className="space-y-4 rounded-2xl border-2 border-line bg-surface p-5">
        <h2 id={`${ids}-controls`} className="text-xl font-bold">{t.ops.controls}</h2>
        <div className="grid gap-4 md:grid-cols-2">
          <ControlField
            id={`${ids}-rate`}
            label={t.ops.rateLabel}
            type="number"
            value={rateDraft}
            onChange={setRateDraft}
            disabled={!config}
            onApply={() => {
              const value = Number(rateDraft);
              if (!config || !Number.isFinite(value) || value < 0) return;
              setPending({ what: t.ops.rateLabel, from: String(config.admissionRatePerSecond), to: String(value), body: { admissionRatePerSecond: value } });
            }}
          />
          <ControlField
            id={`${ids}-cap`}
            label={t.ops.capLabel}
            type="number"
            value={capDraft}
            onChange={setCapDraft}
            disabled={!config}
            onApply={() => {
              const value = Number(capDraft);
              if (!config || !Number.isInteger(value) || value < 1) return;
              setPending({ what: t.ops.capLabel, from: String(config.maxActiveCheckouts), to: String(value), body: { maxActiveCheckouts: value } });
            }}
          />
          <ControlField
            id={`${ids}-opens`}
            label={t.ops.opensAtLabel}
            type="datetime-local"
            value={opensDraft}
            onChange={setOpensDraft}
            disabled={!config}
            onApply={() => {
              const date = new Date(opensDraft);
              if (!config || Number.isNaN(date.getTime())) return;
              setPending({ what: t.ops.opensAtLabel, from: config.opensAt, to: date.toISOString(), body: { opensAt: date.toISOString() } });
            }}
          />
          <div className="flex items-end">
            <Button
              variant={config?.paused ? 'primary' : 'danger'}
              disabled={!config}
              onClick={() => {
                if (!config) return;
                const label = config.paused ? t.ops.resume : t.ops.pause;
                setPending({ what: label, from: String(config.paused), to: String(!config.paused), body: { paused: !config.paused } });
              }}
            >
              {config?.paused ? t.ops.resume : t.ops.pause}
            </Button>
          </div>
        </div>
        {pending && (
          <div role="alertdialog" aria-labelledby={`${ids}-confirm`} aria-describedby={`${ids}-confirm-body`} className="rounded-xl border-2 border-warning bg-surface p-4">
            <h3 id={`${ids}-confirm`} className="font-bold">{t.ops.confirmTitle}</h3>
            <p id={`${ids}-confirm-body`} className="mt-1 font-mono text-sm">
              {t.ops.confirmChange(pending.what, pending.from, pending.to)}
            </p>
            <div className="mt-3 flex gap-2">
              <Button autoFocus disabled={applying} onClick={() => void applyChange(pending)}>
                {t.ops.confirm}
              </Button>
              <Button variant="secondary" onClick={() => { setPending(null); }}>
                {t.ops.cancel}
              </Button>
            </div>
          </div>
        )}
        <div aria-live="polite" role="status" data-testid="ops-change-status">
          {changeError && <p className="font-semibold text-danger">{changeError}</p>}
          {applied && !changeError && (
            <p className="font-semibold text-success">
              {applied.message}
              {inEffect && <span className="ml-2 rounded-full bg-success px-2 py-0.5 text-sm text-white">{t.ops.inEffect}</span>}
            </p>
          )}
        </div>
      </section>

      <AuditTrail eventId={eventId} token={token} />
    </div>
  );
}

function ControlField(props: {
  id: string;
  label: string;
  type: 'number' | 'datetime-local';
  value: string;
  disabled: boolean;
  onChange: (value: string) => void;
  onApply: () => void;
}) {
  const { t } = useI18n();
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        props.onApply();
      }}
    >
      <label htmlFor={props.id} className="block font-semibold">
        {props.label}
      </label>
      <div className="mt-1 flex gap-2">
        <input
          id={props.id}
          type={props.type}
          step={props.type === 'number' ? 'any' : 1}
          min={props.type === 'number' ? 0 : undefined}
          value={props.value}
          onChange={(e) => {
            props.onChange(e.target.value);
          }}
          className="focus-ring w-full min-w-0 rounded-lg border-2 border-ink-soft px-3 py-2"
        />
        <Button type="submit" variant="secondary" disabled={props.disabled}>
          {t.ops.apply}
        </Button>
      </div>
    </form>
  );
}
