import type { EventDefinition, PurchaseIntent, RejectReason } from '@frequency/contracts';
import { sql, type SQL } from 'drizzle-orm';
import { createDb, type DbHandle } from './client.js';
import { eventInventory, events, orders, tickets } from './schema.js';
import {
  allocate,
  assertTicketsMatchQuantity,
  EventNotInLedgerError,
  intentTotals,
  InvalidIntentError,
  uniqueRejections,
  storedOutcome,
  uniqueByOrderId,
  type ErrorClass,
  type EventAudit,
  type LedgerEvent,
  type LedgerOrder,
  type OrderOutcome,
  type OrderStore,
  type PersistResult,
  type StoredOrderStatus,
} from './store.js';

/**
 * Binds a whole JS array as one parameter (pg sends it as a Postgres array). A bare array in
 * drizzle's sql template would expand into one parameter per element, i.e. a row constructor.
 */
function array(values: readonly (string | number | null)[]): SQL {
  return sql`${sql.param(values)}`;
}

/**
 * SQLSTATEs that mean "try again": connection (08), serialization and deadlock (40), resources
 * (53), shutdown (57P0x), a statement cancelled by statement_timeout (57014: a lock or an outage),
 * lock not available (55P03).
 */
const transientSqlStates = /^(08|40|53|57P0|57014|55P03)/;
/**
 * SQLSTATEs that mean "this data": any data exception (class 22: a NUL byte in text is 22021, an
 * out-of-range number 22003), and the check and not-null violations (23514, 23502) of input columns.
 */
const invalidSqlStates = /^(22|23502|23514)/;
const transientNodeCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
]);

/** The cap's check constraint: a write that fails on it goes the slow, allocating way. */
const capConstraint = 'event_inventory_sold_within_total';

interface PgErrorFields {
  code?: string;
  constraint?: string;
  table?: string;
  column?: string;
}

/** The driver's error under drizzle's wrapper ("Failed query: …" keeps it as the cause). */
function driverError(err: unknown): PgErrorFields | undefined {
  for (
    let current: unknown = err, depth = 0;
    typeof current === 'object' && current !== null && depth < 5;
    depth += 1
  ) {
    if ('code' in current && typeof current.code === 'string') return current as PgErrorFields;
    current = 'cause' in current ? current.cause : undefined;
  }
  return undefined;
}

interface OrderColumns {
  id: string[];
  eventId: string[];
  admissionId: string[];
  entryId: string[];
  quantity: number[];
  buyerName: string[];
  buyerEmail: string[];
  status: string[];
  reason: (string | null)[];
  reservedAt: string[];
}

interface TicketColumns {
  id: string[];
  orderId: string[];
  eventId: string[];
  ordinal: number[];
  code: string[];
}

function orderColumns(
  rows: readonly { intent: PurchaseIntent; status: string; reason: string | null }[],
  blankBuyer: (reason: string | null) => boolean = () => false,
): OrderColumns {
  const o: OrderColumns = {
    id: [],
    eventId: [],
    admissionId: [],
    entryId: [],
    quantity: [],
    buyerName: [],
    buyerEmail: [],
    status: [],
    reason: [],
    reservedAt: [],
  };
  for (const { intent, status, reason } of rows) {
    const blank = blankBuyer(reason);
    o.id.push(intent.orderId);
    o.eventId.push(intent.eventId);
    o.admissionId.push(intent.admissionId);
    o.entryId.push(intent.entryId);
    o.quantity.push(intent.quantity);
    o.buyerName.push(blank ? '' : intent.buyer.name);
    o.buyerEmail.push(blank ? '' : intent.buyer.email);
    o.status.push(status);
    o.reason.push(reason);
    o.reservedAt.push(intent.reservedAt);
  }
  return o;
}

function ticketColumns(intents: readonly PurchaseIntent[]): TicketColumns {
  const t: TicketColumns = { id: [], orderId: [], eventId: [], ordinal: [], code: [] };
  for (const intent of intents) {
    intent.tickets.forEach((ticket, ordinal) => {
      t.id.push(ticket.id);
      t.orderId.push(intent.orderId);
      t.eventId.push(intent.eventId);
      t.ordinal.push(ordinal);
      t.code.push(ticket.code);
    });
  }
  return t;
}

/** The batch's events in event-id order (the order every path locks inventory rows in), with the ticketsTotal its intents carry. */
function batchEvents(intents: readonly PurchaseIntent[]): {
  eventId: string[];
  intentTotal: (number | null)[];
} {
  const totals = intentTotals(intents);
  const eventId = [...totals.keys()].sort();
  return { eventId, intentTotal: eventId.map((id) => totals.get(id) ?? null) };
}

/** The unnest of an OrderColumns as a row source `u`. */
function orderSource(o: OrderColumns): SQL {
  return sql`unnest(${array(o.id)}::text[], ${array(o.eventId)}::text[], ${array(o.admissionId)}::text[], ${array(o.entryId)}::text[],
                    ${array(o.quantity)}::smallint[], ${array(o.buyerName)}::text[], ${array(o.buyerEmail)}::text[],
                    ${array(o.status)}::text[], ${array(o.reason)}::text[], ${array(o.reservedAt)}::timestamptz[])
          as u(id, event_id, admission_id, entry_id, quantity, buyer_name, buyer_email, status, reason, reserved_at)`;
}

function ticketSource(t: TicketColumns): SQL {
  return sql`unnest(${array(t.id)}::text[], ${array(t.orderId)}::text[], ${array(t.eventId)}::text[], ${array(t.ordinal)}::smallint[], ${array(t.code)}::text[])
          as u(id, order_id, event_id, ordinal, code)`;
}

/**
 * The tickets an inventory row starts from when it is created: the event's ticket rows already
 * stored (orders from before the ledger kept inventory), never more than the total, so a ledger
 * that already holds too many is sold out rather than refusing to create the row.
 */
function initialSold(total: SQL, eventId: SQL): SQL {
  return sql`least(${total}, (select count(*) from ${tickets} t where t.event_id = ${eventId}))::int`;
}

/**
 * A not-null violation on event_inventory.tickets_total: a new inventory row found no total in the
 * events row nor in the intents, i.e. the ledger cannot know the event's cap yet.
 */
function unknownEventOr(intents: readonly PurchaseIntent[], err: unknown): Error {
  const fields = driverError(err);
  if (fields?.code === '23502' && fields.table === 'event_inventory') {
    const unknown = intents.filter((i) => i.ticketsTotal === undefined).map((i) => i.eventId);
    return new EventNotInLedgerError([...new Set(unknown)].sort());
  }
  return err instanceof Error ? err : new Error(String(err));
}

// Type aliases, not interfaces: drizzle's execute<T> wants T assignable to Record<string, unknown>.
type InsertedOrder = {
  id: string;
  status: 'confirmed' | 'rejected';
  reason: RejectReason | null;
  quantity: number;
  tickets: number;
};

type EventRowRead = {
  id: string;
  name: string;
  venue: string;
  ticketsTotal: number;
  maxPerOrder: number;
  opensAt: Date;
  admissionRatePerSecond: number;
  maxActiveCheckouts: number;
  paused: boolean;
  joinChallengeBits: number;
  maxPerBuyer: number;
  checkoutWindowSeconds: number;
  version: number;
  shuffleSeed: string | null;
  shuffleCommitment: string | null;
  inventoryTotal: number | null;
  inventorySold: number | null;
};

function toLedgerEvent(row: EventRowRead): LedgerEvent {
  return {
    event: {
      id: row.id,
      name: row.name,
      venue: row.venue,
      ticketsTotal: row.ticketsTotal,
      maxPerOrder: row.maxPerOrder,
      opensAt: new Date(row.opensAt).toISOString(),
      admissionRatePerSecond: row.admissionRatePerSecond,
      maxActiveCheckouts: row.maxActiveCheckouts,
      paused: row.paused,
      joinChallengeBits: row.joinChallengeBits,
      maxPerBuyer: row.maxPerBuyer,
      checkoutWindowSeconds: row.checkoutWindowSeconds,
    },
    version: row.version,
    shuffle:
      row.shuffleSeed !== null && row.shuffleCommitment !== null
        ? { seed: row.shuffleSeed, commitment: row.shuffleCommitment }
        : null,
    ticketsTotal: row.inventoryTotal ?? row.ticketsTotal,
    ticketsSold: row.inventorySold ?? 0,
  };
}

/**
 * The Postgres store. Rows go in through `unnest` of one array per column: one statement per table
 * per batch whatever its size, with the SQL text constant (prepared once by Postgres), instead of
 * drizzle's `values()` builder that renders one placeholder per cell and is ~5x slower here.
 *
 * The cap: the common path is one statement that inserts the orders and their tickets and adds the
 * confirmed quantities to the event's inventory row, so the row's CHECK (tickets_sold <=
 * tickets_total) refuses the whole statement when the batch does not fit. Only then (SQLSTATE 23514
 * on that constraint) the slow path runs: one transaction that locks the inventory rows, allocates
 * order by order in order-id order and stores the orders that do not fit as rejected SOLD_OUT.
 * Concurrent batches on other connections or replicas serialize on the inventory row, and the CHECK
 * holds whatever runs.
 */
export class PostgresStore implements OrderStore {
  readonly kind = 'postgres' as const;
  private constructor(private readonly handle: DbHandle) {}

  static open(url: string, poolSize = 10): PostgresStore {
    return new PostgresStore(createDb(url, poolSize));
  }

  async persist(batch: readonly PurchaseIntent[]): Promise<PersistResult> {
    const intents = uniqueByOrderId(batch);
    if (intents.length === 0) return { outcomes: [], ordersInserted: 0, ticketsInserted: 0 };
    assertTicketsMatchQuantity(intents);
    let inserted: InsertedOrder[];
    try {
      inserted = await this.persistFitting(intents);
    } catch (err) {
      const fields = driverError(err);
      if (fields?.code !== '23514' || fields.constraint !== capConstraint)
        throw unknownEventOr(intents, err);
      try {
        inserted = await this.persistAllocating(intents);
      } catch (slowErr) {
        throw unknownEventOr(intents, slowErr);
      }
    }
    return this.outcomes(intents, inserted);
  }

  /**
   * The common path, one statement (one implicit transaction, one round trip): the orders insert
   * skips orders already stored (by id or admission), only tickets of orders inserted by this very
   * statement follow (without ON CONFLICT: a ticket id or code another order holds fails the
   * statement rather than confirm an order without it), and the event's inventory row is created
   * if missing and grows by the quantities inserted. Foreign keys and the CHECK hold at the end.
   */
  private async persistFitting(intents: readonly PurchaseIntent[]): Promise<InsertedOrder[]> {
    const o = orderColumns(
      intents.map((intent) => ({ intent, status: 'confirmed', reason: null })),
    );
    const t = ticketColumns(intents);
    const b = batchEvents(intents);
    const result = await this.handle.db.execute<InsertedOrder>(sql`
      with inserted_orders as (
        insert into ${orders} (id, event_id, admission_id, entry_id, quantity, buyer_name, buyer_email, status, reason, reserved_at)
        select id, event_id, admission_id, entry_id, quantity, buyer_name, buyer_email, status, reason, reserved_at
        from ${orderSource(o)}
        on conflict do nothing
        returning id, event_id, quantity
      ), inserted_tickets as (
        insert into ${tickets} (id, order_id, event_id, ordinal, code)
        select u.id, u.order_id, u.event_id, u.ordinal, u.code
        from ${ticketSource(t)}
        where u.order_id in (select id from inserted_orders)
        returning order_id
      ), sold as (
        select event_id, sum(quantity)::int as quantity from inserted_orders group by event_id
      ), bumped as (
        insert into ${eventInventory} (event_id, tickets_total, tickets_sold)
        select b.event_id, coalesce(i.tickets_total, e.tickets_total, b.intent_total),
               case when i.event_id is null
                    then ${initialSold(sql`coalesce(e.tickets_total, b.intent_total)`, sql`b.event_id`)}
                    else 0 end + coalesce(s.quantity, 0)
        from unnest(${array(b.eventId)}::text[], ${array(b.intentTotal)}::int[]) as b(event_id, intent_total)
        left join ${eventInventory} i on i.event_id = b.event_id
        left join ${events} e on e.id = b.event_id
        left join sold s on s.event_id = b.event_id
        -- A replay inserts nothing and leaves the row alone (no lock, no new row version).
        where s.quantity is not null or i.event_id is null
        order by b.event_id
        on conflict (event_id) do update
          set tickets_sold = ${eventInventory}.tickets_sold
            + coalesce((select s2.quantity from sold s2 where s2.event_id = excluded.event_id), 0)
        returning 1
      )
      select o.id, 'confirmed' as status, null as reason, o.quantity::int as quantity, count(t.order_id)::int as tickets
      from inserted_orders o left join inserted_tickets t on t.order_id = o.id
      group by o.id, o.quantity`);
    return result.rows;
  }

  /**
   * The slow path, when the batch does not fit whole: one transaction that creates missing
   * inventory rows, locks them (in event-id order, as every path does), reads which orders are
   * already stored or whose admission is taken, allocates the rest in order-id order, and writes
   * the orders (confirmed or rejected SOLD_OUT), the confirmed orders' tickets and the new
   * tickets_sold in one statement. An order a concurrent transaction stores meanwhile is skipped by
   * ON CONFLICT and never counted: the inventory grows by what this statement inserted.
   */
  private async persistAllocating(intents: readonly PurchaseIntent[]): Promise<InsertedOrder[]> {
    const b = batchEvents(intents);
    return this.handle.db.transaction(async (tx) => {
      await tx.execute(sql`
        insert into ${eventInventory} (event_id, tickets_total, tickets_sold)
        select b.event_id, coalesce(e.tickets_total, b.intent_total),
               ${initialSold(sql`coalesce(e.tickets_total, b.intent_total)`, sql`b.event_id`)}
        from unnest(${array(b.eventId)}::text[], ${array(b.intentTotal)}::int[]) as b(event_id, intent_total)
        left join ${events} e on e.id = b.event_id
        where not exists (select 1 from ${eventInventory} i where i.event_id = b.event_id)
        order by b.event_id
        on conflict do nothing`);
      const locked = await tx.execute<{
        eventId: string;
        ticketsTotal: number;
        ticketsSold: number;
      }>(sql`
        select event_id as "eventId", tickets_total as "ticketsTotal", tickets_sold as "ticketsSold"
        from ${eventInventory} where event_id = any(${array(b.eventId)}::text[])
        order by event_id for update`);
      const inventory = new Map(locked.rows.map((row) => [row.eventId, row]));
      const stored = await tx.execute<{ id: string; admissionId: string }>(sql`
        select id, admission_id as "admissionId" from ${orders}
        where id = any(${array(intents.map((i) => i.orderId))}::text[])
           or admission_id = any(${array(intents.map((i) => i.admissionId))}::text[])`);
      const storedIds = new Set(stored.rows.map((row) => row.id));
      // One order per admission, within the batch too: the first order id of an admission wins.
      const takenAdmissions = new Set(stored.rows.map((row) => row.admissionId));
      const fresh: PurchaseIntent[] = [];
      for (const intent of intents) {
        if (storedIds.has(intent.orderId) || takenAdmissions.has(intent.admissionId)) continue;
        takenAdmissions.add(intent.admissionId);
        fresh.push(intent);
      }
      if (fresh.length === 0) return [];
      const soldOut = allocate(fresh, inventory);
      const o = orderColumns(
        fresh.map((intent) =>
          soldOut.has(intent.orderId)
            ? { intent, status: 'rejected', reason: 'SOLD_OUT' }
            : { intent, status: 'confirmed', reason: null },
        ),
      );
      const t = ticketColumns(fresh.filter((intent) => !soldOut.has(intent.orderId)));
      const result = await tx.execute<InsertedOrder>(sql`
        with inserted_orders as (
          insert into ${orders} (id, event_id, admission_id, entry_id, quantity, buyer_name, buyer_email, status, reason, reserved_at)
          select id, event_id, admission_id, entry_id, quantity, buyer_name, buyer_email, status, reason, reserved_at
          from ${orderSource(o)}
          on conflict do nothing
          returning id, event_id, quantity, status, reason
        ), inserted_tickets as (
          insert into ${tickets} (id, order_id, event_id, ordinal, code)
          select u.id, u.order_id, u.event_id, u.ordinal, u.code
          from ${ticketSource(t)}
          where u.order_id in (select id from inserted_orders where status = 'confirmed')
          returning order_id
        ), bumped as (
          update ${eventInventory} i set tickets_sold = i.tickets_sold + s.quantity
          from (select event_id, sum(quantity)::int as quantity from inserted_orders
                where status = 'confirmed' group by event_id) s
          where i.event_id = s.event_id
          returning 1
        )
        select o.id, o.status, o.reason, o.quantity::int as quantity, count(t.order_id)::int as tickets
        from inserted_orders o left join inserted_tickets t on t.order_id = o.id
        group by o.id, o.status, o.reason, o.quantity`);
      return result.rows;
    });
  }

  /**
   * One outcome per order: the ones this call inserted from what its statement returned (confirmed
   * only with every ticket row), every other one from a read of its stored row by id (none stored
   * under that id: its admission holds another order, a conflict).
   */
  private async outcomes(
    intents: readonly PurchaseIntent[],
    inserted: readonly InsertedOrder[],
  ): Promise<PersistResult> {
    const byId = new Map(inserted.map((row) => [row.id, row]));
    const others = intents.filter((intent) => !byId.has(intent.orderId)).map((i) => i.orderId);
    const stored = await this.readStatuses(others);
    const outcomes = intents.map((intent): OrderOutcome => {
      const row = byId.get(intent.orderId);
      if (!row) return storedOutcome(intent.orderId, stored.get(intent.orderId));
      if (row.status === 'rejected')
        return {
          orderId: row.id,
          status: 'rejected',
          reason: row.reason ?? 'SOLD_OUT',
          written: true,
        };
      // Unreachable while the tickets insert has no ON CONFLICT; a confirmation must never say more.
      if (row.tickets !== row.quantity)
        throw new Error(`order ${row.id} stored with ${row.tickets} of ${row.quantity} tickets`);
      return { orderId: row.id, status: 'confirmed', written: true };
    });
    return {
      outcomes,
      ordersInserted: inserted.length,
      ticketsInserted: inserted.reduce((sum, row) => sum + row.tickets, 0),
    };
  }

  private async readStatuses(orderIds: readonly string[]): Promise<Map<string, StoredOrderStatus>> {
    if (orderIds.length === 0) return new Map();
    const result = await this.handle.db.execute<{
      id: string;
      status: StoredOrderStatus['status'];
      reason: StoredOrderStatus['reason'];
    }>(sql`
      select id, status, reason from ${orders} where id = any(${array(orderIds)}::text[])`);
    return new Map(result.rows.map((row) => [row.id, row]));
  }

  async recordRejected(
    batch: readonly { intent: PurchaseIntent; reason: RejectReason }[],
  ): Promise<OrderOutcome[]> {
    const entries = uniqueRejections(batch);
    if (entries.length === 0) return [];
    const o = orderColumns(
      entries.map(({ intent, reason }) => ({ intent, status: 'rejected', reason })),
      (reason) => reason === 'INVALID',
    );
    const result = await this.handle.db.execute<{ id: string }>(sql`
      insert into ${orders} (id, event_id, admission_id, entry_id, quantity, buyer_name, buyer_email, status, reason, reserved_at)
      select id, event_id, admission_id, entry_id, quantity, buyer_name, buyer_email, status, reason, reserved_at
      from ${orderSource(o)}
      on conflict do nothing
      returning id`);
    const written = new Set(result.rows.map((row) => row.id));
    const stored = await this.readStatuses(
      entries.map((e) => e.intent.orderId).filter((id) => !written.has(id)),
    );
    return entries.map(({ intent, reason }): OrderOutcome =>
      written.has(intent.orderId)
        ? { orderId: intent.orderId, status: 'rejected', reason, written: true }
        : storedOutcome(intent.orderId, stored.get(intent.orderId)),
    );
  }

  async upsertEvent(definition: EventDefinition): Promise<{ stored: boolean }> {
    const { event, version, shuffle } = definition;
    // One statement: the definition replaces the row only if its version is newer, and the
    // inventory row is created from it if missing (an existing one keeps its total).
    const result = await this.handle.db.execute<{ stored: boolean }>(sql`
      with upserted as (
        insert into ${events} (id, name, venue, tickets_total, max_per_order, opens_at,
                               admission_rate_per_second, max_active_checkouts, paused,
                               join_challenge_bits, max_per_buyer, checkout_window_seconds,
                               version, shuffle_seed, shuffle_commitment)
        values (${event.id}, ${event.name}, ${event.venue}, ${event.ticketsTotal}, ${event.maxPerOrder},
                ${event.opensAt}::timestamptz, ${event.admissionRatePerSecond}, ${event.maxActiveCheckouts},
                ${event.paused}, ${event.joinChallengeBits}, ${event.maxPerBuyer},
                ${event.checkoutWindowSeconds}, ${version}, ${shuffle?.seed ?? null}, ${shuffle?.commitment ?? null})
        on conflict (id) do update set
          name = excluded.name, venue = excluded.venue, tickets_total = excluded.tickets_total,
          max_per_order = excluded.max_per_order, opens_at = excluded.opens_at,
          admission_rate_per_second = excluded.admission_rate_per_second,
          max_active_checkouts = excluded.max_active_checkouts, paused = excluded.paused,
          join_challenge_bits = excluded.join_challenge_bits, max_per_buyer = excluded.max_per_buyer,
          checkout_window_seconds = excluded.checkout_window_seconds, version = excluded.version,
          shuffle_seed = excluded.shuffle_seed, shuffle_commitment = excluded.shuffle_commitment,
          updated_at = now()
        where ${events}.version < excluded.version
        returning 1
      ), inventory as (
        insert into ${eventInventory} (event_id, tickets_total, tickets_sold)
        select ${event.id}, ${event.ticketsTotal}::int, ${initialSold(sql`${event.ticketsTotal}::int`, sql`${event.id}`)}
        where not exists (select 1 from ${eventInventory} where event_id = ${event.id})
        on conflict do nothing
        returning 1
      )
      select exists (select 1 from upserted) as stored`);
    return { stored: result.rows[0]?.stored ?? false };
  }

  async listEvents(): Promise<LedgerEvent[]> {
    return (await this.readEvents()).map(toLedgerEvent);
  }

  async readInventory(
    eventId: string,
  ): Promise<{ ticketsTotal: number; ticketsSold: number } | null> {
    const result = await this.handle.db.execute<{ ticketsTotal: number; ticketsSold: number }>(sql`
      select tickets_total as "ticketsTotal", tickets_sold as "ticketsSold"
      from ${eventInventory} where event_id = ${eventId}`);
    const row = result.rows[0];
    return row
      ? { ticketsTotal: row.ticketsTotal, ticketsSold: row.ticketsSold }
      : null;
  }

  async readEvent(eventId: string): Promise<LedgerEvent | null> {
    const [row] = await this.readEvents(eventId);
    return row ? toLedgerEvent(row) : null;
  }

  private async readEvents(eventId?: string): Promise<EventRowRead[]> {
    const result = await this.handle.db.execute<EventRowRead>(sql`
      select e.id, e.name, e.venue, e.tickets_total as "ticketsTotal", e.max_per_order as "maxPerOrder",
             e.opens_at as "opensAt", e.admission_rate_per_second as "admissionRatePerSecond",
             e.max_active_checkouts as "maxActiveCheckouts", e.paused, e.join_challenge_bits as "joinChallengeBits",
             e.max_per_buyer as "maxPerBuyer", e.checkout_window_seconds as "checkoutWindowSeconds",
             e.version, e.shuffle_seed as "shuffleSeed", e.shuffle_commitment as "shuffleCommitment",
             i.tickets_total as "inventoryTotal", i.tickets_sold as "inventorySold"
      from ${events} e left join ${eventInventory} i on i.event_id = e.id
      ${eventId === undefined ? sql`` : sql`where e.id = ${eventId}`}
      order by e.id`);
    return result.rows;
  }

  async pageOrders(
    eventId: string,
    afterOrderId: string | null,
    limit: number,
  ): Promise<LedgerOrder[]> {
    // Both reads walk an index in key order: orders_event_id_idx (event_id, id), then the tickets'
    // unique (order_id, ordinal) for the page's orders.
    const page = await this.handle.db.execute<Omit<LedgerOrder, 'tickets'>>(sql`
      select id as "orderId", admission_id as "admissionId", entry_id as "entryId", quantity::int as quantity,
             buyer_email as "buyerEmail", status, reason
      from ${orders}
      where event_id = ${eventId} ${afterOrderId === null ? sql`` : sql`and id > ${afterOrderId}`}
      order by id
      limit ${Math.max(0, Math.floor(limit))}`);
    const confirmed = page.rows.filter((row) => row.status === 'confirmed').map((r) => r.orderId);
    const ticketsByOrder = new Map<string, { id: string; code: string }[]>();
    if (confirmed.length > 0) {
      const rows = await this.handle.db.execute<{ orderId: string; id: string; code: string }>(sql`
        select order_id as "orderId", id, code from ${tickets}
        where order_id = any(${array(confirmed)}::text[])
        order by order_id, ordinal`);
      for (const row of rows.rows) {
        const list = ticketsByOrder.get(row.orderId) ?? [];
        list.push({ id: row.id, code: row.code });
        ticketsByOrder.set(row.orderId, list);
      }
    }
    return page.rows.map((row) => ({ ...row, tickets: ticketsByOrder.get(row.orderId) ?? [] }));
  }

  async ticketsPersisted(eventId: string): Promise<number> {
    const result = await this.handle.db.execute<{ n: string }>(
      sql`select count(*) as n from ${tickets} where ${tickets.eventId} = ${eventId}`,
    );
    return Number(result.rows[0]?.n ?? 0);
  }

  async auditEvent(eventId: string): Promise<EventAudit> {
    const result = await this.handle.db.execute<Record<keyof EventAudit, string | null>>(sql`
      select (select count(*) from ${orders} where event_id = ${eventId} and status = 'confirmed') as "orders",
             (select sum(quantity) from ${orders} where event_id = ${eventId} and status = 'confirmed') as "ticketsOrdered",
             (select count(*) from ${tickets} where event_id = ${eventId}) as "tickets",
             (select count(distinct code) from ${tickets} where event_id = ${eventId}) as "distinctCodes",
             (select count(*) from ${orders} where event_id = ${eventId} and status = 'rejected') as "rejected",
             (select tickets_sold from ${eventInventory} where event_id = ${eventId}) as "ledgerSold"`);
    const row = result.rows[0];
    return {
      orders: Number(row?.orders ?? 0),
      ticketsOrdered: Number(row?.ticketsOrdered ?? 0),
      tickets: Number(row?.tickets ?? 0),
      distinctCodes: Number(row?.distinctCodes ?? 0),
      rejected: Number(row?.rejected ?? 0),
      ledgerSold: Number(row?.ledgerSold ?? 0),
    };
  }

  classifyError(err: unknown): ErrorClass {
    if (err instanceof EventNotInLedgerError) return 'transient';
    if (err instanceof InvalidIntentError) return 'invalid';
    for (
      let current: unknown = err, depth = 0;
      typeof current === 'object' && current !== null && depth < 5;
      depth += 1
    ) {
      const code = 'code' in current && typeof current.code === 'string' ? current.code : undefined;
      if (code && (transientSqlStates.test(code) || transientNodeCodes.has(code)))
        return 'transient';
      if (code && invalidSqlStates.test(code)) return 'invalid';
      const message = current instanceof Error ? current.message : '';
      if (
        /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(
          message,
        )
      ) {
        return 'transient';
      }
      current = 'cause' in current ? current.cause : undefined;
    }
    return 'permanent';
  }

  isTransientError(err: unknown): boolean {
    return this.classifyError(err) === 'transient';
  }

  async ping(): Promise<void> {
    await this.handle.pool.query('select 1');
  }

  close(): Promise<void> {
    return this.handle.close();
  }

  /** For tests and tools that need the raw handle; the worker uses only the interface. */
  get database(): DbHandle {
    return this.handle;
  }
}
