// The fans one k6 VU plays, and which request comes next.
//
// Arrival-rate executors count iterations, not fans, so one iteration is one request: each VU keeps
// a pool of fans in memory across iterations, and every iteration either moves one of them a step
// further (poll the queue, order, poll the order) or lets a new arrival load a page, refresh the
// event, check availability or join. A fan is polled only once its `pollAfterMs` has passed; when
// nobody is due, the iteration goes to a new arrival instead of sleeping, so the request rate is the
// iteration rate. No k6 imports: unit-tested under Node with an injected clock and random source.
import type { JoinResponse, QueueStatusResponse } from './contract.ts';
import type { ArrivalAction, PhaseMix } from './lifecycle.ts';

export type FanStage = 'queued' | 'admitted' | 'ordered';

export interface Fan {
  id: string;
  stage: FanStage;
  queueToken: string;
  admissionToken: string | null;
  orderId: string | null;
  quantity: number;
  /** Epoch milliseconds before which this fan sends nothing. */
  dueAt: number;
}

export type Step =
  | { kind: 'arrive'; action: ArrivalAction }
  | { kind: 'poll_queue'; fan: Fan }
  | { kind: 'create_order'; fan: Fan }
  | { kind: 'poll_order'; fan: Fan };

export interface PoolLimits {
  maxFans: number;
  checkoutThinkMs: number;
  orderPollMs: number;
}

export type Random = () => number;

const ARRIVAL_ACTIONS: readonly ArrivalAction[] = ['page', 'event', 'availability', 'join'];

/** Quantities fans ask for: pairs are the most common, then groups of four. */
export const QUANTITY_WEIGHTS: readonly (readonly [number, number])[] = [
  [1, 0.25],
  [2, 0.45],
  [3, 0.1],
  [4, 0.2],
];

export function pickQuantity(random: Random): number {
  let roll = random();
  for (const [quantity, weight] of QUANTITY_WEIGHTS) {
    if (roll < weight) return quantity;
    roll -= weight;
  }
  return 2;
}

export function pickArrival(
  arrivals: Readonly<Record<ArrivalAction, number>>,
  random: Random,
): ArrivalAction {
  const total = ARRIVAL_ACTIONS.reduce((sum, action) => sum + arrivals[action], 0);
  if (total <= 0) return 'event';
  let roll = random() * total;
  for (const action of ARRIVAL_ACTIONS) {
    if (roll < arrivals[action]) return action;
    roll -= arrivals[action];
  }
  return 'event';
}

export class FanPool {
  private readonly fans: Fan[] = [];

  constructor(private readonly limits: PoolLimits) {}

  get size(): number {
    return this.fans.length;
  }

  get isFull(): boolean {
    return this.fans.length >= this.limits.maxFans;
  }

  list(): readonly Fan[] {
    return this.fans;
  }

  nextStep(mix: PhaseMix, now: number, random: Random): Step {
    let checkout: Fan | null = null;
    let follow: Fan | null = null;
    for (const fan of this.fans) {
      if (fan.dueAt > now) continue;
      if (fan.stage === 'admitted') {
        if (checkout === null || fan.dueAt < checkout.dueAt) checkout = fan;
      } else if (follow === null || fan.dueAt < follow.dueAt) {
        follow = fan;
      }
    }
    // Admission tokens expire within minutes: an admitted fan who is ready buys before anything else.
    if (checkout !== null) return { kind: 'create_order', fan: checkout };
    if (follow !== null && random() < mix.followUpShare) {
      return follow.stage === 'ordered'
        ? { kind: 'poll_order', fan: follow }
        : { kind: 'poll_queue', fan: follow };
    }
    const action = pickArrival(mix.arrivals, random);
    // A VU at its bound stops adding fans; the arrival refreshes the event page instead.
    if (action === 'join' && this.isFull) return { kind: 'arrive', action: 'event' };
    return { kind: 'arrive', action };
  }

  /** A join answered 200/201: the fan waits in line (or in the pre-queue) until its first poll. */
  joined(id: string, response: JoinResponse, quantity: number, now: number): Fan | null {
    if (response.state === 'sold_out' || response.state === 'expired') return null;
    const fan: Fan = {
      id,
      stage: 'queued',
      queueToken: response.queueToken,
      admissionToken: null,
      orderId: null,
      quantity,
      dueAt: now + response.pollAfterMs,
    };
    this.fans.push(fan);
    return fan;
  }

  queueStatus(fan: Fan, response: QueueStatusResponse, now: number, random: Random): void {
    switch (response.state) {
      case 'prequeue':
      case 'waiting':
        fan.dueAt = now + response.pollAfterMs;
        return;
      case 'admitted':
        if (response.admission === null) {
          fan.dueAt = now + response.pollAfterMs;
          return;
        }
        fan.stage = 'admitted';
        fan.admissionToken = response.admission.token;
        // Think time for the checkout form, spread so admitted fans do not order in lockstep.
        fan.dueAt = now + Math.round(this.limits.checkoutThinkMs * (0.5 + random()));
        return;
      case 'sold_out':
      case 'expired':
        this.remove(fan);
        return;
    }
  }

  orderCreated(fan: Fan, orderId: string, now: number): void {
    fan.stage = 'ordered';
    fan.orderId = orderId;
    fan.dueAt = now + this.limits.orderPollMs;
  }

  orderPending(fan: Fan, now: number): void {
    fan.dueAt = now + this.limits.orderPollMs;
  }

  /** 429 or a transient failure: the fan tries the same step again later. */
  retryLater(fan: Fan, now: number, delayMs: number): void {
    fan.dueAt = now + delayMs;
  }

  /** The fan is done: bought, sold out, rejected, or holding a token the service no longer accepts. */
  remove(fan: Fan): void {
    const index = this.fans.indexOf(fan);
    if (index >= 0) this.fans.splice(index, 1);
  }
}
