import type { PurchaseIntent } from '@frequency/contracts';
import type { NewEventRow } from './schema.js';

export interface PersistResult {
  /** Orders written by this call. */
  ordersInserted: number;
  ticketsInserted: number;
  /** Orders of the batch that were already stored: a redelivery or a republish, changed nothing. */
  duplicates: number;
}

export interface EventAudit {
  orders: number;
  /** Sum of orders.quantity. */
  ticketsOrdered: number;
  /** Rows in tickets. */
  tickets: number;
  distinctCodes: number;
}

/**
 * What the worker needs from a database, and all it may use. Every dialect specific (upsert syntax,
 * array binding, error codes) lives behind this interface in one implementation per database, so
 * moving from Cloud SQL to Spanner is a new implementation, not a change to the worker.
 */
export interface OrderStore {
  readonly kind: 'postgres' | 'spanner';
  /**
   * Persists a batch in one transaction: each order row and one row per ticket. Idempotent: orders
   * already stored (by id or admission) are skipped whole, so a replay changes nothing.
   */
  persist(intents: readonly PurchaseIntent[]): Promise<PersistResult>;
  /** Creates the event row or updates its descriptive fields. */
  upsertEvent(event: NewEventRow): Promise<void>;
  /** Reconciliation: tickets persisted per event. */
  ticketsPersisted(eventId: string): Promise<number>;
  /**
   * Audit of one event (reconcile command, end-to-end checks): orders, the sum of their quantities,
   * ticket rows, and distinct ticket codes. Scans the event's rows: not for a hot path.
   */
  auditEvent(eventId: string): Promise<EventAudit>;
  /** True when retrying the same call later may succeed (connection loss, serialization, failover). */
  isTransientError(err: unknown): boolean;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/**
 * Orders of a batch with duplicates (same order id) removed, first occurrence kept, sorted by order
 * id. Two batches that share orders (a redelivery racing its original on another replica) then take
 * their row locks in the same order and wait for each other instead of deadlocking.
 */
export function uniqueByOrderId(intents: readonly PurchaseIntent[]): PurchaseIntent[] {
  const byId = new Map<string, PurchaseIntent>();
  for (const intent of intents) {
    if (!byId.has(intent.orderId)) byId.set(intent.orderId, intent);
  }
  return [...byId.values()].sort((a, b) =>
    a.orderId < b.orderId ? -1 : a.orderId > b.orderId ? 1 : 0,
  );
}
