import type { PurchaseIntent } from '@frequency/contracts';
import { sql, type SQL } from 'drizzle-orm';
import { createDb, type DbHandle } from './client.js';
import { events, orders, tickets, type NewEventRow } from './schema.js';
import { uniqueByOrderId, type EventAudit, type OrderStore, type PersistResult } from './store.js';

/**
 * Binds a whole JS array as one parameter (pg sends it as a Postgres array). A bare array in
 * drizzle's sql template would expand into one parameter per element, i.e. a row constructor.
 */
function array(values: readonly (string | number)[]): SQL {
  return sql`${sql.param(values)}`;
}

/** SQLSTATE classes that mean "try again": connection, serialization, lock, resources, shutdown. */
const transientSqlStates = /^(08|40|53|57P0|55P03)/;
const transientNodeCodes = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
]);

/**
 * The Postgres store. Rows go in through `unnest` of one array per column: one statement per table
 * per batch whatever its size, with the SQL text constant (prepared once by Postgres), instead of
 * drizzle's `values()` builder that renders one placeholder per cell and is ~5x slower here.
 */
export class PostgresStore implements OrderStore {
  readonly kind = 'postgres' as const;
  private constructor(private readonly handle: DbHandle) {}

  static open(url: string, poolSize = 10): PostgresStore {
    return new PostgresStore(createDb(url, poolSize));
  }

  async persist(batch: readonly PurchaseIntent[]): Promise<PersistResult> {
    const intents = uniqueByOrderId(batch);
    if (intents.length === 0)
      return { ordersInserted: 0, ticketsInserted: 0, duplicates: batch.length };
    const o = {
      id: [] as string[],
      eventId: [] as string[],
      admissionId: [] as string[],
      entryId: [] as string[],
      quantity: [] as number[],
      buyerName: [] as string[],
      buyerEmail: [] as string[],
      reservedAt: [] as string[],
    };
    const t = {
      id: [] as string[],
      orderId: [] as string[],
      eventId: [] as string[],
      ordinal: [] as number[],
      code: [] as string[],
    };
    for (const intent of intents) {
      o.id.push(intent.orderId);
      o.eventId.push(intent.eventId);
      o.admissionId.push(intent.admissionId);
      o.entryId.push(intent.entryId);
      o.quantity.push(intent.quantity);
      o.buyerName.push(intent.buyer.name);
      o.buyerEmail.push(intent.buyer.email);
      o.reservedAt.push(intent.reservedAt);
      intent.tickets.forEach((ticket, ordinal) => {
        t.id.push(ticket.id);
        t.orderId.push(intent.orderId);
        t.eventId.push(intent.eventId);
        t.ordinal.push(ordinal);
        t.code.push(ticket.code);
      });
    }
    // One statement, so one implicit transaction and one round trip: the orders insert skips orders
    // already stored (by id or admission), and only tickets of orders inserted by this very
    // statement follow. Foreign keys are checked at the end of the statement, when both are in.
    const result = await this.handle.db.execute<{ orders: number; tickets: number }>(sql`
      with inserted_orders as (
        insert into ${orders} (id, event_id, admission_id, entry_id, quantity, buyer_name, buyer_email, status, reserved_at)
        select id, event_id, admission_id, entry_id, quantity, buyer_name, buyer_email, 'confirmed', reserved_at
        from unnest(${array(o.id)}::text[], ${array(o.eventId)}::text[], ${array(o.admissionId)}::text[], ${array(o.entryId)}::text[],
                    ${array(o.quantity)}::smallint[], ${array(o.buyerName)}::text[], ${array(o.buyerEmail)}::text[], ${array(o.reservedAt)}::timestamptz[])
          as u(id, event_id, admission_id, entry_id, quantity, buyer_name, buyer_email, reserved_at)
        on conflict do nothing
        returning id
      ), inserted_tickets as (
        insert into ${tickets} (id, order_id, event_id, ordinal, code)
        select u.id, u.order_id, u.event_id, u.ordinal, u.code
        from unnest(${array(t.id)}::text[], ${array(t.orderId)}::text[], ${array(t.eventId)}::text[], ${array(t.ordinal)}::smallint[], ${array(t.code)}::text[])
          as u(id, order_id, event_id, ordinal, code)
        where u.order_id in (select id from inserted_orders)
        on conflict do nothing
        returning 1
      )
      select (select count(*) from inserted_orders)::int as orders, (select count(*) from inserted_tickets)::int as tickets`);
    const row = result.rows[0];
    const ordersInserted = row?.orders ?? 0;
    return {
      ordersInserted,
      ticketsInserted: row?.tickets ?? 0,
      duplicates: batch.length - ordersInserted,
    };
  }

  async upsertEvent(event: NewEventRow): Promise<void> {
    await this.handle.db
      .insert(events)
      .values(event)
      .onConflictDoUpdate({
        target: events.id,
        set: {
          name: event.name,
          venue: event.venue,
          ticketsTotal: event.ticketsTotal,
          maxPerOrder: event.maxPerOrder,
          opensAt: event.opensAt,
        },
      });
  }

  async ticketsPersisted(eventId: string): Promise<number> {
    const result = await this.handle.db.execute<{ n: string }>(
      sql`select count(*) as n from ${tickets} where ${tickets.eventId} = ${eventId}`,
    );
    return Number(result.rows[0]?.n ?? 0);
  }

  async auditEvent(eventId: string): Promise<EventAudit> {
    const result = await this.handle.db.execute<{
      orders: string;
      ticketsOrdered: string | null;
      tickets: string;
      distinctCodes: string;
    }>(sql`
      select (select count(*) from ${orders} where ${orders.eventId} = ${eventId}) as "orders",
             (select sum(${orders.quantity}) from ${orders} where ${orders.eventId} = ${eventId}) as "ticketsOrdered",
             (select count(*) from ${tickets} where ${tickets.eventId} = ${eventId}) as "tickets",
             (select count(distinct ${tickets.code}) from ${tickets} where ${tickets.eventId} = ${eventId}) as "distinctCodes"`);
    const row = result.rows[0];
    return {
      orders: Number(row?.orders ?? 0),
      ticketsOrdered: Number(row?.ticketsOrdered ?? 0),
      tickets: Number(row?.tickets ?? 0),
      distinctCodes: Number(row?.distinctCodes ?? 0),
    };
  }

  isTransientError(err: unknown): boolean {
    // drizzle wraps the driver's error ("Failed query: …") and keeps it as the cause.
    for (
      let current: unknown = err, depth = 0;
      typeof current === 'object' && current !== null && depth < 5;
      depth += 1
    ) {
      const code = 'code' in current && typeof current.code === 'string' ? current.code : undefined;
      if (code && (transientSqlStates.test(code) || transientNodeCodes.has(code))) return true;
      const message = current instanceof Error ? current.message : '';
      if (
        /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(
          message,
        )
      ) {
        return true;
      }
      current = 'cause' in current ? current.cause : undefined;
    }
    return false;
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
