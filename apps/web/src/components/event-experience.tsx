'use client';

import type { Availability, EventView, JoinResponse, QueueStatus } from '@frequency/contracts';
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { ApiError, type Api } from '../lib/api';
import { formatDateTime, formatNumber } from '../lib/format';
import { useApi, usePollLoop } from '../lib/hooks';
import { nextPollDelay } from '../lib/poll';
import { ChallengeUnsupportedError, solveInWorker } from '../lib/solve-in-worker';
import {
  orderKey,
  orderStore,
  queueKey,
  queueStore,
  type OrderRecord,
  type QueueRecord,
} from '../lib/storage';
import { useI18n } from '../i18n/language';
import { ChallengeProgress } from './challenge-progress';
import { CheckoutForm } from './checkout-form';
import { Countdown } from './countdown';
import { OrderView } from './order-view';
import { Button, Panel } from './panel';
import { QueuePanel } from './queue-panel';
import { ShuffleNote } from './shuffle-note';

type Gone = 'sold_out' | 'expired' | 'left';

/** How often the event's own figures refresh: slower than the queue, they are only context. */
const eventPollMs = { idle: 5_000, queued: 15_000 };

/**
 * One event from a fan's side: the event, then joining, waiting, checkout and the tickets. Everything
 * comes from the APIs in the browser; what must survive a reload lives in localStorage per event.
 */
export function EventExperience({ eventId }: { eventId: string }) {
  const { t, lang } = useI18n();
  const { api, failed: configFailed } = useApi();
  const headingId = useId();
  const [event, setEvent] = useState<EventView | null>(null);
  const [eventProblem, setEventProblem] = useState<'not_found' | 'unreachable' | null>(null);
  const [availability, setAvailability] = useState<Availability | null>(null);
  const [hydrated, setHydrated] = useState(false);
  const [record, setRecord] = useState<QueueRecord | null>(null);
  const [order, setOrder] = useState<OrderRecord | null>(null);
  const [status, setStatus] = useState<QueueStatus | null>(null);
  const [gone, setGone] = useState<Gone | null>(null);
  const [joinProblem, setJoinProblem] = useState<string | null>(null);
  const [joining, setJoining] = useState(false);
  const [reconnecting, setReconnecting] = useState(false);
  /** Set while the join challenge is being solved in the worker. */
  const [solving, setSolving] = useState<{ attempts: number; bits: number } | null>(null);
  const solveAbort = useRef<AbortController | null>(null);
  const joinInFlight = useRef(false);
  const queueFailures = useRef(0);
  const eventFailures = useRef(0);

  // Restore what this browser remembers, and follow what other tabs change.
  useEffect(() => {
    setRecord(queueStore.read(eventId));
    setOrder(orderStore.read(eventId));
    setHydrated(true);
    const onStorage = (e: StorageEvent) => {
      if (e.key === queueKey(eventId)) {
        const next = queueStore.read(eventId);
        setRecord(next);
        if (next) setGone(null);
      }
      if (e.key === orderKey(eventId)) setOrder(orderStore.read(eventId));
    };
    window.addEventListener('storage', onStorage);
    return () => {
      window.removeEventListener('storage', onStorage);
    };
  }, [eventId]);

  // Leaving the page stops the worker: nobody pays for a join they no longer want.
  useEffect(
    () => () => {
      solveAbort.current?.abort();
    },
    [],
  );

  const saveRecord = useCallback(
    (next: QueueRecord | null) => {
      queueStore.write(eventId, next);
      setRecord(next);
    },
    [eventId],
  );
  const saveOrder = useCallback(
    (next: OrderRecord | null) => {
      orderStore.write(eventId, next);
      setOrder(next);
    },
    [eventId],
  );

  const placedOrder = order?.orderId ? { ...order, orderId: order.orderId } : null;
  const inQueue = record !== null && gone === null && placedOrder === null;

  usePollLoop(
    async (signal) => {
      if (!api) return 1_000;
      const pollAfterMs = inQueue ? eventPollMs.queued : eventPollMs.idle;
      const [eventResult, availabilityResult] = await Promise.allSettled([
        api.getEvent(eventId, signal),
        api.availability(eventId, signal),
      ]);
      if (availabilityResult.status === 'fulfilled') setAvailability(availabilityResult.value);
      if (eventResult.status === 'fulfilled') {
        eventFailures.current = 0;
        setEvent(eventResult.value);
        setEventProblem(null);
        return nextPollDelay({ pollAfterMs, failures: 0 });
      }
      const err: unknown = eventResult.reason;
      if (err instanceof ApiError && err.code === 'NOT_FOUND') {
        setEventProblem('not_found');
        return 30_000;
      }
      eventFailures.current += 1;
      setEventProblem('unreachable');
      return nextPollDelay({
        pollAfterMs,
        failures: eventFailures.current,
        retryAfterMs: err instanceof ApiError ? err.retryAfterMs : null,
      });
    },
    api !== null,
    // A change of queue state (e.g. pre-queue -> waiting at opening) refreshes the event at once,
    // so the revealed shuffle seed and the new phase show without waiting for the slow interval.
    `${eventId}:${inQueue ? 'queued' : 'idle'}:${status?.state ?? ''}`,
  );

  const admitted = status?.state === 'admitted' && status.admission !== null;

  usePollLoop(
    async (signal) => {
      if (!api || !record) return 1_000;
      try {
        const next = await api.queueStatus(eventId, record.queueToken, signal);
        queueFailures.current = 0;
        setReconnecting(false);
        setStatus(next);
        if (next.state === 'sold_out' || next.state === 'expired') {
          setGone(next.state);
          saveRecord(null);
          return 60_000;
        }
        if (
          next.aheadOfYou !== null &&
          (record.initialAhead === null || next.aheadOfYou > record.initialAhead)
        ) {
          saveRecord({ ...record, initialAhead: next.aheadOfYou });
        }
        return nextPollDelay({ pollAfterMs: next.pollAfterMs, failures: 0 });
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          setGone('expired');
          saveRecord(null);
          return 60_000;
        }
        queueFailures.current += 1;
        setReconnecting(true);
        return nextPollDelay({
          pollAfterMs: status?.pollAfterMs ?? 2_000,
          failures: queueFailures.current,
          retryAfterMs: err instanceof ApiError ? err.retryAfterMs : null,
        });
      }
    },
    api !== null && inQueue && !admitted,
    `${eventId}:${record?.queueToken ?? ''}`,
  );

  /** A challenge at the event's current difficulty, solved in a Web Worker (never on this thread). */
  async function solvedChallenge(
    client: Api,
  ): Promise<{ challenge: string; nonce: string } | undefined> {
    const issued = await client.challenge(eventId);
    if (issued.bits === 0) return undefined;
    const controller = new AbortController();
    solveAbort.current = controller;
    setSolving({ attempts: 0, bits: issued.bits });
    try {
      const { nonce } = await solveInWorker(
        { challenge: issued.challenge, bits: issued.bits },
        (attempts) => {
          setSolving({ attempts, bits: issued.bits });
        },
        controller.signal,
      );
      return { challenge: issued.challenge, nonce };
    } finally {
      setSolving(null);
    }
  }

  /**
   * A fresh join solves the challenge first when the event asks for one; a rejoin with the queue token
   * needs none. A refusal for the challenge (difficulty raised after the page read the event, or the
   * challenge expired while a slow device solved it) gets one more try with a fresh challenge.
   */
  async function joinQueue(client: Api, token: string | null): Promise<JoinResponse> {
    if (token !== null) return client.join(eventId, token);
    let needed = (event?.joinChallengeBits ?? 0) > 0;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await client.join(eventId, null, needed ? await solvedChallenge(client) : undefined);
      } catch (err) {
        if (attempt > 0 || !(err instanceof ApiError && err.code === 'CHALLENGE_FAILED')) throw err;
        needed = true;
      }
    }
  }

  async function join() {
    if (!api || joinInFlight.current) return;
    joinInFlight.current = true;
    setJoining(true);
    setJoinProblem(null);
    try {
      const joined = await joinQueue(api, record?.queueToken ?? null);
      saveOrder(null);
      saveRecord({
        queueToken: joined.queueToken,
        initialAhead: joined.queueToken === record?.queueToken ? record.initialAhead : null,
      });
      setStatus({
        state: joined.state,
        position: joined.position,
        aheadOfYou: null,
        estimatedWaitSeconds: null,
        pollAfterMs: joined.pollAfterMs,
        admission: null,
      });
      setGone(null);
    } catch (err) {
      if (err instanceof DOMException && err.name === 'AbortError') return;
      if (err instanceof ChallengeUnsupportedError) setJoinProblem(t.join.challengeUnsupported);
      else if (err instanceof ApiError && err.code === 'CHALLENGE_FAILED')
        setJoinProblem(t.join.challengeFailed);
      else if (err instanceof ApiError && err.code === 'SOLD_OUT') setGone('sold_out');
      else if (err instanceof ApiError && err.status === 401) {
        // A stale token from an earlier visit: forget it and join afresh.
        saveRecord(null);
        setJoinProblem(t.join.failed);
      } else if (err instanceof ApiError && err.code === 'RATE_LIMITED')
        setJoinProblem(t.join.rateLimited(Math.ceil((err.retryAfterMs ?? 5_000) / 1_000)));
      else if (err instanceof ApiError && err.code === 'EVENT_NOT_OPEN')
        setJoinProblem(t.join.notOpenYet);
      else setJoinProblem(t.join.failed);
    } finally {
      joinInFlight.current = false;
      setJoining(false);
    }
  }

  async function leave() {
    if (!api || !record) return;
    try {
      await api.leave(eventId, record.queueToken);
    } catch (err) {
      // 401: the entry is gone already; anything else: try again.
      if (!(err instanceof ApiError && err.status === 401)) {
        setJoinProblem(t.join.failed);
        return;
      }
    }
    saveRecord(null);
    setStatus(null);
    setGone('left');
  }

  function startOver(reason: Gone) {
    saveRecord(null);
    saveOrder(null);
    setStatus(null);
    setGone(reason);
  }

  const soldOut =
    gone === 'sold_out' ||
    (placedOrder === null &&
      !admitted &&
      (event?.phase === 'sold_out' || availability?.soldOut === true));

  let body: React.ReactNode;
  if (eventProblem === 'not_found') {
    body = <Panel title={t.event.notFound}>{null}</Panel>;
  } else if (!hydrated || !api || !event) {
    body = (
      <p role="status" className="text-ink-soft">
        {configFailed || eventProblem === 'unreachable' ? t.event.unreachable : t.event.loading}
      </p>
    );
  } else if (placedOrder) {
    body = <OrderView api={api} record={placedOrder} onRecord={saveOrder} />;
  } else if (admitted && status.admission) {
    body = (
      <CheckoutForm
        api={api}
        eventId={eventId}
        admission={status.admission}
        maxPerOrder={event.maxPerOrder}
        existing={order}
        onRecord={saveOrder}
        onExpired={() => {
          startOver('expired');
        }}
        onSoldOut={() => {
          startOver('sold_out');
        }}
      />
    );
  } else if (soldOut) {
    body = (
      <Panel title={t.gone.soldOutTitle} tone="warning" titleId={`${headingId}-gone`}>
        <p data-testid="sold-out">{t.gone.soldOutBody}</p>
      </Panel>
    );
  } else if (inQueue) {
    body = (
      <QueuePanel
        event={event}
        status={status}
        initialAhead={record.initialAhead}
        reconnecting={reconnecting}
        onLeave={leave}
      />
    );
  } else if (gone === 'expired' || gone === 'left') {
    body = (
      <Panel
        title={gone === 'expired' ? t.gone.expiredTitle : t.gone.leftTitle}
        tone="warning"
        titleId={`${headingId}-gone`}
      >
        <p>{gone === 'expired' ? t.gone.expiredBody : t.gone.leftBody}</p>
        <Button onClick={() => void join()} disabled={joining}>
          {joining ? t.join.joining : t.gone.rejoin}
        </Button>
        {solving && <ChallengeProgress attempts={solving.attempts} bits={solving.bits} />}
        {joinProblem && (
          <p role="alert" className="font-semibold text-danger">
            {joinProblem}
          </p>
        )}
      </Panel>
    );
  } else {
    const beforeOpening = event.phase === 'scheduled' || event.phase === 'prequeue';
    body = (
      <Panel title={t.join.title} titleId={`${headingId}-join`}>
        <p>{beforeOpening ? t.join.introPrequeue : t.join.intro}</p>
        <Button onClick={() => void join()} disabled={joining} className="w-full text-lg sm:w-auto">
          {joining ? t.join.joining : t.join.button}
        </Button>
        {solving && <ChallengeProgress attempts={solving.attempts} bits={solving.bits} />}
        {joinProblem && (
          <p role="alert" className="font-semibold text-danger">
            {joinProblem}
          </p>
        )}
        {beforeOpening && <ShuffleNote event={event} />}
      </Panel>
    );
  }

  const opensAt = event ? Date.parse(event.opensAt) : null;
  return (
    <div className="mx-auto max-w-3xl space-y-6">
      <section
        aria-labelledby={headingId}
        className="overflow-hidden rounded-2xl bg-ink text-white shadow-lg"
      >
        <div className="bg-gradient-to-br from-brand to-brand-deep p-6 sm:p-8">
          <p className="text-sm font-semibold uppercase tracking-widest text-white">
            {t.site.tagline}
          </p>
          <h1 id={headingId} className="mt-1 text-3xl font-black leading-tight sm:text-5xl">
            {event?.name ?? 'Frequency Festival 20XX'}
          </h1>
          <p className="mt-2 text-lg">
            <span className="sr-only">{t.event.where}: </span>
            {event?.venue ?? 'St. Pölten'}
          </p>
          {event && (
            <p
              className="mt-3 inline-block rounded-full bg-white px-3 py-1 text-sm font-bold text-ink"
              data-testid="phase"
            >
              {t.event.phase[event.phase]}
            </p>
          )}
        </div>
        {event && opensAt !== null && (
          <dl className="grid gap-px bg-white/10 sm:grid-cols-2">
            <div className="bg-ink p-5">
              <dt className="text-sm font-semibold uppercase tracking-wide text-white/85">
                {t.event.ticketsRemaining}
              </dt>
              <dd className="mt-1 text-3xl font-bold tabular-nums" data-testid="tickets-remaining">
                {availability ? formatNumber(availability.ticketsRemaining, lang) : '…'}
              </dd>
              <dd className="text-sm text-white/85">
                {t.event.ticketsOf(formatNumber(event.ticketsTotal, lang))} ·{' '}
                {t.event.maxPerOrder(event.maxPerOrder)}
              </dd>
            </div>
            <div className="bg-ink p-5">
              <dt className="text-sm font-semibold uppercase tracking-wide text-white/85">
                {opensAt > Date.now()
                  ? t.event.opensAt(formatDateTime(event.opensAt, lang))
                  : t.event.openedAt(formatDateTime(event.opensAt, lang))}
              </dt>
              {event.waiting > 0 && (
                <dd className="mt-1 text-base">
                  {t.event.inLine(event.waiting, formatNumber(event.waiting, lang))}
                </dd>
              )}
            </div>
          </dl>
        )}
      </section>
      {event && opensAt !== null && opensAt > Date.now() && placedOrder === null && (
        <div className="rounded-2xl border-2 border-line bg-surface p-5">
          <Countdown target={opensAt} label={t.event.opensIn} />
        </div>
      )}
      {body}
    </div>
  );
}
