import type { EventEmitter } from 'node:events';
import type { EventDefinition, PurchaseIntent, RejectReason } from '@frequency/contracts';
import { Spanner, type Database, type Transaction } from '@google-cloud/spanner';
import { createSpannerClient, grpcCode, type SpannerLocation } from './spanner-admin.js';
import {
  allocate,
  assertTicketsMatchQuantity,
  EventNotInLedgerError,
  intentTotals,
  InvalidIntentError,
  storedOutcome,
  uniqueByOrderId,
  uniqueRejections,
  type ErrorClass,
  type EventAudit,
  type LedgerEvent,
  type LedgerOrder,
  type OrderOutcome,
  type OrderStore,
  type PersistResult,
  type StoredOrderStatus,
} from './store.js';

/** gRPC status codes (google.rpc.Code) this store acts on. */
const code = {
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  RESOURCE_EXHAUSTED: 8,
  ABORTED: 10,
  INVALID_ARGUMENT: 3,
  FAILED_PRECONDITION: 9,
  OUT_OF_RANGE: 11,
  INTERNAL: 13,
  UNAVAILABLE: 14,
} as const;

/** Codes after which the same call may succeed later: contention, overload, a moving split, failover. */
const transientCodes = new Set<number>([
  code.ABORTED,
  code.UNAVAILABLE,
  code.DEADLINE_EXCEEDED,
  code.RESOURCE_EXHAUSTED,
]);

/**
 * Codes that mean "this data": a value of the wrong shape (INVALID_ARGUMENT), a NOT NULL column
 * without one (FAILED_PRECONDITION), a CHECK constraint violated (OUT_OF_RANGE).
 */
const invalidCodes = new Set<number>([
  code.INVALID_ARGUMENT,
  code.FAILED_PRECONDITION,
  code.OUT_OF_RANGE,
]);

export interface SpannerStoreOptions {
  /**
   * Bound on one persist transaction including the client's own retries of ABORTED (its default is
   * an hour). 30 s matches the Postgres store's statement_timeout: past it the worker nacks and the
   * message comes back with backoff. The client then throws DEADLINE_EXCEEDED, a transient error.
   */
  transactionTimeoutMs?: number;
  /** Readiness probe bound: the client retries UNAVAILABLE on its own far longer than a probe may take. */
  pingTimeoutMs?: number;
  /** Sessions kept by the client (one per concurrent transaction). */
  maxSessions?: number;
}

/**
 * An RFC 3339 timestamp with any offset as the UTC "Z" string Spanner's mutations take, keeping every
 * fractional digit (Postgres keeps microseconds; JS Date would cut them to milliseconds).
 */
export function toSpannerTimestamp(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})$/i.exec(iso);
  if (!match) throw new Error(`not an RFC 3339 timestamp: ${iso}`);
  const [, seconds = '', fraction = '', offset = 'Z'] = match;
  const utc = new Date(`${seconds}${offset.toUpperCase()}`).toISOString().slice(0, 19);
  return `${utc}${fraction}Z`;
}

type Row = Record<string, unknown>;

/** Rows read with `json: true` as plain objects. */
function rowsOf(rows: unknown[]): Row[] {
  return rows.filter((row): row is Row => typeof row === 'object' && row !== null);
}

function text(row: Row, column: string): string {
  const value = row[column];
  if (typeof value !== 'string') throw new Error(`column ${column} is not a string`);
  return value;
}

function nullableText(row: Row, column: string): string | null {
  const value = row[column];
  return typeof value === 'string' ? value : null;
}

function integer(row: Row, column: string): number {
  const value = row[column];
  if (value === null || value === undefined) throw new Error(`column ${column} is null`);
  return Number(value);
}

function nullableInteger(row: Row, column: string): number | null {
  const value = row[column];
  return value === null || value === undefined ? null : Number(value);
}

function storedStatus(row: Row): StoredOrderStatus {
  return {
    status: text(row, 'status') === 'rejected' ? 'rejected' : 'confirmed',
    reason: nullableText(row, 'reason') as RejectReason | null,
  };
}

interface InventoryRow {
  ticketsTotal: number;
  ticketsSold: number;
  /** false: created by this transaction (an insert mutation), true: read (an update mutation). */
  stored: boolean;
}

interface OrderRowMutation {
  id: string;
  event_id: string;
  admission_id: string;
  entry_id: string;
  quantity: number;
  buyer_name: string;
  buyer_email: string;
  status: 'confirmed' | 'rejected';
  reason: RejectReason | null;
  reserved_at: string;
  persisted_at: typeof Spanner.COMMIT_TIMESTAMP;
}

function orderRow(
  intent: PurchaseIntent,
  status: 'confirmed' | 'rejected',
  reason: RejectReason | null,
): OrderRowMutation {
  // An order rejected as INVALID keeps no buyer: the given fields may be what was refused.
  const blank = reason === 'INVALID';
  return {
    id: intent.orderId,
    event_id: intent.eventId,
    admission_id: intent.admissionId,
    entry_id: intent.entryId,
    quantity: intent.quantity,
    buyer_name: blank ? '' : intent.buyer.name,
    buyer_email: blank ? '' : intent.buyer.email,
    status,
    reason,
    reserved_at: toSpannerTimestamp(intent.reservedAt),
    persisted_at: Spanner.COMMIT_TIMESTAMP,
  };
}

function ticketRows(intents: readonly PurchaseIntent[]) {
  return intents.flatMap((intent) =>
    intent.tickets.map((ticket, ordinal) => ({
      order_id: intent.orderId,
      ordinal,
      id: ticket.id,
      event_id: intent.eventId,
      code: ticket.code,
    })),
  );
}

const eventColumns = `e.id, e.name, e.venue, e.tickets_total, e.max_per_order, e.opens_at,
  e.admission_rate_per_second, e.max_active_checkouts, e.paused, e.join_challenge_bits,
  e.max_per_buyer, e.checkout_window_seconds, e.version, e.shuffle_seed, e.shuffle_commitment,
  i.tickets_total AS inventory_total, i.tickets_sold AS inventory_sold`;

function toLedgerEvent(row: Row): LedgerEvent {
  const opensAt = row.opens_at;
  const seed = nullableText(row, 'shuffle_seed');
  const commitment = nullableText(row, 'shuffle_commitment');
  const ticketsTotal = integer(row, 'tickets_total');
  return {
    event: {
      id: text(row, 'id'),
      name: text(row, 'name'),
      venue: text(row, 'venue'),
      ticketsTotal,
      maxPerOrder: integer(row, 'max_per_order'),
      // A PreciseDate would print nanoseconds; the contract's ISO form has milliseconds.
      opensAt: new Date(
        opensAt instanceof Date ? opensAt.getTime() : Date.parse(String(opensAt)),
      ).toISOString(),
      admissionRatePerSecond: Number(row.admission_rate_per_second),
      maxActiveCheckouts: integer(row, 'max_active_checkouts'),
      paused: row.paused === true,
      joinChallengeBits: integer(row, 'join_challenge_bits'),
      maxPerBuyer: integer(row, 'max_per_buyer'),
      checkoutWindowSeconds: integer(row, 'checkout_window_seconds'),
    },
    version: integer(row, 'version'),
    shuffle: seed !== null && commitment !== null ? { seed, commitment } : null,
    ticketsTotal: nullableInteger(row, 'inventory_total') ?? ticketsTotal,
    ticketsSold: nullableInteger(row, 'inventory_sold') ?? 0,
  };
}

/**
 * The Spanner store: same contract as the Postgres store, written with mutations.
 *
 * A batch is one read-write transaction: it reads the batch's inventory rows, the orders stored
 * under its order ids and under its admissions (the unique index), allocates the new orders in
 * order-id order against the inventory (an order that does not fit is stored rejected SOLD_OUT),
 * then buffers `insert` mutations for the orders and the confirmed orders' tickets and an update of
 * tickets_sold, sent with the commit. Mutations are the cheapest write Spanner has (no DML round
 * trip per statement, no query planning), and `insert` fails the whole commit with ALREADY_EXISTS
 * rather than overwrite, so nothing stored is ever changed. The reads take shared locks on every
 * key they read, present or not, so a concurrent batch writing one of them (the same inventory row
 * above all) aborts one of the two transactions; the client retries ABORTED itself, and the retry
 * reads the winner's rows. The inventory's CHECK (tickets_sold <= tickets_total) holds the cap in
 * the database besides. "written" in an outcome means inserted by the transaction that committed.
 */
export class SpannerStore implements OrderStore {
  readonly kind = 'spanner' as const;
  private readonly transactionTimeoutMs: number;
  private readonly pingTimeoutMs: number;

  private constructor(
    private readonly spanner: Spanner,
    private readonly database: Database,
    options: SpannerStoreOptions,
  ) {
    this.transactionTimeoutMs = options.transactionTimeoutMs ?? 30_000;
    this.pingTimeoutMs = options.pingTimeoutMs ?? 3_000;
  }

  static open(location: SpannerLocation, options: SpannerStoreOptions = {}): SpannerStore {
    const spanner = createSpannerClient(location);
    const database = spanner
      .instance(location.instance)
      .database(location.database, { max: options.maxSessions ?? 100 });
    // Session pool errors (a failed session refill) are emitted on the Database; unhandled they would
    // end the process. The next call fails with the cause and the worker retries or goes unready.
    // Database is an EventEmitter whose typings come from an untyped base class.
    (database as unknown as EventEmitter).on('error', () => undefined);
    return new SpannerStore(spanner, database, options);
  }

  async persist(batch: readonly PurchaseIntent[]): Promise<PersistResult> {
    const intents = uniqueByOrderId(batch);
    if (intents.length === 0) return { outcomes: [], ordersInserted: 0, ticketsInserted: 0 };
    assertTicketsMatchQuantity(intents);
    return this.database.runTransactionAsync({ timeout: this.transactionTimeoutMs }, async (tx) => {
      const inventory = await this.lockInventory(tx, intents);
      const { stored, fresh, conflicts } = await this.sortOut(tx, intents);
      const soldOut = allocate(fresh, inventory);
      const confirmed = fresh.filter((intent) => !soldOut.has(intent.orderId));
      const tickets = ticketRows(confirmed);
      if (fresh.length > 0) {
        tx.insert(
          'orders',
          fresh.map((intent) =>
            soldOut.has(intent.orderId)
              ? orderRow(intent, 'rejected', 'SOLD_OUT')
              : orderRow(intent, 'confirmed', null),
          ),
        );
        if (tickets.length > 0) tx.insert('tickets', tickets);
      }
      this.writeInventory(tx, inventory, confirmed);
      // Committed even when nothing is new: it releases the read locks at once.
      await tx.commit();
      const outcomes = intents.map((intent): OrderOutcome => {
        if (conflicts.has(intent.orderId)) return { orderId: intent.orderId, status: 'conflict' };
        const known = stored.get(intent.orderId);
        if (known) return storedOutcome(intent.orderId, known);
        return soldOut.has(intent.orderId)
          ? { orderId: intent.orderId, status: 'rejected', reason: 'SOLD_OUT', written: true }
          : { orderId: intent.orderId, status: 'confirmed', written: true };
      });
      return { outcomes, ordersInserted: fresh.length, ticketsInserted: tickets.length };
    });
  }

  /**
   * The inventory rows of the batch's events, creating missing ones (from the events row, else the
   * intents' ticketsTotal) counted from the tickets already stored, never more than the total.
   */
  private async lockInventory(
    tx: Transaction,
    intents: readonly PurchaseIntent[],
  ): Promise<Map<string, InventoryRow>> {
    const totals = intentTotals(intents);
    const eventIds = [...totals.keys()].sort();
    const [rows] = await tx.read('event_inventory', {
      keys: eventIds,
      columns: ['event_id', 'tickets_total', 'tickets_sold'],
      json: true,
    });
    const inventory = new Map<string, InventoryRow>();
    for (const row of rowsOf(rows)) {
      inventory.set(text(row, 'event_id'), {
        ticketsTotal: integer(row, 'tickets_total'),
        ticketsSold: integer(row, 'tickets_sold'),
        stored: true,
      });
    }
    const missing = eventIds.filter((id) => !inventory.has(id));
    if (missing.length === 0) return inventory;
    const [eventRows] = await tx.read('events', {
      keys: missing,
      columns: ['id', 'tickets_total'],
      json: true,
    });
    const defined = new Map(
      rowsOf(eventRows).map((row) => [text(row, 'id'), integer(row, 'tickets_total')]),
    );
    const unknown = missing.filter((id) => (defined.get(id) ?? totals.get(id) ?? null) === null);
    if (unknown.length > 0) throw new EventNotInLedgerError(unknown);
    for (const eventId of missing) {
      const ticketsTotal = defined.get(eventId) ?? totals.get(eventId) ?? 0;
      const existing = await this.countTickets(tx, eventId);
      inventory.set(eventId, {
        ticketsTotal,
        ticketsSold: Math.min(ticketsTotal, existing),
        stored: false,
      });
    }
    return inventory;
  }

  private async countTickets(tx: Transaction, eventId: string): Promise<number> {
    const [rows] = await tx.run({
      sql: 'SELECT COUNT(*) AS n FROM tickets@{FORCE_INDEX=tickets_event_id_idx} WHERE event_id = @eventId',
      params: { eventId },
      json: true,
    });
    const [row] = rowsOf(rows);
    return row ? integer(row, 'n') : 0;
  }

  private writeInventory(
    tx: Transaction,
    inventory: Map<string, InventoryRow>,
    confirmed: readonly PurchaseIntent[],
  ): void {
    const changed = new Set(confirmed.map((intent) => intent.eventId));
    for (const [eventId, row] of inventory) {
      const values = {
        event_id: eventId,
        tickets_total: row.ticketsTotal,
        tickets_sold: row.ticketsSold,
      };
      if (!row.stored) tx.insert('event_inventory', values);
      else if (changed.has(eventId))
        tx.update('event_inventory', { event_id: eventId, tickets_sold: row.ticketsSold });
    }
  }

  /**
   * Which orders of the batch are stored already (by id), which conflict (their admission holds
   * another order id, stored or earlier in this batch), and which are new.
   */
  private async sortOut(
    tx: Transaction,
    intents: readonly PurchaseIntent[],
  ): Promise<{
    stored: Map<string, StoredOrderStatus>;
    fresh: PurchaseIntent[];
    conflicts: Set<string>;
  }> {
    const [byIdRows] = await tx.read('orders', {
      keys: intents.map((intent) => intent.orderId),
      columns: ['id', 'status', 'reason'],
      json: true,
    });
    const stored = new Map(rowsOf(byIdRows).map((row) => [text(row, 'id'), storedStatus(row)]));
    const [byAdmissionRows] = await tx.read('orders', {
      index: 'orders_admission_id_unique',
      keys: intents.map((intent) => intent.admissionId),
      columns: ['admission_id', 'id'],
      json: true,
    });
    const holder = new Map(
      rowsOf(byAdmissionRows).map((row) => [text(row, 'admission_id'), text(row, 'id')]),
    );
    const fresh: PurchaseIntent[] = [];
    const conflicts = new Set<string>();
    for (const intent of intents) {
      if (stored.has(intent.orderId)) continue;
      const taken = holder.get(intent.admissionId);
      if (taken !== undefined && taken !== intent.orderId) {
        conflicts.add(intent.orderId);
        continue;
      }
      // One order per admission, within the batch too: the first order id of an admission wins.
      holder.set(intent.admissionId, intent.orderId);
      fresh.push(intent);
    }
    return { stored, fresh, conflicts };
  }

  async recordRejected(
    batch: readonly { intent: PurchaseIntent; reason: RejectReason }[],
  ): Promise<OrderOutcome[]> {
    const entries = uniqueRejections(batch);
    if (entries.length === 0) return [];
    const intents = entries.map((entry) => entry.intent);
    return this.database.runTransactionAsync({ timeout: this.transactionTimeoutMs }, async (tx) => {
      const { stored, fresh, conflicts } = await this.sortOut(tx, intents);
      const freshIds = new Set(fresh.map((intent) => intent.orderId));
      const rows = entries
        .filter((entry) => freshIds.has(entry.intent.orderId))
        .map((entry) => orderRow(entry.intent, 'rejected', entry.reason));
      if (rows.length > 0) tx.insert('orders', rows);
      await tx.commit();
      return entries.map(({ intent, reason }): OrderOutcome => {
        if (conflicts.has(intent.orderId)) return { orderId: intent.orderId, status: 'conflict' };
        if (freshIds.has(intent.orderId))
          return { orderId: intent.orderId, status: 'rejected', reason, written: true };
        return storedOutcome(intent.orderId, stored.get(intent.orderId));
      });
    });
  }

  async upsertEvent(definition: EventDefinition): Promise<{ stored: boolean }> {
    const { event, version, shuffle } = definition;
    const fields = {
      id: event.id,
      name: event.name,
      venue: event.venue,
      tickets_total: event.ticketsTotal,
      max_per_order: event.maxPerOrder,
      opens_at: toSpannerTimestamp(event.opensAt),
      // A JS number would be sent as INT64 text, which a FLOAT64 column refuses.
      admission_rate_per_second: Spanner.float(event.admissionRatePerSecond),
      max_active_checkouts: event.maxActiveCheckouts,
      paused: event.paused,
      join_challenge_bits: event.joinChallengeBits,
      max_per_buyer: event.maxPerBuyer,
      checkout_window_seconds: event.checkoutWindowSeconds,
      version,
      shuffle_seed: shuffle?.seed ?? null,
      shuffle_commitment: shuffle?.commitment ?? null,
      updated_at: new Date(),
    };
    return this.database.runTransactionAsync({ timeout: this.transactionTimeoutMs }, async (tx) => {
      const [rows] = await tx.read('events', {
        keys: [event.id],
        columns: ['id', 'version'],
        json: true,
      });
      const [current] = rowsOf(rows);
      const newer = !current || integer(current, 'version') < version;
      if (current && newer) tx.update('events', fields);
      else if (!current) tx.insert('events', { ...fields, created_at: Spanner.COMMIT_TIMESTAMP });
      const [inventory] = await tx.read('event_inventory', {
        keys: [event.id],
        columns: ['event_id'],
        json: true,
      });
      if (inventory.length === 0) {
        const existing = await this.countTickets(tx, event.id);
        tx.insert('event_inventory', {
          event_id: event.id,
          tickets_total: event.ticketsTotal,
          tickets_sold: Math.min(event.ticketsTotal, existing),
        });
      }
      await tx.commit();
      return { stored: newer };
    });
  }

  async listEvents(): Promise<LedgerEvent[]> {
    const [rows] = await this.database.run({
      sql: `SELECT ${eventColumns} FROM events e LEFT JOIN event_inventory i ON i.event_id = e.id ORDER BY e.id`,
      json: true,
    });
    return rowsOf(rows).map(toLedgerEvent);
  }

  async readInventory(
    eventId: string,
  ): Promise<{ ticketsTotal: number; ticketsSold: number } | null> {
    const [rows] = await this.database.run({
      sql: 'SELECT tickets_total, tickets_sold FROM event_inventory WHERE event_id = @eventId',
      params: { eventId },
      json: true,
    });
    const [row] = rowsOf(rows);
    return row
      ? { ticketsTotal: integer(row, 'tickets_total'), ticketsSold: integer(row, 'tickets_sold') }
      : null;
  }

  async readEvent(eventId: string): Promise<LedgerEvent | null> {
    const [rows] = await this.database.run({
      sql: `SELECT ${eventColumns} FROM events e LEFT JOIN event_inventory i ON i.event_id = e.id WHERE e.id = @eventId`,
      params: { eventId },
      json: true,
    });
    const [row] = rowsOf(rows);
    return row ? toLedgerEvent(row) : null;
  }

  async pageOrders(
    eventId: string,
    afterOrderId: string | null,
    limit: number,
  ): Promise<LedgerOrder[]> {
    // One snapshot for both reads; the page walks orders_event_id_idx (event_id, id) in key order,
    // its tickets are the key ranges (order_id, ordinal) of the page's confirmed orders.
    const [snapshot] = await this.database.getSnapshot();
    try {
      const [rows] = await snapshot.run({
        sql: `SELECT id, admission_id, entry_id, quantity, buyer_email, status, reason
              FROM orders@{FORCE_INDEX=orders_event_id_idx}
              WHERE event_id = @eventId${afterOrderId === null ? '' : ' AND id > @after'}
              ORDER BY id LIMIT @limit`,
        params: {
          eventId,
          limit: Math.max(0, Math.floor(limit)),
          ...(afterOrderId === null ? {} : { after: afterOrderId }),
        },
        json: true,
      });
      const page = rowsOf(rows);
      const confirmed = page.filter((row) => text(row, 'status') === 'confirmed');
      const ticketsByOrder = new Map<string, { id: string; code: string }[]>();
      if (confirmed.length > 0) {
        const [ticketRowsRead] = await snapshot.run({
          sql: 'SELECT order_id, id, code FROM tickets WHERE order_id IN UNNEST(@ids) ORDER BY order_id, ordinal',
          params: { ids: confirmed.map((row) => text(row, 'id')) },
          json: true,
        });
        for (const row of rowsOf(ticketRowsRead)) {
          const orderId = text(row, 'order_id');
          const list = ticketsByOrder.get(orderId) ?? [];
          list.push({ id: text(row, 'id'), code: text(row, 'code') });
          ticketsByOrder.set(orderId, list);
        }
      }
      return page.map((row): LedgerOrder => {
        const orderId = text(row, 'id');
        const { status, reason } = storedStatus(row);
        return {
          orderId,
          admissionId: text(row, 'admission_id'),
          entryId: text(row, 'entry_id'),
          quantity: integer(row, 'quantity'),
          buyerEmail: text(row, 'buyer_email'),
          status,
          reason,
          tickets: ticketsByOrder.get(orderId) ?? [],
        };
      });
    } finally {
      snapshot.end();
    }
  }

  async ticketsPersisted(eventId: string): Promise<number> {
    // A strong single-use read of the event index alone: no lock, no table scan.
    const [rows] = await this.database.run({
      sql: 'SELECT COUNT(*) AS n FROM tickets@{FORCE_INDEX=tickets_event_id_idx} WHERE event_id = @eventId',
      params: { eventId },
      json: true,
    });
    const [row] = rowsOf(rows);
    return row ? integer(row, 'n') : 0;
  }

  async auditEvent(eventId: string): Promise<EventAudit> {
    // Scans the event's rows (through the event indexes, back-joining for status, quantity and
    // code): for the reconcile command and end-to-end checks, never the hot path. A strong read.
    const [rows] = await this.database.run({
      sql: `SELECT
              (SELECT COUNT(*) FROM orders@{FORCE_INDEX=orders_event_id_idx} WHERE event_id = @eventId AND status = 'confirmed') AS orders,
              (SELECT IFNULL(SUM(quantity), 0) FROM orders@{FORCE_INDEX=orders_event_id_idx} WHERE event_id = @eventId AND status = 'confirmed') AS ticketsOrdered,
              (SELECT COUNT(*) FROM tickets@{FORCE_INDEX=tickets_event_id_idx} WHERE event_id = @eventId) AS tickets,
              (SELECT COUNT(DISTINCT code) FROM tickets@{FORCE_INDEX=tickets_event_id_idx} WHERE event_id = @eventId) AS distinctCodes,
              (SELECT COUNT(*) FROM orders@{FORCE_INDEX=orders_event_id_idx} WHERE event_id = @eventId AND status = 'rejected') AS rejected,
              (SELECT IFNULL(MAX(tickets_sold), 0) FROM event_inventory WHERE event_id = @eventId) AS ledgerSold`,
      params: { eventId },
      json: true,
    });
    const [row = {}] = rowsOf(rows);
    const figure = (name: keyof EventAudit): number => Number(row[name] ?? 0);
    return {
      orders: figure('orders'),
      ticketsOrdered: figure('ticketsOrdered'),
      tickets: figure('tickets'),
      distinctCodes: figure('distinctCodes'),
      rejected: figure('rejected'),
      ledgerSold: figure('ledgerSold'),
    };
  }

  classifyError(err: unknown): ErrorClass {
    if (err instanceof EventNotInLedgerError) return 'transient';
    if (err instanceof InvalidIntentError) return 'invalid';
    const status = grpcCode(err);
    if (status === undefined) return 'permanent';
    if (transientCodes.has(status)) return 'transient';
    const message = err instanceof Error ? err.message : '';
    // A session the backend dropped, or a stream reset by a proxy: a new attempt gets a new one.
    if (status === code.NOT_FOUND && /Session not found/i.test(message)) return 'transient';
    if (
      status === code.INTERNAL &&
      /RST_STREAM|Received unexpected EOS|Connection closed/i.test(message)
    )
      return 'transient';
    if (invalidCodes.has(status)) return 'invalid';
    return 'permanent';
  }

  isTransientError(err: unknown): boolean {
    return this.classifyError(err) === 'transient';
  }

  async ping(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        reject(new Error(`Spanner did not answer within ${this.pingTimeoutMs} ms`));
      }, this.pingTimeoutMs);
    });
    try {
      await Promise.race([this.database.run('SELECT 1'), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    await this.database.close();
    await this.spanner.close();
  }
}
