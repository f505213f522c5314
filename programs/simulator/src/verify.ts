import { eventKeys } from '@frequency/contracts';
import { Redis } from 'ioredis';
import pg from 'pg';

export interface Ledger {
  ticketsTotal: number;
  /** Redis `sold`: tickets reserved by accepted orders. */
  redisSold: number;
  /** Redis `stock`: tickets remaining. */
  redisStock: number;
  /** Rows in `tickets` for the event. */
  persistedTickets: number;
  confirmedOrders: number;
  /** Sum of `orders.quantity` for the event's confirmed orders. */
  confirmedQuantity: number;
  /** Orders whose ticket rows do not number their quantity (must be 0). */
  ordersWithWrongTicketCount: number;
  /** Ticket codes given to more than one ticket (must be 0). */
  duplicateTicketCodes: number;
  /** Tickets sold beyond ticketsTotal, by Redis or by the database (must be 0). */
  oversold: number;
  /** Seconds the pipeline took after the last phase to persist everything Redis sold. */
  drainSeconds: number;
  drained: boolean;
}

export interface LedgerSource {
  redisUrl: string;
  redisKeyPrefix: string;
  databaseUrl: string;
  eventId: string;
  ticketsTotal: number;
}

/**
 * Reads Redis and Postgres until the pipeline is idle (rows in `tickets` = Redis sold, twice in a
 * row) or `timeoutMs` passes, then returns the figures the contract promises to keep equal.
 */
export async function readLedger(source: LedgerSource, timeoutMs: number): Promise<Ledger> {
  const redis = new Redis(source.redisUrl, {
    keyPrefix: source.redisKeyPrefix,
    maxRetriesPerRequest: 3,
  });
  const client = new pg.Client({ connectionString: source.databaseUrl });
  await client.connect();
  const keys = eventKeys(source.eventId);
  const started = Date.now();
  try {
    let stableReads = 0;
    let drained = false;
    let sold = 0;
    let stock = 0;
    let persisted = 0;
    while (Date.now() - started < timeoutMs) {
      [sold, stock] = (await redis.mget(keys.sold, keys.stock)).map((value) =>
        Number(value ?? 0),
      ) as [number, number];
      const result = await client.query<{ n: string }>(
        'select count(*) as n from tickets where event_id = $1',
        [source.eventId],
      );
      persisted = Number(result.rows[0]?.n ?? 0);
      stableReads = persisted === sold ? stableReads + 1 : 0;
      if (stableReads >= 2) {
        drained = true;
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    const drainSeconds = (Date.now() - started) / 1000;
    const orders = await client.query<{ n: string; q: string | null }>(
      "select count(*) as n, sum(quantity) as q from orders where event_id = $1 and status = 'confirmed'",
      [source.eventId],
    );
    const mismatched = await client.query<{ n: string }>(
      `select count(*) as n from orders o
        where o.event_id = $1
          and o.quantity <> (select count(*) from tickets t where t.order_id = o.id)`,
      [source.eventId],
    );
    const duplicates = await client.query<{ n: string }>(
      `select count(*) as n from (
         select code from tickets where event_id = $1 group by code having count(*) > 1
       ) d`,
      [source.eventId],
    );
    return {
      ticketsTotal: source.ticketsTotal,
      redisSold: sold,
      redisStock: stock,
      persistedTickets: persisted,
      confirmedOrders: Number(orders.rows[0]?.n ?? 0),
      confirmedQuantity: Number(orders.rows[0]?.q ?? 0),
      ordersWithWrongTicketCount: Number(mismatched.rows[0]?.n ?? 0),
      duplicateTicketCodes: Number(duplicates.rows[0]?.n ?? 0),
      oversold: Math.max(0, sold - source.ticketsTotal, persisted - source.ticketsTotal, -stock),
      drainSeconds,
      drained,
    };
  } finally {
    await client.end();
    redis.disconnect();
  }
}
