import { performance } from 'node:perf_hooks';
import {
  JoinResponseSchema,
  OrderAcceptedSchema,
  OrderViewSchema,
  QueueStatusSchema,
} from '@frequency/contracts';
import { HttpClient, type HttpResponse } from '@frequency/simulator';
import { loopbackAddress } from '@frequency/testing/clients';
import { z } from 'zod';
import { sleep } from '../infra.js';

/** The 202 as a fan keeps it; `receiptToken` once checkout issues one (contract extension). */
const AcceptedSchema = OrderAcceptedSchema.extend({ receiptToken: z.string().optional() });
/** The order as read back; `reason` once rejected (contract extension). */
export const OrderReadSchema = OrderViewSchema.extend({ reason: z.string().optional() });

/** A 202 the sale must honour: it ends confirmed or rejected, and the ledger agrees. */
export interface AcceptedOrder {
  orderId: string;
  quantity: number;
  /** The receipt token when the 202 carried one, else the admission token: what reads the order. */
  readToken: string;
  fan: number;
}

/** Why a fan counts as having lost its place (see docs/chaos.md). */
export type PlaceLoss = 'token_refused' | 'forgotten' | 'entry_expired';

export interface FanRecord {
  index: number;
  address: string;
  /** performance.now() when the join that got an entry was sent, and when its answer arrived. */
  joinSentAt: number | null;
  joinAnsweredAt: number | null;
  /** The join put the fan in the pre-queue (shuffled at opening by design: no line order to keep). */
  prequeue: boolean;
  /** The admission's expiry (epoch ms): the same for every fan of one admission tick. */
  admittedBatch: number | null;
  /**
   * Epoch ms when the last queue poll answered `waiting` or `sold_out` was sent: the waiting room
   * then said this fan was not admitted (from a snapshot at most its refresh interval old).
   */
  lastNotAdmittedAt: number | null;
  placeLoss: PlaceLoss | null;
  order: AcceptedOrder | null;
  finalStatus: 'confirmed' | 'rejected' | null;
}

/** What every fan of one sale shares: where to go, when to stop, and the running tallies. */
export interface SaleContext {
  eventId: string;
  waitingRoomUrl: string;
  checkoutUrl: string;
  /** Offset of this sale's fans in the loopback address space, so no two fans share an address. */
  addressBase: number;
  pollCapMs: number;
  restoreGraceMs: number;
  /** performance.now() after which fans stop where they are. */
  deadline: number;
  signal: AbortSignal;
  /** Set by the first join answered 409 SOLD_OUT: no new fans start after it. */
  soldOut: boolean;
  /** Joins answered with an entry, and tickets in 202s, so far. */
  joined: number;
  acceptedTickets: number;
  /** Fans that have not yet got a 202 or given up (joining, in line, ordering). */
  inFlow: number;
  /** Set once no fan is in flow any more: fans stop reading their orders, the drain takes over. */
  closing: boolean;
  /** Answers that ended a fan's journey without a 202, by step and code (`order 401 TOKEN_EXPIRED`). */
  refusals: Map<string, number>;
}

/** Pause before a fan retries a request that got no answer, a 429 or a 5xx. */
const RETRY_MS = 400;
/** How often a fan reads its order while it is pending. */
const ORDER_POLL_MS = 1_000;

const ticking = (sale: SaleContext) => !sale.signal.aborted && performance.now() < sale.deadline;

/** No answer, a 429, a 5xx: the contract says trying again later is safe. */
function transient(response: HttpResponse): boolean {
  return response.status === 0 || response.status === 429 || response.status >= 500;
}

function refuse(sale: SaleContext, step: string, response: HttpResponse): void {
  const key = `${step} ${response.status} ${response.code ?? ''}`.trim();
  sale.refusals.set(key, (sale.refusals.get(key) ?? 0) + 1);
}

/**
 * One fan, its own client from its own loopback address (the services charge per-client rules to
 * the connecting address; no header is forged): join, wait in line honouring pollAfterMs (capped),
 * order 1-4 tickets once admitted, and follow the order until it is final.
 */
export async function playFan(index: number, sale: SaleContext): Promise<FanRecord> {
  const address = loopbackAddress(sale.addressBase + index);
  const fan: FanRecord = {
    index,
    address,
    joinSentAt: null,
    joinAnsweredAt: null,
    prequeue: false,
    admittedBatch: null,
    lastNotAdmittedAt: null,
    placeLoss: null,
    order: null,
    finalStatus: null,
  };
  const http = new HttpClient(1, 1);
  sale.inFlow += 1;
  let inFlow = true;
  const leaveFlow = () => {
    if (inFlow) sale.inFlow -= 1;
    inFlow = false;
  };
  try {
    const queueToken = await join(fan, sale, http);
    if (queueToken === null) return fan;
    const admission = await waitInLine(fan, sale, http, queueToken);
    if (admission === null) return fan;
    fan.order = await placeOrder(fan, sale, http, admission);
    leaveFlow();
    if (fan.order !== null) await followOrder(fan, sale, http, fan.order);
    return fan;
  } finally {
    leaveFlow();
    await http.close();
  }
}

async function join(fan: FanRecord, sale: SaleContext, http: HttpClient): Promise<string | null> {
  const url = `${sale.waitingRoomUrl}/v1/events/${sale.eventId}/queue`;
  while (ticking(sale)) {
    const sentAt = performance.now();
    const response = await http.send({ method: 'POST', url, from: fan.address, json: {} });
    const answeredAt = performance.now();
    if (response.status === 201 || response.status === 200) {
      const joined = JoinResponseSchema.safeParse(response.body);
      if (!joined.success) {
        refuse(sale, 'join (unreadable)', response);
        return null;
      }
      fan.joinSentAt = sentAt;
      fan.joinAnsweredAt = answeredAt;
      fan.prequeue = joined.data.state === 'prequeue';
      sale.joined += 1;
      return joined.data.queueToken;
    }
    if (response.code === 'SOLD_OUT') {
      sale.soldOut = true;
      return null;
    }
    // 404 while Redis has forgotten the event (until the worker restores it): try again.
    if (!transient(response) && response.status !== 404) {
      refuse(sale, 'join', response);
      return null;
    }
    await sleep(RETRY_MS);
  }
  return null;
}

async function waitInLine(
  fan: FanRecord,
  sale: SaleContext,
  http: HttpClient,
  queueToken: string,
): Promise<string | null> {
  const url = `${sale.waitingRoomUrl}/v1/events/${sale.eventId}/queue/me`;
  let forgottenSince: number | null = null;
  while (ticking(sale)) {
    const sentAt = Date.now();
    const response = await http.send({
      method: 'GET',
      url,
      from: fan.address,
      headers: { authorization: `Bearer ${queueToken}` },
    });
    if (response.status === 401) {
      fan.placeLoss = 'token_refused';
      refuse(sale, 'queue', response);
      return null;
    }
    if (response.status === 404) {
      forgottenSince ??= performance.now();
      if (performance.now() - forgottenSince > sale.restoreGraceMs) {
        fan.placeLoss = 'forgotten';
        refuse(sale, 'queue', response);
        return null;
      }
      await sleep(RETRY_MS);
      continue;
    }
    if (response.status !== 200) {
      if (!transient(response)) {
        refuse(sale, 'queue', response);
        return null;
      }
      await sleep(RETRY_MS);
      continue;
    }
    forgottenSince = null;
    const status = QueueStatusSchema.safeParse(response.body);
    if (!status.success) {
      refuse(sale, 'queue (unreadable)', response);
      return null;
    }
    const { state, admission, pollAfterMs } = status.data;
    if (state === 'admitted' && admission !== null) {
      fan.admittedBatch = Date.parse(admission.expiresAt);
      return admission.token;
    }
    if (state === 'waiting' || state === 'sold_out') fan.lastNotAdmittedAt = sentAt;
    if (state === 'sold_out') return null;
    if (state === 'expired') {
      // Never admitted, and the waiting room no longer knows the entry.
      fan.placeLoss = 'entry_expired';
      return null;
    }
    await sleep(Math.max(50, Math.min(pollAfterMs, sale.pollCapMs)));
  }
  return null;
}

async function placeOrder(
  fan: FanRecord,
  sale: SaleContext,
  http: HttpClient,
  admission: string,
): Promise<AcceptedOrder | null> {
  const url = `${sale.checkoutUrl}/v1/events/${sale.eventId}/orders`;
  let quantity = 1 + Math.floor(Math.random() * 4);
  // The same key and admission on every retry: by contract the same order comes back.
  const idempotencyKey = `${sale.eventId}-fan${fan.index}`;
  const buyer = {
    name: `Chaos Fan ${fan.index}`,
    email: `fan${fan.index}.${sale.eventId}@example.com`,
  };
  while (ticking(sale)) {
    const response = await http.send({
      method: 'POST',
      url,
      from: fan.address,
      headers: { authorization: `Bearer ${admission}`, 'idempotency-key': idempotencyKey },
      json: { quantity, buyer },
    });
    if (response.status === 202) {
      const accepted = AcceptedSchema.safeParse(response.body);
      if (!accepted.success) {
        refuse(sale, 'order (unreadable 202)', response);
        return null;
      }
      sale.acceptedTickets += accepted.data.quantity;
      return {
        orderId: accepted.data.orderId,
        quantity: accepted.data.quantity,
        readToken: accepted.data.receiptToken ?? admission,
        fan: fan.index,
      };
    }
    if (response.code === 'INSUFFICIENT_TICKETS' && quantity > 1) {
      // Fewer tickets are left than asked for: a fan takes what there is.
      quantity -= 1;
      continue;
    }
    if (response.code === 'SOLD_OUT' || response.code === 'INSUFFICIENT_TICKETS') return null;
    if (!transient(response) && response.status !== 404) {
      refuse(sale, 'order', response);
      return null;
    }
    await sleep(RETRY_MS);
  }
  return null;
}

async function followOrder(
  fan: FanRecord,
  sale: SaleContext,
  http: HttpClient,
  order: AcceptedOrder,
): Promise<void> {
  const url = `${sale.checkoutUrl}/v1/orders/${order.orderId}`;
  while (ticking(sale) && !sale.closing) {
    await sleep(ORDER_POLL_MS);
    const response = await http.send({
      method: 'GET',
      url,
      from: fan.address,
      headers: { authorization: `Bearer ${order.readToken}` },
    });
    if (response.status !== 200) continue;
    const read = OrderReadSchema.safeParse(response.body);
    if (read.success && read.data.status !== 'pending') {
      fan.finalStatus = read.data.status;
      return;
    }
  }
}
