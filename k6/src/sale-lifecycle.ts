// Frequency Festival 20XX sale lifecycle: warm-up, pre-sale hype, sale opening, sustained sale,
// sold out, cool-down. One k6 scenario per phase (the `scenario` tag names the phase), each a
// ramping-arrival-rate executor where one iteration sends exactly one request; see lib/fans.ts for
// how a VU's fans carry their state across iterations. Settings come from __ENV (README.md).
import crypto from 'k6/crypto';
import http from 'k6/http';
import type { RefinedResponse, ResponseType } from 'k6/http';
import exec from 'k6/execution';
import { Rate } from 'k6/metrics';
import {
  ChallengeState,
  readChallenge,
  readChallengeBits,
  solveJoinChallenge,
} from '../lib/challenge.ts';
import type { ChallengeSolution } from '../lib/challenge.ts';
import {
  readAvailability,
  readJoin,
  readOrderCreated,
  readOrderStatus,
  readQueueStatus,
} from '../lib/contract.ts';
import { FanPool, pickQuantity } from '../lib/fans.ts';
import type { Fan } from '../lib/fans.ts';
import {
  buildOptions,
  isPhaseName,
  phaseByName,
  readSettings,
  saleOpeningOffsetSeconds,
} from '../lib/lifecycle.ts';
import type { ArrivalAction, Endpoint } from '../lib/lifecycle.ts';
import { SoldOutView } from '../lib/sold-out.ts';

const settings = readSettings(__ENV);

export const options = buildOptions(settings);

// 409 SOLD_OUT / INSUFFICIENT_TICKETS and 429 RATE_LIMITED are answers the sale is designed to
// give; http_req_failed counts everything else. Each has its own guard instead: 429s are bounded by
// join_rate_limited, 409s must come after sold out (early_sold_out_responses).
http.setResponseCallback(http.expectedStatuses({ min: 200, max: 299 }, 409, 429));

const unexpectedErrors = new Rate('unexpected_errors');
const soldOutResponses = new Rate('sold_out_responses');
/** Over every join: answered 429 by the per-address join limit. */
const joinRateLimited = new Rate('join_rate_limited');
/** Over every 409: true when the stock still held the tickets asked for. */
const earlySoldOutResponses = new Rate('early_sold_out_responses');
/** This VU's view of sold out (lib/sold-out.ts). */
const soldOutView = new SoldOutView();

const pool = new FanPool({
  maxFans: settings.maxFansPerVu,
  checkoutThinkMs: settings.checkoutThinkMs,
  orderPollMs: settings.orderPollMs,
});
let fansStarted = 0;
/** This VU's view of the event's join challenge; set from setup() on the first iteration. */
let challenges: ChallengeState | null = null;

/** Back-off for a fan told 429: the contract gives no Retry-After, so a fixed polite pause. */
const RATE_LIMITED_RETRY_MS = 2_000;

interface SetupData {
  eventId: string;
  /** The event's difficulty when the run started; each VU follows changes from the answers. */
  joinChallengeBits: number;
}

type Response = RefinedResponse<ResponseType | undefined>;

const JSON_HEADERS = { 'Content-Type': 'application/json' };

function bearer(token: string): Record<string, string> {
  return { Authorization: `Bearer ${token}` };
}

function tags(endpoint: Endpoint, name: string): Record<string, string> {
  return { endpoint, name, surface: endpoint === 'page' ? 'page' : 'api' };
}

function bodyOf(response: Response): unknown {
  if (typeof response.body !== 'string' || response.body === '') return null;
  try {
    return JSON.parse(response.body) as unknown;
  } catch {
    return null;
  }
}

/**
 * Records the outcome of one request. `ok` is whether the response was one the fan can act on;
 * 409 and 429 are expected at any time and never count as errors.
 */
function record(response: Response, ok: boolean, soldOutRelevant: boolean): void {
  const expected = response.status === 409 || response.status === 429 || ok;
  unexpectedErrors.add(!expected);
  if (soldOutRelevant) soldOutResponses.add(response.status === 409);
}

function availabilityUrl(eventId: string): string {
  return `${settings.checkoutUrl}/v1/events/${encodeURIComponent(eventId)}/availability`;
}

const AVAILABILITY_TAGS = tags('availability', 'GET /v1/events/{eventId}/availability');

/** Judges a 409 (`quantity`: tickets asked for, 1 for a join) now, or once the stock is read. */
function judge409(response: Response, quantity: number): void {
  if (response.status !== 409) return;
  const early = soldOutView.on409(quantity, Date.now());
  if (early !== null) earlySoldOutResponses.add(early);
}

/** This iteration's one request: the stock read that judges the VU's waiting 409s. */
function verifyStock(eventId: string): void {
  const check = http.get(availabilityUrl(eventId), { tags: AVAILABILITY_TAGS });
  const availability = check.status === 200 ? readAvailability(bodyOf(check)) : null;
  record(check, availability !== null, false);
  for (const early of soldOutView.judge(availability)) earlySoldOutResponses.add(early);
}

function eventUrl(eventId: string): string {
  return `${settings.waitingRoomUrl}/v1/events/${encodeURIComponent(eventId)}`;
}

function sha256(input: string): Uint8Array {
  return new Uint8Array(crypto.sha256(input, 'binary'));
}

/**
 * While the event asks for proof of work, a join is two requests (both tagged `join`, told apart by
 * `name`): the challenge, solved here on the VU's thread with k6/crypto, then the join carrying it.
 * Null when the challenge request failed; the iteration then ends without a join.
 */
function solvedChallenge(eventId: string, state: ChallengeState): ChallengeSolution | null {
  const response = http.post(`${eventUrl(eventId)}/challenge`, null, {
    tags: tags('join', 'POST /v1/events/{eventId}/challenge'),
  });
  const issued = response.status === 201 ? readChallenge(bodyOf(response)) : null;
  record(response, issued !== null, false);
  // The challenge shares the join limit: a join refused here was answered 429 all the same.
  if (response.status === 429) joinRateLimited.add(true);
  if (issued === null) return null;
  state.sawChallenge(issued);
  return solveJoinChallenge(issued, sha256);
}

function arrive(action: ArrivalAction, eventId: string, state: ChallengeState, now: number): void {
  switch (action) {
    case 'page': {
      const response = http.get(`${settings.webUrl}/events/${encodeURIComponent(eventId)}`, {
        responseType: 'none',
        tags: tags('page', 'GET /events/{eventId}'),
      });
      record(response, response.status === 200, false);
      return;
    }
    case 'event': {
      const response = http.get(eventUrl(eventId), {
        tags: tags('event', 'GET /v1/events/{eventId}'),
      });
      record(response, response.status === 200, false);
      if (response.status === 200) {
        state.sawEvent(bodyOf(response));
        soldOutView.sawEvent(bodyOf(response));
      }
      return;
    }
    case 'availability': {
      const response = http.get(availabilityUrl(eventId), { tags: AVAILABILITY_TAGS });
      const availability = response.status === 200 ? readAvailability(bodyOf(response)) : null;
      record(response, availability !== null, false);
      if (availability !== null) soldOutView.sawAvailability(availability);
      return;
    }
    case 'join': {
      const solution = state.needed ? solvedChallenge(eventId, state) : null;
      if (state.needed && solution === null) return;
      const response = http.post(
        `${eventUrl(eventId)}/queue`,
        solution === null ? null : JSON.stringify(solution),
        {
          headers: solution === null ? {} : JSON_HEADERS,
          tags: tags('join', 'POST /v1/events/{eventId}/queue'),
        },
      );
      const joined =
        response.status === 201 || response.status === 200 ? readJoin(bodyOf(response)) : null;
      state.sawJoin(response.status, bodyOf(response));
      // A plain join refused because the event began asking for a challenge is how the VU learns
      // of it (the next join solves one); a refused solution is an error.
      const learned = solution === null && state.needed;
      record(response, joined !== null || learned, !learned);
      if (!learned) joinRateLimited.add(response.status === 429);
      if (joined !== null) soldOutView.sawQueueState(joined.state);
      judge409(response, 1);
      if (joined !== null) {
        fansStarted += 1;
        pool.joined(`${exec.vu.idInTest}-${fansStarted}`, joined, pickQuantity(Math.random), now);
      }
      return;
    }
  }
}

function pollQueue(fan: Fan, eventId: string, now: number): void {
  const response = http.get(`${eventUrl(eventId)}/queue/me`, {
    headers: bearer(fan.queueToken),
    tags: tags('status', 'GET /v1/events/{eventId}/queue/me'),
  });
  const status = response.status === 200 ? readQueueStatus(bodyOf(response)) : null;
  record(response, status !== null, false);
  if (status !== null) soldOutView.sawQueueState(status.state);
  if (status !== null) pool.queueStatus(fan, status, Date.now(), Math.random);
  else if (response.status === 429) pool.retryLater(fan, now, RATE_LIMITED_RETRY_MS);
  else pool.remove(fan);
}

function createOrder(fan: Fan, eventId: string, now: number): void {
  const token = fan.admissionToken ?? '';
  const response = http.post(
    `${settings.checkoutUrl}/v1/events/${encodeURIComponent(eventId)}/orders`,
    JSON.stringify({
      quantity: fan.quantity,
      buyer: { name: `Fan ${fan.id}`, email: `fan-${fan.id}@example.com` },
    }),
    {
      // The same key on a retry returns the same order, as a browser's retry would.
      headers: { ...JSON_HEADERS, ...bearer(token), 'Idempotency-Key': `k6-${fan.id}` },
      tags: tags('order', 'POST /v1/events/{eventId}/orders'),
    },
  );
  const created = response.status === 202 ? readOrderCreated(bodyOf(response)) : null;
  record(response, created !== null, true);
  judge409(response, fan.quantity);
  if (created !== null) pool.orderCreated(fan, created.orderId, Date.now());
  else if (response.status === 429) pool.retryLater(fan, now, RATE_LIMITED_RETRY_MS);
  else pool.remove(fan);
}

function pollOrder(fan: Fan, now: number): void {
  const response = http.get(
    `${settings.checkoutUrl}/v1/orders/${encodeURIComponent(fan.orderId ?? '')}`,
    {
      headers: bearer(fan.admissionToken ?? ''),
      tags: tags('order_status', 'GET /v1/orders/{orderId}'),
    },
  );
  const order = response.status === 200 ? readOrderStatus(bodyOf(response)) : null;
  record(response, order !== null, false);
  if (order === null) {
    if (response.status === 429) pool.retryLater(fan, now, RATE_LIMITED_RETRY_MS);
    else pool.remove(fan);
    return;
  }
  if (order.status === 'pending') pool.orderPending(fan, Date.now());
  else pool.remove(fan);
}

/**
 * Lines the sale up with the lifecycle when an ops token is given: the event opens when the
 * sale_opening phase starts. Without one, the event is driven as configured on the stack.
 */
export function setup(): SetupData {
  const eventId = settings.eventId;
  const probe = http.get(eventUrl(eventId), { tags: { endpoint: 'setup', name: 'setup' } });
  if (probe.status !== 200) {
    throw new Error(`GET ${eventUrl(eventId)} answered ${probe.status}: is the stack running?`);
  }
  const opsToken = __ENV['OPS_TOKEN'];
  if (opsToken !== undefined && opsToken !== '') {
    const opensAt = new Date(Date.now() + saleOpeningOffsetSeconds(settings) * 1_000).toISOString();
    const patched = http.patch(
      `${settings.waitingRoomUrl}/v1/admin/events/${encodeURIComponent(eventId)}`,
      JSON.stringify({ opensAt }),
      {
        headers: { ...JSON_HEADERS, ...bearer(opsToken) },
        tags: { endpoint: 'setup', name: 'setup' },
      },
    );
    if (patched.status !== 200) {
      throw new Error(`PATCH opensAt for ${eventId} answered ${patched.status}`);
    }
  }
  return { eventId, joinChallengeBits: readChallengeBits(bodyOf(probe)) ?? 0 };
}

export default function fan(data: SetupData): void {
  const scenario = exec.scenario.name;
  if (!isPhaseName(scenario)) throw new Error(`scenario ${scenario} is not a lifecycle phase`);
  const now = Date.now();
  for (const early of soldOutView.settleKnown()) earlySoldOutResponses.add(early);
  if (soldOutView.needsStockRead(now)) {
    verifyStock(data.eventId);
    return;
  }
  const step = pool.nextStep(phaseByName(scenario).mix, now, Math.random);
  switch (step.kind) {
    case 'arrive':
      challenges ??= new ChallengeState(data.joinChallengeBits);
      arrive(step.action, data.eventId, challenges, now);
      return;
    case 'poll_queue':
      pollQueue(step.fan, data.eventId, now);
      return;
    case 'create_order':
      createOrder(step.fan, data.eventId, now);
      return;
    case 'poll_order':
      pollOrder(step.fan, now);
      return;
  }
}
