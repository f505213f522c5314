import type { EventDefinition, PurchaseIntent, RejectReason } from '@frequency/contracts';

/**
 * What the ledger answers for one order of a persist (or recordRejected) call. `written` is true
 * when this very call stored the row; false when it was stored before (a redelivery or a republish)
 * and the stored status is reported as it is.
 * - confirmed: the order's row and one ticket row per unit are stored under this order id;
 * - rejected:  the order's row is stored without tickets (its tickets go back on sale);
 * - conflict:  nothing stored: the admission already holds an order under another id.
 */
export type OrderOutcome =
  | { orderId: string; status: 'confirmed'; written: boolean }
  | { orderId: string; status: 'rejected'; reason: RejectReason; written: boolean }
  | { orderId: string; status: 'conflict' };

export interface PersistResult {
  /** One per distinct order id of the batch, in order-id order. */
  outcomes: OrderOutcome[];
  /** Order rows written by this call, confirmed and rejected. */
  ordersInserted: number;
  ticketsInserted: number;
}

export interface EventAudit {
  /** Confirmed orders. */
  orders: number;
  /** Sum of the confirmed orders' quantities. */
  ticketsOrdered: number;
  /** Rows in tickets. */
  tickets: number;
  distinctCodes: number;
  /** Rejected orders (no tickets). */
  rejected: number;
  /** tickets_sold of the event's inventory row (0 without one): what the cap counts. */
  ledgerSold: number;
}

/** An event's configuration as the ledger keeps it: EventDefinition.event. */
export type LedgerEventConfig = EventDefinition['event'];

/** An event as stored: its last definition and its inventory, for rebuilding Redis. */
export interface LedgerEvent {
  event: LedgerEventConfig;
  /** The definition's version; 0 for a row stored before definitions existed (defaults filled in). */
  version: number;
  shuffle: EventDefinition['shuffle'];
  /** From the inventory row: the cap and the tickets it holds (= the event's ticket rows). */
  ticketsTotal: number;
  ticketsSold: number;
}

export interface LedgerOrder {
  orderId: string;
  admissionId: string;
  entryId: string;
  quantity: number;
  /** As the buyer gave it; empty for an order rejected as INVALID. */
  buyerEmail: string;
  status: 'confirmed' | 'rejected';
  reason: RejectReason | null;
  /** In ticket order; empty for a rejected order. */
  tickets: { id: string; code: string }[];
}

/** What the worker does with an error: retry it, reject the order as INVALID, or give up on it. */
export type ErrorClass = 'transient' | 'invalid' | 'permanent';

/**
 * Thrown by persist for an order of an event whose cap the ledger cannot know yet: no inventory
 * row, no events row, and an intent without ticketsTotal (published before intents carried it). The
 * event's definition is on its way (the waiting room republishes it periodically): transient.
 */
export class EventNotInLedgerError extends Error {
  override readonly name = 'EventNotInLedgerError';
  constructor(readonly eventIds: readonly string[]) {
    super(`the ledger does not know the ticketsTotal of event(s) ${eventIds.join(', ')} yet`);
  }
}

/** An intent the store refuses before writing anything: its tickets do not match its quantity. */
export class InvalidIntentError extends Error {
  override readonly name = 'InvalidIntentError';
}

/** Throws InvalidIntentError for an intent that would store an order without all its tickets. */
export function assertTicketsMatchQuantity(intents: readonly PurchaseIntent[]): void {
  for (const intent of intents) {
    if (intent.tickets.length !== intent.quantity)
      throw new InvalidIntentError(
        `order ${intent.orderId}: ${intent.tickets.length} tickets for quantity ${intent.quantity}`,
      );
  }
}

/**
 * What the worker needs from a database, and all it may use. Every dialect specific (upsert syntax,
 * array binding, error codes) lives behind this interface in one implementation per database, so
 * moving from Cloud SQL to Spanner is a new implementation, not a change to the worker.
 */
export interface OrderStore {
  readonly kind: 'postgres' | 'spanner';
  /**
   * Persists a batch in one transaction and answers one outcome per distinct order id. Within the
   * same transaction the event's inventory grows by the confirmed quantities; an order that would
   * pass ticketsTotal is stored rejected (SOLD_OUT), allocating in order-id order. Idempotent: an
   * order already stored is reported with its stored status (written: false), an order whose
   * admission holds another order id is a conflict, and a replay changes nothing. Throws
   * EventNotInLedgerError (transient) when an event's ticketsTotal is not known yet.
   */
  persist(intents: readonly PurchaseIntent[]): Promise<PersistResult>;
  /**
   * Stores rejected rows, without tickets, for orders the worker rejects itself (INVALID after a data
   * error, FAILED after bounded attempts), so a redelivery answers rejected. For INVALID the buyer
   * fields are stored empty (the given ones may be what the database refused). Idempotent: an order
   * already stored keeps its status, and that status is what its outcome reports.
   */
  recordRejected(
    orders: readonly { intent: PurchaseIntent; reason: RejectReason }[],
  ): Promise<OrderOutcome[]>;
  /**
   * Stores an event definition if its version is newer than the stored one (or none is stored), and
   * creates the event's inventory row if it is missing (an existing row's ticketsTotal never
   * changes). Answers whether the definition was stored.
   */
  upsertEvent(definition: EventDefinition): Promise<{ stored: boolean }>;
  /** Ledger read (rebuilding Redis, not the hot path): every event with its inventory. */
  listEvents(): Promise<LedgerEvent[]>;
  readEvent(eventId: string): Promise<LedgerEvent | null>;
  /**
   * The event's inventory row alone (it exists before the event's definition does when an order
   * came first): what the cap allows and what it holds. Null when the ledger has no row yet.
   */
  readInventory(eventId: string): Promise<{ ticketsTotal: number; ticketsSold: number } | null>;
  /** Ledger read: up to `limit` orders of an event with ids after `afterOrderId`, in order-id order. */
  pageOrders(eventId: string, afterOrderId: string | null, limit: number): Promise<LedgerOrder[]>;
  /** Reconciliation: tickets persisted per event. */
  ticketsPersisted(eventId: string): Promise<number>;
  /**
   * Audit of one event (reconcile command, end-to-end checks). Scans the event's rows: not for a hot
   * path.
   */
  auditEvent(eventId: string): Promise<EventAudit>;
  /**
   * transient: the same call may succeed later (connection loss, serialization, lock, failover, an
   * event not known yet); invalid: the data is what the database refused (a NUL byte in text, a
   * check or not-null violation); permanent: anything else.
   */
  classifyError(err: unknown): ErrorClass;
  /** classifyError(err) === 'transient'. */
  isTransientError(err: unknown): boolean;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Entries with duplicate order ids removed (first kept), sorted by order id. */
export function uniqueRejections<T extends { intent: PurchaseIntent }>(entries: readonly T[]): T[] {
  const byId = new Map<string, T>();
  for (const entry of entries)
    if (!byId.has(entry.intent.orderId)) byId.set(entry.intent.orderId, entry);
  return [...byId.values()].sort((a, b) =>
    a.intent.orderId < b.intent.orderId ? -1 : a.intent.orderId > b.intent.orderId ? 1 : 0,
  );
}

/** The highest ticketsTotal the intents of each event carry; absent for events none carries it. */
export function intentTotals(intents: readonly PurchaseIntent[]): Map<string, number | null> {
  const totals = new Map<string, number | null>();
  for (const intent of intents) {
    const known = totals.get(intent.eventId) ?? null;
    const given = intent.ticketsTotal ?? null;
    totals.set(
      intent.eventId,
      known === null ? given : given === null ? known : Math.max(known, given),
    );
  }
  return totals;
}

/**
 * Orders of a batch with duplicates (same order id) removed, first occurrence kept, sorted by order
 * id. Two batches that share orders (a redelivery racing its original on another replica) then take
 * their row locks in the same order and wait for each other instead of deadlocking, and the
 * allocation of the last tickets is the same whichever replica runs it.
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

/** What an order already stored says about itself, as read back by id. */
export interface StoredOrderStatus {
  status: 'confirmed' | 'rejected';
  reason: RejectReason | null;
}

/** The outcome of an order that this call did not write: its stored status, or a conflict. */
export function storedOutcome(
  orderId: string,
  stored: StoredOrderStatus | undefined,
): OrderOutcome {
  if (!stored) return { orderId, status: 'conflict' };
  if (stored.status === 'confirmed') return { orderId, status: 'confirmed', written: false };
  // A rejected row always has a reason (orders_status_reason); FAILED if a row ever lacks one.
  return { orderId, status: 'rejected', reason: stored.reason ?? 'FAILED', written: false };
}

/**
 * The ledger's cap, allocated order by order in the given (order-id) order: an order fits while the
 * event's sold + its quantity stays within the total. Mutates `inventory`; returns the order ids that
 * do not fit.
 */
export function allocate(
  intents: readonly PurchaseIntent[],
  inventory: Map<string, { ticketsTotal: number; ticketsSold: number }>,
): Set<string> {
  const soldOut = new Set<string>();
  for (const intent of intents) {
    const row = inventory.get(intent.eventId);
    if (!row) throw new Error(`no inventory for event ${intent.eventId}`);
    if (row.ticketsSold + intent.quantity <= row.ticketsTotal) row.ticketsSold += intent.quantity;
    else soldOut.add(intent.orderId);
  }
  return soldOut;
}
