// Narrow readers for the response bodies a fan acts on (shared/api-contract.md). They accept
// `unknown` and return null when a body does not have the promised shape, which the script counts
// as an unexpected error. No k6 imports: unit-tested under Node.

export type QueueState = 'prequeue' | 'waiting' | 'admitted' | 'sold_out' | 'expired';
export type OrderStatus = 'pending' | 'confirmed' | 'rejected';

export interface JoinResponse {
  queueToken: string;
  state: QueueState;
  pollAfterMs: number;
}

export interface QueueStatusResponse {
  state: QueueState;
  pollAfterMs: number;
  admission: { token: string } | null;
}

export interface OrderCreatedResponse {
  orderId: string;
}

export interface OrderStatusResponse {
  status: OrderStatus;
}

const QUEUE_STATES: readonly string[] = ['prequeue', 'waiting', 'admitted', 'sold_out', 'expired'];
const ORDER_STATUSES: readonly string[] = ['pending', 'confirmed', 'rejected'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isQueueState(value: unknown): value is QueueState {
  return typeof value === 'string' && QUEUE_STATES.includes(value);
}

function isOrderStatus(value: unknown): value is OrderStatus {
  return typeof value === 'string' && ORDER_STATUSES.includes(value);
}

function isPollAfter(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0;
}

export function readJoin(body: unknown): JoinResponse | null {
  if (!isRecord(body)) return null;
  const { queueToken, state, pollAfterMs } = body;
  if (typeof queueToken !== 'string' || queueToken === '') return null;
  if (!isQueueState(state) || !isPollAfter(pollAfterMs)) return null;
  return { queueToken, state, pollAfterMs };
}

export function readQueueStatus(body: unknown): QueueStatusResponse | null {
  if (!isRecord(body)) return null;
  const { state, pollAfterMs, admission } = body;
  if (!isQueueState(state) || !isPollAfter(pollAfterMs)) return null;
  if (admission === null || admission === undefined) {
    // An admitted fan without an admission token cannot go on to checkout.
    return state === 'admitted' ? null : { state, pollAfterMs, admission: null };
  }
  if (!isRecord(admission) || typeof admission['token'] !== 'string') return null;
  return { state, pollAfterMs, admission: { token: admission['token'] } };
}

export function readOrderCreated(body: unknown): OrderCreatedResponse | null {
  if (!isRecord(body) || typeof body['orderId'] !== 'string' || body['orderId'] === '') return null;
  return { orderId: body['orderId'] };
}

export function readOrderStatus(body: unknown): OrderStatusResponse | null {
  if (!isRecord(body) || !isOrderStatus(body['status'])) return null;
  return { status: body['status'] };
}

export interface AvailabilityResponse {
  ticketsRemaining: number;
  soldOut: boolean;
}

export function readAvailability(body: unknown): AvailabilityResponse | null {
  if (!isRecord(body)) return null;
  const { ticketsRemaining, soldOut } = body;
  if (typeof ticketsRemaining !== 'number' || !Number.isInteger(ticketsRemaining)) return null;
  if (ticketsRemaining < 0 || typeof soldOut !== 'boolean') return null;
  return { ticketsRemaining, soldOut };
}
