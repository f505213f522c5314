// The sale lifecycle as k6 options: phases, rates, durations, thresholds.
//
// This module must stay free of k6 runtime imports (`k6`, `k6/http`, ...) and of Node built-ins:
// the k6 script bundles it, and the unit tests import it under Node to check the options shape.
// Type-only imports from k6 are erased at build time and keep the shape honest.
import type { Options, Scenario } from 'k6/options';

export type PhaseName =
  'warm_up' | 'pre_sale' | 'sale_opening' | 'sustained' | 'sold_out' | 'cool_down';

/** What a fan can start with when none of the fans this VU plays is due for a follow-up. */
export type ArrivalAction = 'page' | 'event' | 'availability' | 'join';

export type Endpoint =
  'join' | 'status' | 'event' | 'availability' | 'order' | 'order_status' | 'page';

export const ENDPOINTS: readonly Endpoint[] = [
  'join',
  'status',
  'event',
  'availability',
  'order',
  'order_status',
  'page',
];

export interface PhaseMix {
  /**
   * Highest share of iterations spent on fans already in the flow (queue polls, order polls) while
   * one of them is due. The rest goes to new arrivals, so fresh joins never starve behind polls.
   * A fan admitted to checkout is always served first: its admission token is short-lived.
   */
  followUpShare: number;
  /** Relative weights of what a new arrival does. */
  arrivals: Readonly<Record<ArrivalAction, number>>;
}

export interface PhaseSpec {
  name: PhaseName;
  description: string;
  durationSeconds: number;
  /** Requests per second at RATE_SCALE=1; one iteration is one request. */
  ratePerSecond: number;
  mix: PhaseMix;
}

/** The lifecycle as specified: 15 minutes, peaking at 50,000 requests per second. */
export const PHASES: readonly PhaseSpec[] = [
  {
    name: 'warm_up',
    description: 'fans load the page and check availability',
    durationSeconds: 120,
    ratePerSecond: 1_000,
    mix: { followUpShare: 0, arrivals: { page: 5, event: 2, availability: 3, join: 0 } },
  },
  {
    name: 'pre_sale',
    description: 'countdown and event refreshes, pre-queue joins',
    durationSeconds: 120,
    ratePerSecond: 10_000,
    mix: { followUpShare: 0.5, arrivals: { page: 1, event: 5, availability: 1, join: 3 } },
  },
  {
    name: 'sale_opening',
    description: 'joins and queue status polls',
    durationSeconds: 180,
    ratePerSecond: 50_000,
    mix: { followUpShare: 0.8, arrivals: { page: 1, event: 1, availability: 0, join: 8 } },
  },
  {
    name: 'sustained',
    description: 'queue polls and checkouts while the ticket counter falls',
    durationSeconds: 300,
    ratePerSecond: 50_000,
    mix: { followUpShare: 0.9, arrivals: { page: 0, event: 2, availability: 4, join: 4 } },
  },
  {
    name: 'sold_out',
    description: 'late joins and checkouts meet 409 SOLD_OUT',
    durationSeconds: 120,
    ratePerSecond: 20_000,
    mix: { followUpShare: 0.5, arrivals: { page: 1, event: 3, availability: 3, join: 3 } },
  },
  {
    name: 'cool_down',
    description: 'stragglers refresh the page and finish polling their orders',
    durationSeconds: 60,
    ratePerSecond: 1_000,
    mix: { followUpShare: 0.3, arrivals: { page: 4, event: 3, availability: 3, join: 0 } },
  },
];

export interface Settings {
  rateScale: number;
  timeScale: number;
  waitingRoomUrl: string;
  checkoutUrl: string;
  webUrl: string;
  eventId: string;
  /** Drop the "409s rise at sold out" thresholds for runs whose event cannot sell out. */
  expectSoldOut: boolean;
  /** VUs k6 allocates up front and at most, per request per second of the phase. */
  preAllocatedVuSeconds: number;
  maxVuSeconds: number;
  /** Bound on fans one VU keeps in flight (memory per VU stays small). */
  maxFansPerVu: number;
  /** Fan think time between admission and the order POST (filling in name and e-mail). */
  checkoutThinkMs: number;
  /** How often a fan re-reads a pending order: the order API gives no pollAfterMs. */
  orderPollMs: number;
}

export type Env = Readonly<Record<string, string | undefined>>;

function positiveNumber(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new Error(`${name} must be a positive number, got "${raw}"`);
  }
  return value;
}

function nonNegativeInteger(env: Env, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${name} must be a whole number >= 0, got "${raw}"`);
  }
  return value;
}

function url(env: Env, name: string, fallback: string): string {
  const raw = env[name];
  const value = raw === undefined || raw === '' ? fallback : raw;
  if (!/^https?:\/\/[^/]+/.test(value)) {
    throw new Error(`${name} must be an http(s) URL, got "${value}"`);
  }
  return value.replace(/\/+$/, '');
}

/** Reads the run's settings from k6's `__ENV` (or any string map, in tests). */
export function readSettings(env: Env): Settings {
  const expectSoldOut = env['EXPECT_SOLD_OUT'];
  if (expectSoldOut !== undefined && !['', '0', '1', 'true', 'false'].includes(expectSoldOut)) {
    throw new Error(`EXPECT_SOLD_OUT must be 1/0/true/false, got "${expectSoldOut}"`);
  }
  return {
    rateScale: positiveNumber(env, 'RATE_SCALE', 1),
    timeScale: positiveNumber(env, 'TIME_SCALE', 1),
    waitingRoomUrl: url(env, 'WAITING_ROOM_URL', 'http://127.0.0.1:3001'),
    checkoutUrl: url(env, 'CHECKOUT_URL', 'http://127.0.0.1:3002'),
    webUrl: url(env, 'WEB_URL', 'http://127.0.0.1:3000'),
    eventId: env['EVENT_ID'] || 'frequency-20xx',
    expectSoldOut: expectSoldOut !== '0' && expectSoldOut !== 'false',
    preAllocatedVuSeconds: positiveNumber(env, 'PRE_ALLOCATED_VU_SECONDS', 0.05),
    maxVuSeconds: positiveNumber(env, 'MAX_VU_SECONDS', 0.5),
    maxFansPerVu: Math.max(1, nonNegativeInteger(env, 'MAX_FANS_PER_VU', 200)),
    checkoutThinkMs: nonNegativeInteger(env, 'CHECKOUT_THINK_MS', 3_000),
    orderPollMs: Math.max(100, nonNegativeInteger(env, 'ORDER_POLL_MS', 1_000)),
  };
}

export interface ScaledPhase extends PhaseSpec {
  startSeconds: number;
  scaledDurationSeconds: number;
  scaledRatePerSecond: number;
}

/**
 * Rates scale to whole requests per second (at least 1); durations to whole seconds (at least 1),
 * so a compressed run keeps every phase and its order.
 */
export function scalePhases(settings: Pick<Settings, 'rateScale' | 'timeScale'>): ScaledPhase[] {
  let start = 0;
  return PHASES.map((phase) => {
    const scaledDurationSeconds = Math.max(
      1,
      Math.round(phase.durationSeconds * settings.timeScale),
    );
    const scaled: ScaledPhase = {
      ...phase,
      startSeconds: start,
      scaledDurationSeconds,
      scaledRatePerSecond: Math.max(1, Math.round(phase.ratePerSecond * settings.rateScale)),
    };
    start += scaledDurationSeconds;
    return scaled;
  });
}

/** k6 duration string: 90 → "1m30s", 120 → "2m", 0 → "0s". */
export function formatDuration(seconds: number): string {
  const minutes = Math.floor(seconds / 60);
  const rest = seconds % 60;
  if (minutes === 0) return `${rest}s`;
  return rest === 0 ? `${minutes}m` : `${minutes}m${rest}s`;
}

/**
 * VUs every phase runs with: those its busiest phase needs, allocated up front and at most.
 *
 * Fans live in a VU's module state, so a fan who joined at opening is polled in the sustained phase
 * only if the same VU runs in both. k6 hands each scenario VUs from one buffer, first in first out:
 * a scenario that needs fewer VUs than exist, or one that starts while the previous one may still
 * hold its VUs (a graceful stop), gets VUs the previous phase never used, and the fans of that phase
 * are stranded (they never poll again, and hold their admissions until they expire). So every phase
 * asks for the same VUs, and none keeps them past its end.
 */
export function lifecycleVus(settings: Settings): { preAllocatedVUs: number; maxVUs: number } {
  const peak = Math.max(...scalePhases(settings).map((phase) => phase.scaledRatePerSecond));
  const preAllocatedVUs = Math.max(2, Math.ceil(peak * settings.preAllocatedVuSeconds));
  return {
    preAllocatedVUs,
    maxVUs: Math.max(preAllocatedVUs, Math.ceil(peak * settings.maxVuSeconds)),
  };
}

export function scenarioFor(phase: ScaledPhase, settings: Settings): Scenario {
  const rate = phase.scaledRatePerSecond;
  return {
    executor: 'ramping-arrival-rate',
    startTime: formatDuration(phase.startSeconds),
    // The rate holds for the whole phase: startRate is the phase's rate and the single stage keeps it.
    startRate: rate,
    timeUnit: '1s',
    stages: [{ duration: formatDuration(phase.scaledDurationSeconds), target: rate }],
    ...lifecycleVus(settings),
    // No grace: an iteration is one request, and a phase still holding its VUs while the next starts
    // would give the next phase other VUs (lifecycleVus). At most the requests in flight at a phase's
    // end are cut.
    gracefulStop: '0s',
  };
}

/**
 * Latency bounds per endpoint, in milliseconds. They hold in every phase: the goal is that
 * latency stays where it is while the sale opens, peaks and sells out.
 */
export const LATENCY_BOUNDS_MS: Readonly<Record<Endpoint, { p95: number; p99: number }>> = {
  status: { p95: 100, p99: 250 },
  event: { p95: 100, p99: 250 },
  availability: { p95: 100, p99: 250 },
  join: { p95: 200, p99: 500 },
  order: { p95: 300, p99: 800 },
  order_status: { p95: 150, p99: 400 },
  page: { p95: 500, p99: 1_000 },
};

/**
 * Every API request (not page renders) in a phase (the k6 `scenario` tag is the phase), so a phase
 * whose p99 drifts fails on its own.
 */
export const API_P99_BOUND_MS = 800;

/** Errors other than the expected 409 SOLD_OUT / 429 RATE_LIMITED. */
export const UNEXPECTED_ERROR_RATE_BOUND = 0.001;

/**
 * Share of joins the per-address join limit may refuse. 429 counts as expected in http_req_failed
 * (a fan told to slow down is the limit working), so this bound is what keeps a run from measuring
 * the limit instead of the sale: fans spread over many addresses meet it rarely.
 */
export const JOIN_RATE_LIMITED_BOUND = 0.01;

export type Thresholds = NonNullable<Options['thresholds']>;

export function buildThresholds(settings: Pick<Settings, 'expectSoldOut'>): Thresholds {
  const thresholds: Thresholds = {
    unexpected_errors: [`rate<${UNEXPECTED_ERROR_RATE_BOUND}`],
    // http_req_failed counts what the response callback does not expect (2xx, 409, 429 are fine).
    http_req_failed: [`rate<${UNEXPECTED_ERROR_RATE_BOUND}`],
    join_rate_limited: [`rate<${JOIN_RATE_LIMITED_BOUND}`],
    // Every 409 must come after the tickets are gone: one that the stock contradicts is a defect.
    early_sold_out_responses: ['rate==0'],
  };
  for (const endpoint of ENDPOINTS) {
    const bound = LATENCY_BOUNDS_MS[endpoint];
    thresholds[`http_req_duration{endpoint:${endpoint}}`] = [
      `p(95)<${bound.p95}`,
      `p(99)<${bound.p99}`,
    ];
  }
  for (const phase of PHASES) {
    thresholds[`http_req_duration{scenario:${phase.name},surface:api}`] = [
      `p(99)<${API_P99_BOUND_MS}`,
    ];
  }
  if (settings.expectSoldOut) {
    // The event must not sell out early, and must be sold out by the sold-out phase: most joins and
    // orders there meet 409.
    thresholds['sold_out_responses{scenario:sale_opening}'] = ['rate<0.01'];
    thresholds['sold_out_responses{scenario:sold_out}'] = ['rate>0.5'];
  }
  return thresholds;
}

export function buildOptions(settings: Settings): Options {
  const scenarios: Record<string, Scenario> = {};
  for (const phase of scalePhases(settings)) {
    scenarios[phase.name] = scenarioFor(phase, settings);
  }
  return {
    scenarios,
    thresholds: buildThresholds(settings),
    summaryTrendStats: ['avg', 'min', 'med', 'p(95)', 'p(99)', 'max'],
    // No `url` tag: order ids live in URLs, and every request carries a `name` tag with the route
    // pattern instead, so metric cardinality (and Prometheus remote-write series) stays bounded.
    systemTags: [
      'status',
      'method',
      'name',
      'group',
      'check',
      'error_code',
      'scenario',
      'expected_response',
    ],
  };
}

/** Seconds from the start of the run to the start of the sale_opening phase. */
export function saleOpeningOffsetSeconds(
  settings: Pick<Settings, 'rateScale' | 'timeScale'>,
): number {
  const opening = scalePhases(settings).find((phase) => phase.name === 'sale_opening');
  if (opening === undefined) throw new Error('the lifecycle has no sale_opening phase');
  return opening.startSeconds;
}

export function isPhaseName(value: string): value is PhaseName {
  return PHASES.some((phase) => phase.name === value);
}

export function phaseByName(name: PhaseName): PhaseSpec {
  const phase = PHASES.find((candidate) => candidate.name === name);
  if (phase === undefined) throw new Error(`unknown phase ${name}`);
  return phase;
}
