import type { EventView, JoinResponse, QueueStatus } from '@frequency/contracts';
import { describe, expect, test } from 'vitest';
import { ApiError } from '../../lib/api';
import { ChallengeUnsupportedError } from '../../lib/solve-in-worker';
import type { OrderRecord } from '../../lib/storage';
import {
  fanJourneyReducer,
  fanScreen,
  initialFanJourney,
  isInQueue,
  joinFailure,
  type FanJourneyAction,
  type FanJourneyState,
} from './fan-journey';

const eventId = 'frequency-20xx';

function run(...actions: FanJourneyAction[]): FanJourneyState {
  return actions.reduce(fanJourneyReducer, initialFanJourney);
}

const fresh: FanJourneyAction = { type: 'restored', eventId, record: null, order: null };

function joined(overrides: Partial<JoinResponse> = {}): FanJourneyAction {
  return {
    type: 'joined',
    joined: { queueToken: 'q-token-1', state: 'waiting', position: 12, pollAfterMs: 2_000, ...overrides },
  };
}

function status(overrides: Partial<QueueStatus>): FanJourneyAction {
  return {
    type: 'status_read',
    status: {
      state: 'waiting',
      position: 12,
      aheadOfYou: 11,
      estimatedWaitSeconds: 30,
      pollAfterMs: 2_000,
      admission: null,
      ...overrides,
    },
  };
}

const admission = { token: 'adm-token', expiresAt: '2030-06-01T10:10:00.000Z' };

const pendingOrder: OrderRecord = {
  admissionToken: 'adm-token',
  idempotencyKey: 'key-1',
  orderId: null,
  email: 'alex@example.org',
  tickets: null,
  status: null,
  quantity: 2,
};

const event: EventView = {
  id: eventId,
  name: 'Frequency Festival 20XX',
  venue: 'St. Pölten',
  ticketsTotal: 100,
  maxPerOrder: 4,
  opensAt: '2030-06-01T10:00:00.000Z',
  phase: 'open',
  waiting: 0,
  admittedTotal: 0,
  admissionRatePerSecond: 40,
  shuffleCommitment: null,
  shuffleSeed: null,
  joinChallengeBits: 0,
};

function screen(state: FanJourneyState, overrides: Partial<Parameters<typeof fanScreen>[1]> = {}) {
  return fanScreen(state, { eventId, ready: true, event, eventProblem: null, availability: null, ...overrides });
}

describe('restoring what the browser remembers', () => {
  test('shows nothing but "loading" until this event has been read from storage', () => {
    expect(screen(initialFanJourney)).toBe('loading');
    expect(screen(run(fresh))).toBe('join');
    expect(screen(run({ ...fresh, eventId: 'another-event' }))).toBe('loading');
  });

  test('a remembered queue token resumes the place in line', () => {
    const state = run({ ...fresh, record: { queueToken: 'q-token-1', initialAhead: 40 } });
    expect(isInQueue(state)).toBe(true);
    expect(screen(state)).toBe('queue');
  });

  test('another tab joining again brings this one back into line, and leaving takes it out', () => {
    const left = run(fresh, joined(), { type: 'left' });
    const back = fanJourneyReducer(left, { type: 'record_changed_elsewhere', record: { queueToken: 'q-token-2', initialAhead: null } });
    expect(back.gone).toBeNull();
    expect(screen(back)).toBe('queue');
    const gone = fanJourneyReducer(back, { type: 'record_changed_elsewhere', record: null });
    expect(gone.record).toBeNull();
    expect(screen(gone)).toBe('join');
  });
});

describe('joining', () => {
  test('disables the button while the join is under way and clears the last problem', () => {
    const failed = run(fresh, { type: 'join_started' }, { type: 'join_failed', failure: { kind: 'problem', problem: { kind: 'not_open' } } });
    expect(failed.joinProblem).toEqual({ kind: 'not_open' });
    const retrying = fanJourneyReducer(failed, { type: 'join_started' });
    expect(retrying).toMatchObject({ joining: true, joinProblem: null });
  });

  test('shows the progress of the browser check while it is solved, and nothing after', () => {
    const solving = run(fresh, { type: 'join_started' }, { type: 'solving', progress: { attempts: 512, bits: 14 } });
    expect(solving.solving).toEqual({ attempts: 512, bits: 14 });
    expect(fanJourneyReducer(solving, { type: 'solving', progress: null }).solving).toBeNull();
  });

  test('puts the fan in line with the position the join answered', () => {
    const state = run(fresh, { type: 'join_started' }, joined());
    expect(state).toMatchObject({ joining: false, gone: null, record: { queueToken: 'q-token-1', initialAhead: null } });
    expect(state.status).toMatchObject({ state: 'waiting', position: 12, aheadOfYou: null, pollAfterMs: 2_000 });
    expect(screen(state)).toBe('queue');
  });

  test('a join before opening lands in the pre-queue', () => {
    const state = run(fresh, joined({ state: 'prequeue', position: null }));
    expect(state.status?.state).toBe('prequeue');
    expect(screen(state, { event: { ...event, phase: 'prequeue' } })).toBe('queue');
  });

  test('a rejoin with the same token keeps where the progress bar started; a new token starts afresh', () => {
    const waiting = run(fresh, joined(), status({ aheadOfYou: 30 }));
    expect(fanJourneyReducer(waiting, joined()).record).toEqual({ queueToken: 'q-token-1', initialAhead: 30 });
    expect(fanJourneyReducer(waiting, joined({ queueToken: 'q-token-2' })).record).toEqual({ queueToken: 'q-token-2', initialAhead: null });
  });

  test('a new join forgets an order left from an earlier admission', () => {
    const state = run({ ...fresh, order: pendingOrder }, joined());
    expect(state.order).toBeNull();
  });

  test('a join refused as sold out shows the sold-out page', () => {
    const state = run(fresh, { type: 'join_started' }, { type: 'join_failed', failure: { kind: 'sold_out' } });
    expect(state).toMatchObject({ joining: false, gone: 'sold_out' });
    expect(screen(state)).toBe('sold_out');
  });

  test('a token from an earlier visit the API no longer knows is forgotten, so the next try joins afresh', () => {
    const remembered = run({ ...fresh, record: { queueToken: 'old', initialAhead: 5 } }, { type: 'join_started' });
    const state = fanJourneyReducer(remembered, { type: 'join_failed', failure: { kind: 'stale_token' } });
    expect(state).toMatchObject({ record: null, joining: false, joinProblem: { kind: 'failed' } });
    expect(screen(state)).toBe('join');
  });

  test('a join given up by leaving the page changes nothing but the button', () => {
    const before = run(fresh, { type: 'join_started' });
    expect(fanJourneyReducer(before, { type: 'join_failed', failure: { kind: 'aborted' } })).toEqual({ ...before, joining: false });
  });
});

describe('why a join failed', () => {
  test('each refusal the API or the browser gives has its own answer', () => {
    expect(joinFailure(new DOMException('stopped', 'AbortError'))).toEqual({ kind: 'aborted' });
    expect(joinFailure(new ChallengeUnsupportedError('no worker'))).toEqual({ kind: 'problem', problem: { kind: 'challenge_unsupported' } });
    expect(joinFailure(new ApiError(403, 'CHALLENGE_FAILED', 'wrong nonce'))).toEqual({ kind: 'problem', problem: { kind: 'challenge_failed' } });
    expect(joinFailure(new ApiError(409, 'SOLD_OUT', 'gone'))).toEqual({ kind: 'sold_out' });
    expect(joinFailure(new ApiError(401, 'TOKEN_INVALID', 'unknown token'))).toEqual({ kind: 'stale_token' });
    expect(joinFailure(new ApiError(409, 'EVENT_NOT_OPEN', 'later'))).toEqual({ kind: 'problem', problem: { kind: 'not_open' } });
    expect(joinFailure(new ApiError(503, 'UNAVAILABLE', 'busy'))).toEqual({ kind: 'problem', problem: { kind: 'failed' } });
    expect(joinFailure(new TypeError('fetch failed'))).toEqual({ kind: 'problem', problem: { kind: 'failed' } });
  });

  test('a rate limit says how long to wait, in whole seconds, five when the API does not say', () => {
    expect(joinFailure(new ApiError(429, 'RATE_LIMITED', 'slow down', 2_200))).toEqual({
      kind: 'problem',
      problem: { kind: 'rate_limited', retryAfterSeconds: 3 },
    });
    expect(joinFailure(new ApiError(429, 'RATE_LIMITED', 'slow down'))).toEqual({
      kind: 'problem',
      problem: { kind: 'rate_limited', retryAfterSeconds: 5 },
    });
  });
});

describe('waiting', () => {
  test('the progress bar starts at the largest line seen ahead', () => {
    const state = run(fresh, joined(), status({ aheadOfYou: 30 }), status({ aheadOfYou: 20 }), status({ aheadOfYou: 45 }));
    expect(state.record?.initialAhead).toBe(45);
    expect(state.status?.aheadOfYou).toBe(45);
  });

  test('an unreadable status says it is reconnecting, and the next answer ends that', () => {
    const lost = run(fresh, joined(), { type: 'status_unreadable' });
    expect(lost.reconnecting).toBe(true);
    expect(screen(lost)).toBe('queue');
    expect(fanJourneyReducer(lost, status({})).reconnecting).toBe(false);
  });

  test('an entry the waiting room no longer knows has expired', () => {
    const state = run(fresh, joined(), { type: 'entry_rejected' });
    expect(state).toMatchObject({ gone: 'expired', record: null });
    expect(screen(state)).toBe('expired');
  });

  test('sold out while waiting ends the place at once', () => {
    const state = run(fresh, joined(), status({ state: 'sold_out', position: null, aheadOfYou: null }));
    expect(state).toMatchObject({ gone: 'sold_out', record: null });
    expect(screen(state)).toBe('sold_out');
  });

  test('those still in line see "sold out" as soon as the stock is gone', () => {
    const state = run(fresh, joined());
    expect(screen(state, { availability: { ticketsRemaining: 0, soldOut: true } })).toBe('sold_out');
    expect(screen(state, { event: { ...event, phase: 'sold_out' } })).toBe('sold_out');
  });

  test('an expired place offers to join again', () => {
    const state = run(fresh, joined(), status({ state: 'expired', position: null, aheadOfYou: null }));
    expect(state.gone).toBe('expired');
    expect(screen(state)).toBe('expired');
  });
});

describe('leaving', () => {
  test('frees the place and offers to join again', () => {
    const state = run(fresh, joined(), { type: 'left' });
    expect(state).toMatchObject({ record: null, status: null, gone: 'left' });
    expect(screen(state)).toBe('left');
  });

  test('a leave that failed keeps the place and says so', () => {
    const state = run(fresh, joined(), { type: 'leave_failed' });
    expect(state.joinProblem).toEqual({ kind: 'failed' });
    expect(screen(state)).toBe('queue');
  });
});

describe('admitted', () => {
  test('goes to checkout, even when the stock has just run out', () => {
    const state = run(fresh, joined(), status({ state: 'admitted', admission }));
    expect(screen(state)).toBe('checkout');
    expect(screen(state, { event: { ...event, phase: 'sold_out' } })).toBe('checkout');
  });

  test('an order saved before it is sent keeps the checkout; once accepted the order view shows', () => {
    const admitted = run(fresh, joined(), status({ state: 'admitted', admission }));
    const sending = fanJourneyReducer(admitted, { type: 'order_saved', order: pendingOrder });
    expect(screen(sending)).toBe('checkout');
    const placed = fanJourneyReducer(sending, { type: 'order_saved', order: { ...pendingOrder, orderId: 'ord_abc', status: 'pending' } });
    expect(isInQueue(placed)).toBe(false);
    expect(screen(placed)).toBe('order');
    expect(screen(placed, { event: { ...event, phase: 'sold_out' } })).toBe('order');
  });

  test('a checkout window that expired, or stock gone at checkout, starts over without the order', () => {
    const admitted = run(fresh, joined(), status({ state: 'admitted', admission }), { type: 'order_saved', order: pendingOrder });
    const expired = fanJourneyReducer(admitted, { type: 'started_over', reason: 'expired' });
    expect(expired).toMatchObject({ record: null, order: null, status: null, gone: 'expired' });
    expect(screen(expired)).toBe('expired');
    expect(screen(fanJourneyReducer(admitted, { type: 'started_over', reason: 'sold_out' }))).toBe('sold_out');
  });
});

describe('the event itself', () => {
  test('an unknown event is "not found"; an unreachable one is still loading', () => {
    expect(screen(run(fresh), { eventProblem: 'not_found' })).toBe('not_found');
    expect(screen(run(fresh), { event: null, eventProblem: 'unreachable' })).toBe('loading');
    expect(screen(run(fresh), { ready: false })).toBe('loading');
  });
});
