import type { EventEmitter } from 'node:events';
import type { PurchaseIntent } from '@frequency/contracts';
import { Spanner, type Database, type Transaction } from '@google-cloud/spanner';
import type { NewEventRow } from './schema.js';
import { createSpannerClient, grpcCode, type SpannerLocation } from './spanner-admin.js';
import { uniqueByOrderId, type EventAudit, type OrderStore, type PersistResult } from './store.js';

/** gRPC status codes (google.rpc.Code) this store acts on. */
const code = {
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  RESOURCE_EXHAUSTED: 8,
  ABORTED: 10,
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
 * A persist that fails with ALREADY_EXISTS is run again this many times in all. The first attempt
 * reads only the order keys; ALREADY_EXISTS means a row it did not read took a unique value first
 * (an order of another batch committed in between, or another order id for the same admission), so
 * the retry also reads the admission index and skips those orders, as Postgres's ON CONFLICT DO
 * NOTHING does. One still failing after that is a real conflict (a ticket id or code reused).
 */
const alreadyExistsAttempts = 3;

interface OrderMutation {
  id: string;
  event_id: string;
  admission_id: string;
  entry_id: string;
  quantity: number;
  buyer_name: string;
  buyer_email: string;
  status: 'confirmed';
  reserved_at: string;
  persisted_at: typeof Spanner.COMMIT_TIMESTAMP;
}

interface TicketMutation {
  order_id: string;
  ordinal: number;
  id: string;
  event_id: string;
  code: string;
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

/** One column of rows read with `json: true`, as strings (the keys this store reads are STRING). */
function stringColumn(rows: unknown[], column: string): Set<string> {
  const out = new Set<string>();
  for (const row of rows) {
    if (typeof row === 'object' && row !== null && column in row) {
      const value: unknown = (row as Record<string, unknown>)[column];
      if (typeof value === 'string') out.add(value);
    }
  }
  return out;
}

/**
 * The Spanner store: same contract as the Postgres store, written with mutations.
 *
 * A batch is one read-write transaction: one read of the batch's order keys (which of them are
 * stored already), then `insert` mutations for the new orders and their tickets, buffered and sent
 * with the commit. Mutations are the cheapest write Spanner has (no DML round trip per statement,
 * no query planning), and `insert` fails the whole commit with ALREADY_EXISTS rather than
 * overwrite, so nothing stored is ever changed. The read takes shared locks on the keys, so a
 * concurrent batch inserting one of them aborts one of the two transactions; the client retries
 * ABORTED itself, and the retry reads the winner's rows and skips them.
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
    if (intents.length === 0)
      return { ordersInserted: 0, ticketsInserted: 0, duplicates: batch.length };
    for (let attempt = 1; ; attempt += 1) {
      try {
        const written = await this.persistOnce(intents, attempt > 1);
        return { ...written, duplicates: batch.length - written.ordersInserted };
      } catch (err) {
        if (grpcCode(err) !== code.ALREADY_EXISTS || attempt >= alreadyExistsAttempts) throw err;
      }
    }
  }

  private persistOnce(
    intents: readonly PurchaseIntent[],
    checkAdmissions: boolean,
  ): Promise<Omit<PersistResult, 'duplicates'>> {
    return this.database.runTransactionAsync({ timeout: this.transactionTimeoutMs }, async (tx) => {
      const [storedRows] = await tx.read('orders', {
        keys: intents.map((intent) => intent.orderId),
        columns: ['id'],
        json: true,
      });
      const stored = stringColumn(storedRows, 'id');
      const takenAdmissions = checkAdmissions
        ? await this.admissionsTaken(tx, intents)
        : new Set<string>();
      // One order per admission, within the batch too: the first order of an admission wins.
      const fresh: PurchaseIntent[] = [];
      for (const intent of intents) {
        if (stored.has(intent.orderId) || takenAdmissions.has(intent.admissionId)) continue;
        takenAdmissions.add(intent.admissionId);
        fresh.push(intent);
      }
      const ticketRows: TicketMutation[] = [];
      if (fresh.length > 0) {
        const orderRows = fresh.map((intent): OrderMutation => ({
          id: intent.orderId,
          event_id: intent.eventId,
          admission_id: intent.admissionId,
          entry_id: intent.entryId,
          quantity: intent.quantity,
          buyer_name: intent.buyer.name,
          buyer_email: intent.buyer.email,
          status: 'confirmed',
          reserved_at: toSpannerTimestamp(intent.reservedAt),
          persisted_at: Spanner.COMMIT_TIMESTAMP,
        }));
        for (const intent of fresh) {
          intent.tickets.forEach((ticket, ordinal) => {
            ticketRows.push({
              order_id: intent.orderId,
              ordinal,
              id: ticket.id,
              event_id: intent.eventId,
              code: ticket.code,
            });
          });
        }
        tx.insert('orders', orderRows);
        tx.insert('tickets', ticketRows);
      }
      // Committed even when nothing is new: it releases the read locks at once.
      await tx.commit();
      return { ordersInserted: fresh.length, ticketsInserted: ticketRows.length };
    });
  }

  private async admissionsTaken(
    tx: Transaction,
    intents: readonly PurchaseIntent[],
  ): Promise<Set<string>> {
    const [rows] = await tx.read('orders', {
      index: 'orders_admission_id_unique',
      keys: intents.map((intent) => intent.admissionId),
      columns: ['admission_id'],
      json: true,
    });
    return stringColumn(rows, 'admission_id');
  }

  async upsertEvent(event: NewEventRow): Promise<void> {
    const fields = {
      id: event.id,
      name: event.name,
      venue: event.venue,
      tickets_total: event.ticketsTotal,
      max_per_order: event.maxPerOrder,
      opens_at: event.opensAt,
    };
    await this.database.runTransactionAsync({ timeout: this.transactionTimeoutMs }, async (tx) => {
      const [rows] = await tx.read('events', { keys: [event.id], columns: ['id'], json: true });
      if (rows.length > 0) {
        // Like the Postgres upsert: descriptive fields change, created_at stays.
        tx.update('events', fields);
      } else {
        tx.insert('events', {
          ...fields,
          created_at: event.createdAt ?? Spanner.COMMIT_TIMESTAMP,
        });
      }
      await tx.commit();
    });
  }

  async ticketsPersisted(eventId: string): Promise<number> {
    // A strong single-use read of the event index alone: no lock, no table scan.
    const [rows] = await this.database.run({
      sql: 'SELECT COUNT(*) AS n FROM tickets@{FORCE_INDEX=tickets_event_id_idx} WHERE event_id = @eventId',
      params: { eventId },
      json: true,
    });
    const first: unknown = rows[0];
    if (typeof first === 'object' && first !== null && 'n' in first) return Number(first.n);
    return 0;
  }

  async auditEvent(eventId: string): Promise<EventAudit> {
    // Scans the event's rows (through the event indexes, back-joining for quantity and code): for the
    // reconcile command and end-to-end checks, never the hot path. A strong read, no locks.
    const [rows] = await this.database.run({
      sql: `SELECT
              (SELECT COUNT(*) FROM orders@{FORCE_INDEX=orders_event_id_idx} WHERE event_id = @eventId) AS orders,
              (SELECT IFNULL(SUM(quantity), 0) FROM orders@{FORCE_INDEX=orders_event_id_idx} WHERE event_id = @eventId) AS ticketsOrdered,
              (SELECT COUNT(*) FROM tickets@{FORCE_INDEX=tickets_event_id_idx} WHERE event_id = @eventId) AS tickets,
              (SELECT COUNT(DISTINCT code) FROM tickets@{FORCE_INDEX=tickets_event_id_idx} WHERE event_id = @eventId) AS distinctCodes`,
      params: { eventId },
      json: true,
    });
    const row: unknown = rows[0];
    const figure = (name: keyof EventAudit): number =>
      typeof row === 'object' && row !== null && name in row
        ? Number((row as Record<string, unknown>)[name] ?? 0)
        : 0;
    return {
      orders: figure('orders'),
      ticketsOrdered: figure('ticketsOrdered'),
      tickets: figure('tickets'),
      distinctCodes: figure('distinctCodes'),
    };
  }

  isTransientError(err: unknown): boolean {
    const status = grpcCode(err);
    if (status === undefined) return false;
    if (transientCodes.has(status)) return true;
    const message = err instanceof Error ? err.message : '';
    // A session the backend dropped, or a stream reset by a proxy: a new attempt gets a new one.
    if (status === code.NOT_FOUND) return /Session not found/i.test(message);
    if (status === code.INTERNAL)
      return /RST_STREAM|Received unexpected EOS|Connection closed/i.test(message);
    return false;
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
