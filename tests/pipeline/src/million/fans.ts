import { performance } from 'node:perf_hooks';
import { loopbackAddress } from '@frequency/testing/clients';
import { Pool } from 'undici';

/**
 * The million run's load generator: fans that join through the waiting room's HTTP API, poll when
 * pollAfterMs says, and order at checkout with their admission. It has to stay cheap beside the
 * services on the same cores: one small undici pool per source address and service, no pipelining,
 * bodies read as text and parsed with JSON.parse (no schema validation on this side).
 */

export interface LoadOptions {
  waitingRoomUrl: string;
  checkoutUrl: string;
  eventId: string;
  /** Tickets each fan orders, one entry per fan; they add up to the event's tickets. */
  quantities: Uint8Array;
  /** Distinct loopback source addresses the fans are spread over (fan i uses address i mod this). */
  addresses: number;
  connectionsPerAddress: number;
  /** Fans joining or in line (not yet admitted) at most. */
  backlog: number;
  /** New fans per second at most: a little above the admission rate, so the line fills without a stampede. */
  arrivalRate: number;
  /**
   * Joins awaiting their answer at most. A burst of thousands of joins at once only queues inside
   * the waiting room until its Redis calls time out; bounded, arrivals follow what it answers.
   */
  joinsInFlight: number;
  /** How many accepted orders to keep for reading back after the run. */
  sampleSize: number;
  signal: AbortSignal;
  /** Called every few seconds with the figures so far. */
  onProgress?: (progress: LoadProgress) => void;
}

export interface LoadProgress {
  started: number;
  joins: number;
  waiting: number;
  accepted: number;
  retries: number;
  failures: number;
}

export interface AcceptedOrder {
  orderId: string;
  quantity: number;
  receiptToken: string;
}

export interface LoadResult {
  /** Date.now() when the first join was sent. */
  firstJoinAt: number;
  joins: number;
  polls: number;
  /** Polls of the fan that polled most. */
  mostPolls: number;
  accepted: number;
  acceptedTickets: number;
  /** A uniform sample of the accepted orders, to read back once the run is over. */
  sample: AcceptedOrder[];
  /** Answers that were retried (no answer, 429, 5xx), by step and status. */
  retried: Record<string, number>;
  /** Answers that ended a fan without an order, by step, status and code: a healthy run has none. */
  failed: Record<string, number>;
}

interface Answer {
  status: number;
  text: string;
  retryAfterMs: number;
}

/** The parts of the answers a fan reads; the services' own schemas have already checked them. */
interface JoinAnswer {
  queueToken: string;
  pollAfterMs: number;
}
interface StatusAnswer {
  state: string;
  pollAfterMs: number;
  admission: { token: string } | null;
}
interface OrderAnswer {
  orderId: string;
  quantity: number;
  receiptToken: string;
}

/** Pause before retrying a request that got no answer or a 5xx without Retry-After. */
const RETRY_MS = 250;
/** A fan that cannot finish within this many tries of one step gives up (and the run fails). */
const MAX_TRIES = 200;
/** Arrivals are released in ticks this long. */
const TICK_MS = 10;
const PROGRESS_MS = 10_000;

const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });

/** The error's code and message, as the contract's error body carries them. */
function errorOf(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    const code = typeof body.error?.code === 'string' ? body.error.code : '';
    const message = typeof body.error?.message === 'string' ? `: ${body.error.message}` : '';
    return `${code}${message}`;
  } catch {
    return '';
  }
}

// 408: the server gave up on a request it had not finished reading or answering; the same request again is safe.
const retryable = (status: number) =>
  status === 0 || status === 408 || status === 429 || status >= 500;

export async function runFans(options: LoadOptions): Promise<LoadResult> {
  const { quantities, eventId, signal } = options;
  const result: LoadResult = {
    firstJoinAt: 0,
    joins: 0,
    polls: 0,
    mostPolls: 0,
    accepted: 0,
    acceptedTickets: 0,
    sample: [],
    retried: {},
    failed: {},
  };
  // One abort listener for the whole run: a listener per request or per pause would make every
  // removal scan thousands of others. On abort, sleeping fans wake and the pools fail what is in flight.
  const pools = new Map<number, { waitingRoom: Pool; checkout: Pool }>();
  const sleepers = new Set<() => void>();
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      if (signal.aborted) {
        resolve();
        return;
      }
      const wake = () => {
        clearTimeout(timer);
        sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      sleepers.add(wake);
    });
  const onAbort = () => {
    for (const wake of [...sleepers]) wake();
    for (const pair of pools.values())
      void Promise.all([pair.waitingRoom.destroy(), pair.checkout.destroy()]);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  const count = (tally: Record<string, number>, key: string) => {
    tally[key] = (tally[key] ?? 0) + 1;
  };

  const poolsOf = (fan: number) => {
    const index = fan % options.addresses;
    let pair = pools.get(index);
    if (pair === undefined) {
      // The client option, not connect.localAddress: undici's connector lets the client's own
      // localAddress (unset) override the one given in `connect`.
      const settings = {
        connections: options.connectionsPerAddress,
        pipelining: 1,
        localAddress: loopbackAddress(index),
        keepAliveTimeout: 30_000,
        // Far beyond any answer of a healthy run: a join that timed out and is sent again takes a
        // second place in line, so the client must not give up on a slow answer early.
        headersTimeout: 120_000,
        bodyTimeout: 120_000,
      };
      pair = {
        waitingRoom: new Pool(options.waitingRoomUrl, settings),
        checkout: new Pool(options.checkoutUrl, settings),
      };
      pools.set(index, pair);
    }
    return pair;
  };

  const call = async (
    pool: Pool,
    method: 'GET' | 'POST',
    path: string,
    headers: Record<string, string>,
    body?: string,
  ): Promise<Answer> => {
    try {
      const response = await pool.request({ method, path, headers, body });
      const text = await response.body.text();
      const retryAfter = Number(response.headers['retry-after']);
      return {
        status: response.statusCode,
        text,
        retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : RETRY_MS,
      };
    } catch (err) {
      return { status: 0, text: String(err), retryAfterMs: RETRY_MS };
    }
  };

  /**
   * One step of a fan's journey, retried while the answer says trying again is safe. Returns the
   * answer with the wanted status, or null (counted in `failed`) for anything else.
   */
  const step = async (
    name: string,
    wanted: (status: number) => boolean,
    send: () => Promise<Answer>,
  ): Promise<Answer | null> => {
    for (let tries = 1; !signal.aborted; tries += 1) {
      const answer = await send();
      if (wanted(answer.status)) return answer;
      if (!retryable(answer.status) || tries >= MAX_TRIES) {
        count(result.failed, `${name} ${answer.status} ${errorOf(answer.text)}`.trim());
        return null;
      }
      count(result.retried, `${name} ${answer.status}`);
      await pause(answer.retryAfterMs);
    }
    return null;
  };

  const joinPath = `/v1/events/${eventId}/queue`;
  const statusPath = `/v1/events/${eventId}/queue/me`;
  const orderPath = `/v1/events/${eventId}/orders`;
  const joinHeaders = { 'content-type': 'application/json' };
  let waiting = 0;
  let joining = 0;
  let seen = 0;

  /** Join, wait in line as told, order once admitted. Resolves whether or not the fan got an order. */
  const playFan = async (fan: number): Promise<void> => {
    const { waitingRoom, checkout } = poolsOf(fan);
    let admitted = false;
    try {
      const joined = await step(
        'join',
        (s) => s === 201 || s === 200,
        () => call(waitingRoom, 'POST', joinPath, joinHeaders, '{}'),
      ).finally(() => {
        joining -= 1;
      });
      if (joined === null) return;
      result.joins += 1;
      const entry = JSON.parse(joined.text) as JoinAnswer;
      const queueAuth = { authorization: `Bearer ${entry.queueToken}` };
      let pollAfterMs = entry.pollAfterMs;
      let admission: string | null = null;
      let polls = 0;
      while (admission === null && !signal.aborted) {
        await pause(pollAfterMs);
        const answer = await step(
          'status',
          (s) => s === 200,
          () => call(waitingRoom, 'GET', statusPath, queueAuth),
        );
        if (answer === null) return;
        polls += 1;
        result.polls += 1;
        const status = JSON.parse(answer.text) as StatusAnswer;
        if (status.state === 'admitted' && status.admission !== null) {
          admission = status.admission.token;
        } else if (status.state === 'waiting' || status.state === 'prequeue') {
          pollAfterMs = status.pollAfterMs;
        } else {
          count(result.failed, `status ${status.state}`);
          return;
        }
      }
      if (admission === null) return;
      result.mostPolls = Math.max(result.mostPolls, polls);
      admitted = true;
      waiting -= 1;
      const quantity = quantities[fan] ?? 1;
      const orderBody = JSON.stringify({
        quantity,
        buyer: { name: `Fan ${fan}`, email: `fan${fan}@example.com` },
      });
      const orderHeaders = {
        authorization: `Bearer ${admission}`,
        'content-type': 'application/json',
        // The same key on a retry: by contract the same order comes back.
        'idempotency-key': `fan-${fan}`,
      };
      const placed = await step(
        'order',
        (s) => s === 202,
        () => call(checkout, 'POST', orderPath, orderHeaders, orderBody),
      );
      if (placed === null) return;
      const order = JSON.parse(placed.text) as OrderAnswer;
      result.accepted += 1;
      result.acceptedTickets += order.quantity;
      // Reservoir sampling: every accepted order has the same chance to be read back.
      seen += 1;
      const kept = {
        orderId: order.orderId,
        quantity: order.quantity,
        receiptToken: order.receiptToken,
      };
      if (result.sample.length < options.sampleSize) result.sample.push(kept);
      else {
        const slot = Math.floor(Math.random() * seen);
        if (slot < options.sampleSize) result.sample[slot] = kept;
      }
    } finally {
      if (!admitted) waiting -= 1;
    }
  };

  let next = 0;
  let active = 0;
  let allDone: () => void = () => undefined;
  const done = new Promise<void>((resolve) => {
    allDone = resolve;
  });
  const finished = () => {
    active -= 1;
    if (active === 0 && (next === quantities.length || signal.aborted)) allDone();
  };
  const sum = (tally: Record<string, number>) =>
    Object.values(tally).reduce((total, n) => total + n, 0);
  const progress = setInterval(() => {
    options.onProgress?.({
      started: next,
      joins: result.joins,
      waiting,
      accepted: result.accepted,
      retries: sum(result.retried),
      failures: sum(result.failed),
    });
  }, PROGRESS_MS);
  result.firstJoinAt = Date.now();
  let last = performance.now();
  let allowance = Math.min(options.backlog, options.arrivalRate * (TICK_MS / 1000));
  // Fans arrive at most at the arrival rate and while the line is shorter than the backlog: the
  // waiting room always has someone to admit, and nobody waits much longer than the backlog.
  while (next < quantities.length && !signal.aborted) {
    const now = performance.now();
    allowance = Math.min(options.backlog, allowance + ((now - last) / 1000) * options.arrivalRate);
    last = now;
    while (
      next < quantities.length &&
      waiting < options.backlog &&
      joining < options.joinsInFlight &&
      allowance >= 1
    ) {
      allowance -= 1;
      waiting += 1;
      joining += 1;
      active += 1;
      void playFan(next).finally(finished);
      next += 1;
    }
    await sleep(TICK_MS);
  }
  if (active > 0) await done;
  clearInterval(progress);
  signal.removeEventListener('abort', onAbort);
  await Promise.all(
    [...pools.values()].map((pair) =>
      // Already destroyed after an abort: nothing is left to close then.
      Promise.all([pair.waitingRoom.close(), pair.checkout.close()]).catch(() => undefined),
    ),
  );
  return result;
}
