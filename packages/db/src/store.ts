import type { PurchaseIntent } from '@frequency/contracts';
import type { NewEventRow } from './schema.js';

export interface PersistResult {
  /** Orders written by this call. */
  ordersInserted: number;
  ticketsInserted: number;
  /** Orders of the batch that were already stored: a redelivery or a republish, changed nothing. */
  duplicates: number;
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
  /** True when retrying the same call later may succeed (connection loss, serialization, failover). */
  isTransientError(err: unknown): boolean;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Orders of a batch with duplicates (same order id) removed, first occurrence kept. */
export function uniqueByOrderId(intents: readonly PurchaseIntent[]): PurchaseIntent[] {
  const seen = new Set<string>();
  const out: PurchaseIntent[] = [];
  for (const intent of intents) {
    if (seen.has(intent.orderId)) continue;
    seen.add(intent.orderId);
    out.push(intent);
  }
  return out;
}
