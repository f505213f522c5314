import type { PurchaseIntent } from '@frequency/contracts';
import { sql } from 'drizzle-orm';
import { createDb, type DbHandle } from './client.js';
import { events, orders, tickets, type NewEventRow } from './schema.js';
import { uniqueByOrderId, type OrderStore, type PersistResult } from './store.js';

/** SQLSTATE classes that mean "try again": connection, serialization, lock, resources, shutdown. */
const transientSqlStates = /^(08|40|53|57P0|55P03)/;
const transientNodeCodes = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND']);

/**
 * The Postgres store. Rows go in through `unnest` of one array per column (each bound as ONE array
 * parameter with `sql.param`: drizzle's template spreads a bare JS array into a list of parameters): one statement per table
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
    if (intents.length === 0) return { ordersInserted: 0, ticketsInserted: 0, duplicates: batch.length };
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
    const t = { id: [] as string[], orderId: [] as string[], eventId: [] as string[], ordinal: [] as number[], code: [] as string[] };
    for (const intent of intents) {
      o.id.push(intent.orderId);
      o.eventId.push(intent.eventId);
      o.admissionId.push(intent.admissionId);
      o.entryId.push(intent.entryId);
      o.quantity.push(intent.quantity);
      o.buyerName.push(intent.buyer.name);
      o.buyerEmail.push(intent.buyer.email);
      o.reservedAt.push(intent.reservedAt);
    }
    return this.handle.db.transaction(async (tx) => {
      const inserted = await tx.execute<{ id: string }>(sql`
        insert into ${orders} (id, event_id, admission_id, entry_id, quantity, buyer_name, buyer_email, status, reserved_at)
        select id, event_id, admission_id, entry_id, quantity, buyer_name, buyer_email, 'confirmed', reserved_at
        from unnest(${sql.param(o.id)}::text[], ${sql.param(o.eventId)}::text[], ${sql.param(o.admissionId)}::text[], ${sql.param(o.entryId)}::text[],
                    ${sql.param(o.quantity)}::smallint[], ${sql.param(o.buyerName)}::text[], ${sql.param(o.buyerEmail)}::text[], ${sql.param(o.reservedAt)}::timestamptz[])
          as u(id, event_id, admission_id, entry_id, quantity, buyer_name, buyer_email, reserved_at)
        on conflict do nothing
        returning id`);
      const fresh = new Set(inserted.rows.map((row) => row.id));
      for (const intent of intents) {
        if (!fresh.has(intent.orderId)) continue;
        intent.tickets.forEach((ticket, ordinal) => {
          t.id.push(ticket.id);
          t.orderId.push(intent.orderId);
          t.eventId.push(intent.eventId);
          t.ordinal.push(ordinal);
          t.code.push(ticket.code);
        });
      }
      let ticketsInserted = 0;
      if (t.id.length > 0) {
        const result = await tx.execute(sql`
          insert into ${tickets} (id, order_id, event_id, ordinal, code)
          select * from unnest(${sql.param(t.id)}::text[], ${sql.param(t.orderId)}::text[], ${sql.param(t.eventId)}::text[], ${sql.param(t.ordinal)}::smallint[], ${sql.param(t.code)}::text[])
          on conflict do nothing`);
        ticketsInserted = result.rowCount ?? 0;
      }
      return {
        ordersInserted: fresh.size,
        ticketsInserted,
        duplicates: batch.length - fresh.size,
      };
    });
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

  isTransientError(err: unknown): boolean {
    if (typeof err !== 'object' || err === null) return false;
    const code = 'code' in err && typeof err.code === 'string' ? err.code : undefined;
    if (code && (transientSqlStates.test(code) || transientNodeCodes.has(code))) return true;
    const message = err instanceof Error ? err.message : '';
    return /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(
      message,
    );
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
