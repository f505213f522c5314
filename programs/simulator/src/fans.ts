import { sha256Utf8 } from '@frequency/contracts/pow-node';
import { ChallengeState, readChallenge, solveJoinChallenge } from '@frequency/k6/challenge';
import {
  readJoin,
  readOrderCreated,
  readOrderStatus,
  readQueueStatus,
} from '@frequency/k6/contract';
import { FanPool, pickQuantity, type Fan, type Step } from '@frequency/k6/fans';
import type {
  ArrivalAction,
  Endpoint,
  PhaseName,
  PhaseSpec,
  Settings,
} from '@frequency/k6/lifecycle';
import { type HttpClient, type HttpRequest, type HttpResponse, loopbackAddress } from './http.js';
import type { Recorder } from './recorder.js';

/** What the report needs to know about one fan after the sale. */
export interface FanRecord {
  id: string;
  /** Order in which joins were sent (1 = first). */
  joinSent: number;
  prequeue: boolean;
  /** Place given at the join (fans joining after the opening) or learned from a later poll. */
  position: number | null;
  /** Expiry of the admission (epoch ms); the service admits at expiry minus a fixed window. */
  admissionExpiresAt: number | null;
  /** Kept to read the order once more after the sale. */
  admissionToken: string | null;
  orderId: string | null;
  quantity: number;
  orderStatus: 'pending' | 'confirmed' | 'rejected' | null;
  /** Tickets the fan holds according to the last order read. */
  tickets: number;
}

export interface SaleTarget {
  waitingRoomUrl: string;
  checkoutUrl: string;
  /** Null when the stack runs no web app: page loads are then sent as event refreshes. */
  webUrl: string | null;
  eventId: string;
  /** The event's join challenge difficulty at the start; fans follow changes from the answers. */
  joinChallengeBits: number;
  /** Loopback source addresses the fans are spread over (see clientAddressCount). */
  clientAddresses: number;
}

/** Pause before a fan retries after a 429 or a failed request (the contract gives no Retry-After). */
const RETRY_MS = 2_000;
/** Think time before a fan retries with one ticket fewer after 409 INSUFFICIENT_TICKETS. */
const FEWER_TICKETS_THINK_MS = 300;

/**
 * The virtual fans: VUs (as in k6), each with its own FanPool from k6/lib/fans.ts, so the choice of
 * the next request is the same one the k6 script makes. Requests are sent asynchronously over
 * shared keep-alive pools; a fan whose request is in flight is not due again until it is answered.
 */
export class Fans {
  readonly records = new Map<string, FanRecord>();
  readonly #pools: FanPool[];
  #next = 0;
  #joinsSent = 0;
  #arrivals = 0;
  readonly #byFan = new WeakMap<Fan, FanRecord>();
  /** The source address a fan joined from; its later requests come from there too. */
  readonly #addressOf = new WeakMap<Fan, string>();
  readonly #challenges: ChallengeState;
  readonly #eventUrl: string;
  readonly counters = {
    joined: 0,
    admitted: 0,
    ordered: 0,
    confirmedTickets: 0,
    soldOutAnswers: 0,
    challengesSolved: 0,
  };

  constructor(
    private readonly target: SaleTarget,
    private readonly http: HttpClient,
    private readonly recorder: Recorder,
    private readonly settings: Pick<Settings, 'maxFansPerVu' | 'checkoutThinkMs' | 'orderPollMs'>,
    vus: number,
    private readonly startedAt: number,
  ) {
    this.#pools = Array.from(
      { length: vus },
      () =>
        new FanPool({
          maxFans: settings.maxFansPerVu,
          checkoutThinkMs: settings.checkoutThinkMs,
          orderPollMs: settings.orderPollMs,
        }),
    );
    this.#eventUrl = `${target.waitingRoomUrl}/v1/events/${encodeURIComponent(target.eventId)}`;
    this.#challenges = new ChallengeState(target.joinChallengeBits);
  }

  /** Fans still in the flow (queued, admitted, or waiting for their order). */
  get active(): number {
    return this.#pools.reduce((sum, pool) => sum + pool.size, 0);
  }

  /** Picks and sends the next request of one VU; resolves when it is answered and handled. */
  async step(phase: PhaseSpec): Promise<void> {
    const pool = this.#pools[this.#next++ % this.#pools.length];
    if (!pool) return;
    const now = Date.now();
    const step = pool.nextStep(phase.mix, now, Math.random);
    // In flight: not due again until this request is answered.
    if (step.kind !== 'arrive') step.fan.dueAt = Number.POSITIVE_INFINITY;
    await this.#run(step, pool, phase.name, now);
  }

  async #run(step: Step, pool: FanPool, phase: PhaseName, now: number): Promise<void> {
    switch (step.kind) {
      case 'arrive':
        await this.#arrive(step.action, pool, phase);
        return;
      case 'poll_queue':
        await this.#pollQueue(step.fan, pool, phase, now);
        return;
      case 'create_order':
        await this.#createOrder(step.fan, pool, phase);
        return;
      case 'poll_order':
        await this.#pollOrder(step.fan, pool, phase);
        return;
    }
  }

  async #send(endpoint: Endpoint, phase: PhaseName, request: HttpRequest): Promise<HttpResponse> {
    const response = await this.http.send(request);
    this.recorder.record({
      endpoint,
      phase,
      status: response.status,
      code: response.code,
      latencyMs: response.latencyMs,
      at: Date.now() - this.startedAt,
    });
    if (response.code === 'SOLD_OUT') this.counters.soldOutAnswers += 1;
    return response;
  }

  /**
   * The source address of the next arrival, round robin over the addresses: the join limit is per
   * connecting address, and round robin spreads joins evenly, so no address exceeds
   * joins per second × window ÷ addresses within one window.
   */
  #nextAddress(): string {
    return loopbackAddress(this.#arrivals++ % this.target.clientAddresses);
  }

  /**
   * While the event asks for proof of work, a join is two requests (both recorded as `join`): the
   * challenge, solved here with node:crypto, then the join carrying it. Null when the challenge
   * request failed.
   */
  async #solvedChallenge(phase: PhaseName, from: string): Promise<unknown> {
    const response = await this.#send('join', phase, {
      method: 'POST',
      url: `${this.#eventUrl}/challenge`,
      from,
    });
    const issued = response.status === 201 ? readChallenge(response.body) : null;
    if (issued === null) return null;
    this.#challenges.sawChallenge(issued);
    const solution = solveJoinChallenge(issued, sha256Utf8);
    this.counters.challengesSolved += 1;
    return solution;
  }

  async #arrive(action: ArrivalAction, pool: FanPool, phase: PhaseName): Promise<void> {
    const from = this.#nextAddress();
    switch (action) {
      case 'page':
        if (this.target.webUrl !== null) {
          await this.#send('page', phase, {
            method: 'GET',
            url: `${this.target.webUrl}/events/${encodeURIComponent(this.target.eventId)}`,
            from,
          });
          return;
        }
        await this.#send('event', phase, { method: 'GET', url: this.#eventUrl, from });
        return;
      case 'event': {
        const response = await this.#send('event', phase, {
          method: 'GET',
          url: this.#eventUrl,
          from,
        });
        if (response.status === 200) this.#challenges.sawEvent(response.body);
        return;
      }
      case 'availability':
        await this.#send('availability', phase, {
          method: 'GET',
          url: `${this.target.checkoutUrl}/v1/events/${encodeURIComponent(this.target.eventId)}/availability`,
          from,
        });
        return;
      case 'join': {
        const joinSent = ++this.#joinsSent;
        const solution = this.#challenges.needed
          ? await this.#solvedChallenge(phase, from)
          : undefined;
        if (solution === null) return;
        const response = await this.#send('join', phase, {
          method: 'POST',
          url: `${this.#eventUrl}/queue`,
          from,
          ...(solution === undefined ? {} : { json: solution }),
        });
        this.#challenges.sawJoin(response.status, response.body);
        const joined =
          response.status === 201 || response.status === 200 ? readJoin(response.body) : null;
        if (joined === null) return;
        const id = `fan${joinSent}`;
        const quantity = pickQuantity(Math.random);
        const fan = pool.joined(id, joined, quantity, Date.now());
        if (fan === null) return;
        this.counters.joined += 1;
        const record: FanRecord = {
          id,
          joinSent,
          prequeue: joined.state === 'prequeue',
          position: positionOf(response.body),
          admissionExpiresAt: null,
          admissionToken: null,
          orderId: null,
          quantity,
          orderStatus: null,
          tickets: 0,
        };
        this.records.set(id, record);
        this.#byFan.set(fan, record);
        this.#addressOf.set(fan, from);
        return;
      }
    }
  }

  async #pollQueue(fan: Fan, pool: FanPool, phase: PhaseName, now: number): Promise<void> {
    const response = await this.#send('status', phase, {
      method: 'GET',
      url: `${this.#eventUrl}/queue/me`,
      headers: { authorization: `Bearer ${fan.queueToken}` },
      from: this.#addressOf.get(fan),
    });
    const status = response.status === 200 ? readQueueStatus(response.body) : null;
    if (status === null) {
      if (response.status === 0 || response.status === 429 || response.status >= 500)
        pool.retryLater(fan, now, RETRY_MS);
      else pool.remove(fan);
      return;
    }
    const record = this.#byFan.get(fan);
    if (record) {
      record.position = positionOf(response.body) ?? record.position;
      if (status.state === 'admitted' && record.admissionExpiresAt === null) {
        record.admissionExpiresAt = admissionExpiry(response.body);
        record.admissionToken = status.admission?.token ?? null;
        this.counters.admitted += 1;
      }
    }
    pool.queueStatus(fan, status, Date.now(), Math.random);
  }

  async #createOrder(fan: Fan, pool: FanPool, phase: PhaseName): Promise<void> {
    const response = await this.#send('order', phase, {
      method: 'POST',
      url: `${this.target.checkoutUrl}/v1/events/${encodeURIComponent(this.target.eventId)}/orders`,
      headers: {
        authorization: `Bearer ${fan.admissionToken ?? ''}`,
        // The same key on a retry returns the same order, as a browser's retry would.
        'idempotency-key': `sim-${fan.id}`,
      },
      from: this.#addressOf.get(fan),
      json: {
        quantity: fan.quantity,
        buyer: { name: `Fan ${fan.id}`, email: `${fan.id}@example.com` },
      },
    });
    const now = Date.now();
    const created = response.status === 202 ? readOrderCreated(response.body) : null;
    const record = this.#byFan.get(fan);
    if (created !== null) {
      this.counters.ordered += 1;
      if (record) {
        record.orderId = created.orderId;
        record.quantity = fan.quantity;
        record.orderStatus = 'pending';
      }
      pool.orderCreated(fan, created.orderId, now);
      return;
    }
    if (response.code === 'INSUFFICIENT_TICKETS' && fan.quantity > 1) {
      // Fewer tickets than asked for are left: a fan takes what there is rather than nothing.
      fan.quantity -= 1;
      pool.retryLater(fan, now, FEWER_TICKETS_THINK_MS);
      return;
    }
    if (response.status === 0 || response.status === 429 || response.status >= 500) {
      pool.retryLater(fan, now, RETRY_MS);
      return;
    }
    pool.remove(fan);
  }

  async #pollOrder(fan: Fan, pool: FanPool, phase: PhaseName): Promise<void> {
    const response = await this.#readOrder(
      fan.orderId ?? '',
      fan.admissionToken ?? '',
      phase,
      this.#addressOf.get(fan),
    );
    const now = Date.now();
    const order = response.status === 200 ? readOrderStatus(response.body) : null;
    if (order === null) {
      if (response.status === 0 || response.status === 429 || response.status >= 500)
        pool.retryLater(fan, now, RETRY_MS);
      else pool.remove(fan);
      return;
    }
    const record = this.#byFan.get(fan);
    if (record) this.#settle(record, order.status, response.body);
    if (order.status === 'pending') pool.orderPending(fan, now);
    else pool.remove(fan);
  }

  #readOrder(
    orderId: string,
    admissionToken: string,
    phase: PhaseName | null,
    from?: string,
  ): Promise<HttpResponse> {
    const request: HttpRequest = {
      method: 'GET',
      url: `${this.target.checkoutUrl}/v1/orders/${encodeURIComponent(orderId)}`,
      headers: { authorization: `Bearer ${admissionToken}` },
      ...(from === undefined ? {} : { from }),
    };
    return phase === null ? this.http.send(request) : this.#send('order_status', phase, request);
  }

  #settle(record: FanRecord, status: 'pending' | 'confirmed' | 'rejected', body: unknown): void {
    if (record.orderStatus === 'confirmed') return;
    record.orderStatus = status;
    if (status === 'confirmed') {
      record.tickets = ticketCount(body);
      this.counters.confirmedTickets += record.tickets;
    }
  }

  /**
   * After the sale: every fan still holding a pending order reads it once more (outside the phases'
   * figures), so the report can say what the fans ended up holding.
   */
  async settlePending(concurrency = 32): Promise<void> {
    const pending = [...this.records.values()].filter(
      (record) => record.orderId !== null && record.orderStatus === 'pending',
    );
    let index = 0;
    const worker = async () => {
      while (index < pending.length) {
        const record = pending[index++];
        if (!record || record.admissionToken === null || record.orderId === null) continue;
        const response = await this.#readOrder(record.orderId, record.admissionToken, null);
        const order = response.status === 200 ? readOrderStatus(response.body) : null;
        if (order) this.#settle(record, order.status, response.body);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
  }
}

function positionOf(body: unknown): number | null {
  if (typeof body !== 'object' || body === null || !('position' in body)) return null;
  return typeof body.position === 'number' ? body.position : null;
}

function admissionExpiry(body: unknown): number | null {
  if (typeof body !== 'object' || body === null || !('admission' in body)) return null;
  const admission = body.admission;
  if (typeof admission !== 'object' || admission === null || !('expiresAt' in admission))
    return null;
  const at = typeof admission.expiresAt === 'string' ? Date.parse(admission.expiresAt) : Number.NaN;
  return Number.isFinite(at) ? at : null;
}

function ticketCount(body: unknown): number {
  if (typeof body !== 'object' || body === null || !('tickets' in body)) return 0;
  return Array.isArray(body.tickets) ? body.tickets.length : 0;
}
