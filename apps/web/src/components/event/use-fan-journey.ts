'use client';

import type { JoinResponse } from '@frequency/contracts';
import { useCallback, useEffect, useReducer, useRef } from 'react';
import { ApiError, type Api } from '../../lib/api';
import { usePollLoop } from '../../lib/hooks';
import { nextPollDelay } from '../../lib/poll';
import { solveInWorker } from '../../lib/solve-in-worker';
import { orderKey, orderStore, queueKey, queueStore, type OrderRecord } from '../../lib/storage';
import {
  fanJourneyReducer,
  initialFanJourney,
  isAdmitted,
  isInQueue,
  joinFailure,
  type FanJourneyState,
  type Gone,
} from './fan-journey';

export interface FanJourney {
  state: FanJourneyState;
  /** Joins, or rejoins with the stored token; `challengeBits` is the event's current difficulty. */
  join: (challengeBits: number) => Promise<void>;
  leave: () => Promise<void>;
  /** Stores the order before anything is sent, so a reload names the same order. */
  saveOrder: (order: OrderRecord | null) => void;
  startOver: (reason: Gone) => void;
}

/**
 * The fan's journey through one event: restores what this browser remembers, follows other tabs,
 * polls the queue status while in line, joins (solving the challenge in a worker when asked) and
 * leaves. The transitions are `fanJourneyReducer`'s; this hook adds the calls and the storage.
 */
export function useFanJourney(eventId: string, api: Api | null): FanJourney {
  const [state, dispatch] = useReducer(fanJourneyReducer, initialFanJourney);
  const solveAbort = useRef<AbortController | null>(null);
  const joinInFlight = useRef(false);
  const queueFailures = useRef(0);
  const restored = state.restoredFor === eventId;

  // Restore what this browser remembers, and follow what other tabs change.
  useEffect(() => {
    dispatch({ type: 'restored', eventId, record: queueStore.read(eventId), order: orderStore.read(eventId) });
    const onStorage = (e: StorageEvent) => {
      if (e.key === queueKey(eventId)) dispatch({ type: 'record_changed_elsewhere', record: queueStore.read(eventId) });
      if (e.key === orderKey(eventId)) dispatch({ type: 'order_saved', order: orderStore.read(eventId) });
    };
    window.addEventListener('storage', onStorage);
    return () => {
      window.removeEventListener('storage', onStorage);
    };
  }, [eventId]);

  // What the reducer decides is remembered; never before this event's own record has been read.
  useEffect(() => {
    if (restored) queueStore.write(eventId, state.record);
  }, [restored, eventId, state.record]);
  useEffect(() => {
    if (restored) orderStore.write(eventId, state.order);
  }, [restored, eventId, state.order]);

  // Leaving the page stops the worker: nobody pays for a join they no longer want.
  useEffect(
    () => () => {
      solveAbort.current?.abort();
    },
    [],
  );

  const inQueue = isInQueue(state);
  const { record, status } = state;
  usePollLoop(
    async (signal) => {
      if (!api || !record) return 1_000;
      try {
        const next = await api.queueStatus(eventId, record.queueToken, signal);
        queueFailures.current = 0;
        dispatch({ type: 'status_read', status: next });
        if (next.state === 'sold_out' || next.state === 'expired') return 60_000;
        return nextPollDelay({ pollAfterMs: next.pollAfterMs, failures: 0 });
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) {
          dispatch({ type: 'entry_rejected' });
          return 60_000;
        }
        queueFailures.current += 1;
        dispatch({ type: 'status_unreadable' });
        return nextPollDelay({
          pollAfterMs: status?.pollAfterMs ?? 2_000,
          failures: queueFailures.current,
          retryAfterMs: err instanceof ApiError ? err.retryAfterMs : null,
        });
      }
    },
    api !== null && inQueue && !isAdmitted(state),
    `${eventId}:${record?.queueToken ?? ''}`,
  );

  /** A challenge at the event's current difficulty, solved in a Web Worker (never on this thread). */
  async function solvedChallenge(client: Api): Promise<{ challenge: string; nonce: string } | undefined> {
    const issued = await client.challenge(eventId);
    if (issued.bits === 0) return undefined;
    const controller = new AbortController();
    solveAbort.current = controller;
    dispatch({ type: 'solving', progress: { attempts: 0, bits: issued.bits } });
    try {
      const { nonce } = await solveInWorker(
        { challenge: issued.challenge, bits: issued.bits },
        (attempts) => {
          dispatch({ type: 'solving', progress: { attempts, bits: issued.bits } });
        },
        controller.signal,
      );
      return { challenge: issued.challenge, nonce };
    } finally {
      dispatch({ type: 'solving', progress: null });
    }
  }

  /**
   * A fresh join solves the challenge first when the event asks for one; a rejoin with the queue token
   * needs none. A refusal for the challenge (difficulty raised after the page read the event, or the
   * challenge expired while a slow device solved it) gets one more try with a fresh challenge.
   */
  async function joinQueue(client: Api, token: string | null, challengeBits: number): Promise<JoinResponse> {
    if (token !== null) return client.join(eventId, token);
    let needed = challengeBits > 0;
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await client.join(eventId, null, needed ? await solvedChallenge(client) : undefined);
      } catch (err) {
        if (attempt > 0 || !(err instanceof ApiError && err.code === 'CHALLENGE_FAILED')) throw err;
        needed = true;
      }
    }
  }

  async function join(challengeBits: number) {
    if (!api || joinInFlight.current) return;
    joinInFlight.current = true;
    dispatch({ type: 'join_started' });
    try {
      const joined = await joinQueue(api, record?.queueToken ?? null, challengeBits);
      dispatch({ type: 'joined', joined });
    } catch (err) {
      dispatch({ type: 'join_failed', failure: joinFailure(err) });
    } finally {
      joinInFlight.current = false;
    }
  }

  async function leave() {
    if (!api || !record) return;
    try {
      await api.leave(eventId, record.queueToken);
    } catch (err) {
      // 401: the entry is gone already; anything else: try again.
      if (!(err instanceof ApiError && err.status === 401)) {
        dispatch({ type: 'leave_failed' });
        return;
      }
    }
    dispatch({ type: 'left' });
  }

  const saveOrder = useCallback(
    (order: OrderRecord | null) => {
      orderStore.write(eventId, order);
      dispatch({ type: 'order_saved', order });
    },
    [eventId],
  );

  return {
    state,
    join,
    leave,
    saveOrder,
    startOver: (reason) => {
      dispatch({ type: 'started_over', reason });
    },
  };
}
