'use client';

import type { AdminEventView, EventConfig } from '@frequency/contracts';
import { useRef, useState } from 'react';
import { ApiError, type OpsApi } from '../../lib/api';
import { usePollLoop } from '../../lib/hooks';
import { OpsMetricsSchema, type OpsMetrics } from '../../lib/ops-metrics';
import { deriveTraffic } from '../../lib/ops-series';
import { RingBuffer } from '../../lib/ring-buffer';
import { useI18n } from '../../i18n/language';

/** Five minutes at one sample a second. */
const historySize = 300;
const refreshMs = 1_000;

export interface Traffic {
  requestsPerSecond: number | null;
  p99Ms: number | null;
}

/** One second of the charts; null where that second's scrape or ops call failed. */
export interface OpsPoint {
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

export interface OpsTelemetry {
  admin: AdminEventView | null;
  metrics: OpsMetrics | null;
  traffic: Traffic;
  /** Why the last ops call failed, while it keeps failing. */
  problem: string | null;
  lastUpdate: number | null;
  points: OpsPoint[];
  /** The config a PATCH answered with, shown before the next poll confirms it. */
  showConfig: (config: EventConfig) => void;
  /** Drops the event's figures (sign-out). */
  forget: () => void;
  /** Drops the figures and the history (another event). */
  reset: () => void;
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

/**
 * Every second, the event's live figures from the ops API and the services' metrics, and the last
 * five minutes of both for the charts. Rates and p99 need two scrapes, so the first second has none.
 */
export function useOpsTelemetry(options: {
  opsApi: OpsApi;
  ready: boolean;
  token: string | null;
  eventId: string;
  /** The ops API refused the token. */
  onRejected: () => void;
}): OpsTelemetry {
  const { opsApi, ready, token, eventId, onRejected } = options;
  const { t } = useI18n();
  const [admin, setAdmin] = useState<AdminEventView | null>(null);
  const [metrics, setMetrics] = useState<OpsMetrics | null>(null);
  const [traffic, setTraffic] = useState<Traffic>({ requestsPerSecond: null, p99Ms: null });
  const [problem, setProblem] = useState<string | null>(null);
  const [lastUpdate, setLastUpdate] = useState<number | null>(null);
  // The history lives in a ring buffer outside React state; the version re-renders after each push.
  const [, setVersion] = useState(0);
  const history = useRef(new RingBuffer<OpsPoint>(historySize));
  const previousMetrics = useRef<OpsMetrics | null>(null);

  usePollLoop(
    async (signal) => {
      if (!ready || !token) return refreshMs;
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
          setAdmin(null);
          onRejected();
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
    ready && token !== null,
    `${eventId}:${token ?? ''}`,
  );

  return {
    admin,
    metrics,
    traffic,
    problem,
    lastUpdate,
    points: history.current.toArray(),
    showConfig: (config) => {
      setAdmin((current) => (current ? { ...current, config } : current));
    },
    forget: () => {
      setAdmin(null);
    },
    reset: () => {
      history.current.clear();
      previousMetrics.current = null;
      setAdmin(null);
    },
  };
}
