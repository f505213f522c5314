import type { Availability, EventView, JoinResponse, QueueStatus } from '@frequency/contracts';
import { ApiError } from '../../lib/api';
import { ChallengeUnsupportedError } from '../../lib/solve-in-worker';
import type { OrderRecord, QueueRecord } from '../../lib/storage';

/** How a fan's place ended without an order: the stock ran out, the entry expired, or they left. */
export type Gone = 'sold_out' | 'expired' | 'left';

/** Why a join did not happen, in words the page chooses per language. */
export type JoinProblem =
  | { kind: 'challenge_unsupported' }
  | { kind: 'challenge_failed' }
  | { kind: 'rate_limited'; retryAfterSeconds: number }
  | { kind: 'not_open' }
  | { kind: 'failed' };

/**
 * One fan's way through one event. `record` and `order` are what this browser remembers (localStorage
 * per event); the rest lives as long as the page.
 */
export interface FanJourneyState {
  /** The event whose remembered record and order have been read; null until then. */
  restoredFor: string | null;
  record: QueueRecord | null;
  order: OrderRecord | null;
  status: QueueStatus | null;
  gone: Gone | null;
  joining: boolean;
  /** Set while the join challenge is being solved in the worker. */
  solving: { attempts: number; bits: number } | null;
  joinProblem: JoinProblem | null;
  /** The queue status could not be read; the page keeps trying and says so. */
  reconnecting: boolean;
}

/** What went wrong with a join, as the journey treats it. */
export type JoinFailure =
  | { kind: 'aborted' }
  | { kind: 'sold_out' }
  | { kind: 'stale_token' }
  | { kind: 'problem'; problem: JoinProblem };

export type FanJourneyAction =
  | { type: 'restored'; eventId: string; record: QueueRecord | null; order: OrderRecord | null }
  | { type: 'record_changed_elsewhere'; record: QueueRecord | null }
  | { type: 'order_saved'; order: OrderRecord | null }
  | { type: 'join_started' }
  | { type: 'solving'; progress: { attempts: number; bits: number } | null }
  | { type: 'joined'; joined: JoinResponse }
  | { type: 'join_failed'; failure: JoinFailure }
  | { type: 'status_read'; status: QueueStatus }
  | { type: 'status_unreadable' }
  | { type: 'entry_rejected' }
  | { type: 'left' }
  | { type: 'leave_failed' }
  | { type: 'started_over'; reason: Gone };

export const initialFanJourney: FanJourneyState = {
  restoredFor: null,
  record: null,
  order: null,
  status: null,
  gone: null,
  joining: false,
  solving: null,
  joinProblem: null,
  reconnecting: false,
};

export function fanJourneyReducer(state: FanJourneyState, action: FanJourneyAction): FanJourneyState {
  switch (action.type) {
    case 'restored':
      return { ...initialFanJourney, restoredFor: action.eventId, record: action.record, order: action.order };
    case 'record_changed_elsewhere':
      // Another tab joined again (or left): follow it; a fresh entry ends whatever ended this one.
      return { ...state, record: action.record, gone: action.record ? null : state.gone };
    case 'order_saved':
      return { ...state, order: action.order };
    case 'join_started':
      return { ...state, joining: true, joinProblem: null };
    case 'solving':
      return { ...state, solving: action.progress };
    case 'joined': {
      const { joined } = action;
      // A rejoin with the stored token is the same entry: it keeps where its progress bar started.
      const sameEntry = joined.queueToken === state.record?.queueToken;
      return {
        ...state,
        joining: false,
        order: null,
        record: { queueToken: joined.queueToken, initialAhead: sameEntry ? (state.record?.initialAhead ?? null) : null },
        status: {
          state: joined.state,
          position: joined.position,
          aheadOfYou: null,
          estimatedWaitSeconds: null,
          pollAfterMs: joined.pollAfterMs,
          admission: null,
        },
        gone: null,
      };
    }
    case 'join_failed': {
      const { failure } = action;
      const settled = { ...state, joining: false };
      if (failure.kind === 'aborted') return settled;
      if (failure.kind === 'sold_out') return { ...settled, gone: 'sold_out' };
      // A token from an earlier visit the API no longer knows: forget it, the next join starts afresh.
      if (failure.kind === 'stale_token') return { ...settled, record: null, joinProblem: { kind: 'failed' } };
      return { ...settled, joinProblem: failure.problem };
    }
    case 'status_read': {
      const { status } = action;
      const next = { ...state, status, reconnecting: false };
      if (status.state === 'sold_out' || status.state === 'expired') return { ...next, gone: status.state, record: null };
      const record = state.record;
      if (record && status.aheadOfYou !== null && (record.initialAhead === null || status.aheadOfYou > record.initialAhead)) {
        return { ...next, record: { ...record, initialAhead: status.aheadOfYou } };
      }
      return next;
    }
    case 'status_unreadable':
      return { ...state, reconnecting: true };
    case 'entry_rejected':
      return { ...state, gone: 'expired', record: null };
    case 'left':
      return { ...state, record: null, status: null, gone: 'left' };
    case 'leave_failed':
      return { ...state, joinProblem: { kind: 'failed' } };
    case 'started_over':
      return { ...state, record: null, order: null, status: null, gone: action.reason };
  }
}

/** Sorts a failed join into what the journey does next. */
export function joinFailure(err: unknown): JoinFailure {
  if (err instanceof DOMException && err.name === 'AbortError') return { kind: 'aborted' };
  if (err instanceof ChallengeUnsupportedError) return { kind: 'problem', problem: { kind: 'challenge_unsupported' } };
  if (!(err instanceof ApiError)) return { kind: 'problem', problem: { kind: 'failed' } };
  if (err.code === 'CHALLENGE_FAILED') return { kind: 'problem', problem: { kind: 'challenge_failed' } };
  if (err.code === 'SOLD_OUT') return { kind: 'sold_out' };
  if (err.status === 401) return { kind: 'stale_token' };
  if (err.code === 'RATE_LIMITED') {
    return { kind: 'problem', problem: { kind: 'rate_limited', retryAfterSeconds: Math.ceil((err.retryAfterMs ?? 5_000) / 1_000) } };
  }
  if (err.code === 'EVENT_NOT_OPEN') return { kind: 'problem', problem: { kind: 'not_open' } };
  return { kind: 'problem', problem: { kind: 'failed' } };
}

/** The order once checkout has accepted it (it has an id); before that the fan is still in checkout. */
export function placedOrder(state: FanJourneyState): (OrderRecord & { orderId: string }) | null {
  const { order } = state;
  return order?.orderId ? { ...order, orderId: order.orderId } : null;
}

/** In line (pre-queue, waiting or admitted) and not yet past checkout. */
export function isInQueue(state: FanJourneyState): boolean {
  return state.record !== null && state.gone === null && placedOrder(state) === null;
}

export function isAdmitted(state: FanJourneyState): boolean {
  return state.status?.state === 'admitted' && state.status.admission !== null;
}

/** Which screen the fan sees. */
export type FanScreen =
  | 'not_found'
  | 'loading'
  | 'order'
  | 'checkout'
  | 'sold_out'
  | 'queue'
  | 'expired'
  | 'left'
  | 'join';

/**
 * The screen for a journey and what is known of the event. An order placed always wins: the fan
 * must see their tickets even after the event sold out. Sold out beats the queue, so those still
 * in line learn it as soon as the stock is gone, not at their turn.
 */
export function fanScreen(
  state: FanJourneyState,
  context: {
    eventId: string;
    ready: boolean;
    event: EventView | null;
    eventProblem: 'not_found' | 'unreachable' | null;
    availability: Availability | null;
  },
): FanScreen {
  if (context.eventProblem === 'not_found') return 'not_found';
  if (state.restoredFor !== context.eventId || !context.ready || !context.event) return 'loading';
  if (placedOrder(state)) return 'order';
  const admitted = isAdmitted(state);
  if (admitted) return 'checkout';
  const soldOut = state.gone === 'sold_out' || context.event.phase === 'sold_out' || context.availability?.soldOut === true;
  if (soldOut) return 'sold_out';
  if (isInQueue(state)) return 'queue';
  if (state.gone === 'expired' || state.gone === 'left') return state.gone;
  return 'join';
}
