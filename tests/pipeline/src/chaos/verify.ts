import { eventKeys } from '@frequency/contracts';
import { HttpClient } from '@frequency/simulator';
import { Redis } from 'ioredis';
import pg from 'pg';
import { OrderReadSchema, type AcceptedOrder } from './fans.js';
import { sleep } from '../infra.js';

export interface ReadBack {
  status: 'confirmed' | 'rejected';
  reason: string | null;
  codes: string[];
}

/** Orders read at once while draining: thousands at once would only measure this event loop. */
const READ_CONCURRENCY = 16;
const READ_ROUND_MS = 1_000;

/**
 * Reads every 202 back over HTTP (GET /v1/orders/{id} with the receipt token, else the admission
 * token) until each one is confirmed or rejected, or the deadline (epoch ms) passes. Orders still
 * pending or unreadable then are missing from the map.
 */
export async function readBack(
  checkoutUrl: string,
  orders: readonly AcceptedOrder[],
  deadline: number,
  signal: AbortSignal,
): Promise<{ finals: Map<string, ReadBack>; lastAnswer: Map<string, string> }> {
  const finals = new Map<string, ReadBack>();
  const lastAnswer = new Map<string, string>();
  const http = new HttpClient(READ_CONCURRENCY);
  try {
    for (;;) {
      const open = orders.filter((order) => !finals.has(order.orderId));
      let next = 0;
      const reader = async () => {
        while (next < open.length) {
          const order = open[next++];
          if (order === undefined) continue;
          const response = await http.send({
            method: 'GET',
            url: `${checkoutUrl}/v1/orders/${order.orderId}`,
            headers: { authorization: `Bearer ${order.readToken}` },
          });
          const read = response.status === 200 ? OrderReadSchema.safeParse(response.body) : null;
          if (read?.success && read.data.status !== 'pending') {
            finals.set(order.orderId, {
              status: read.data.status,
              reason: read.data.reason ?? null,
              codes: read.data.tickets.map((ticket) => ticket.code),
            });
          } else {
            lastAnswer.set(
              order.orderId,
              read?.success ? read.data.status : `${response.status} ${response.code ?? ''}`.trim(),
            );
          }
        }
      };
      await Promise.all(Array.from({ length: READ_CONCURRENCY }, reader));
      if (finals.size === orders.length || Date.now() >= deadline || signal.aborted) break;
      await sleep(READ_ROUND_MS);
    }
  } finally {
    await http.close();
  }
  return { finals, lastAnswer };
}

export interface LedgerOrder {
  status: string;
  quantity: number;
  codes: string[];
}

export interface Ledger {
  orders: Map<string, LedgerOrder>;
  ticketRows: number;
  distinctCodes: number;
  /** Redis `sold` and `stock` of the event (null when Redis does not have them). */
  redisSold: number | null;
  redisStock: number | null;
}

/** The event's rows in Postgres and its counters in Redis, read fresh (either may have restarted). */
export async function readLedger(
  databaseUrl: string,
  redisUrl: string,
  redisKeyPrefix: string,
  eventId: string,
): Promise<Ledger> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const orders = new Map<string, LedgerOrder>();
  let ticketRows = 0;
  let distinctCodes = 0;
  try {
    const rows = await client.query<{ id: string; status: string; quantity: number }>(
      'select id, status, quantity from orders where event_id = $1',
      [eventId],
    );
    for (const row of rows.rows)
      orders.set(row.id, { status: row.status, quantity: row.quantity, codes: [] });
    const tickets = await client.query<{ order_id: string; code: string }>(
      'select order_id, code from tickets where event_id = $1',
      [eventId],
    );
    const codes = new Set<string>();
    for (const ticket of tickets.rows) {
      codes.add(ticket.code);
      const order = orders.get(ticket.order_id);
      if (order) order.codes.push(ticket.code);
      else
        orders.set(ticket.order_id, {
          status: '(no order row)',
          quantity: 0,
          codes: [ticket.code],
        });
    }
    ticketRows = tickets.rows.length;
    distinctCodes = codes.size;
  } finally {
    await client.end();
  }
  const redis = new Redis(redisUrl, { keyPrefix: redisKeyPrefix, maxRetriesPerRequest: 3 });
  try {
    const keys = eventKeys(eventId);
    const [sold, stock] = await redis.mget(keys.sold, keys.stock);
    return {
      orders,
      ticketRows,
      distinctCodes,
      redisSold: sold === null ? null : Number(sold),
      redisStock: stock === null ? null : Number(stock),
    };
  } finally {
    redis.disconnect();
  }
}

export interface OrderVerdicts {
  confirmed: number;
  rejected: number;
  /** Order id -> why it does not count as confirmed or rejected. */
  lost: Map<string, string>;
}

const sameCodes = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join() === [...b].sort().join();

/**
 * Each 202 against what HTTP says and what the ledger holds: confirmed counts when the ledger has
 * the order confirmed with exactly the tickets the fan was shown; rejected when the ledger has it
 * rejected and no ticket of it. Anything else (still pending, unreadable, no row, rows that differ)
 * is an order lost.
 */
export function judgeOrders(
  accepted: readonly AcceptedOrder[],
  finals: ReadonlyMap<string, ReadBack>,
  lastAnswer: ReadonlyMap<string, string>,
  ledger: Ledger,
): OrderVerdicts {
  const verdicts: OrderVerdicts = { confirmed: 0, rejected: 0, lost: new Map() };
  for (const order of accepted) {
    const final = finals.get(order.orderId);
    const row = ledger.orders.get(order.orderId);
    if (final === undefined) {
      verdicts.lost.set(
        order.orderId,
        `never final over HTTP (last answer: ${lastAnswer.get(order.orderId) ?? 'none'})`,
      );
    } else if (row === undefined) {
      verdicts.lost.set(order.orderId, `${final.status} over HTTP but no ledger row`);
    } else if (final.status === 'confirmed') {
      if (row.status !== 'confirmed')
        verdicts.lost.set(order.orderId, `confirmed over HTTP, ledger says ${row.status}`);
      else if (row.quantity !== order.quantity || !sameCodes(row.codes, final.codes))
        verdicts.lost.set(
          order.orderId,
          `confirmed, but the ledger holds ${row.codes.length} tickets (quantity ${row.quantity}) where the 202 said ${order.quantity} and HTTP showed ${final.codes.length}`,
        );
      else verdicts.confirmed += 1;
    } else if (row.status !== 'rejected') {
      verdicts.lost.set(order.orderId, `rejected over HTTP, ledger says ${row.status}`);
    } else if (row.codes.length > 0) {
      verdicts.lost.set(
        order.orderId,
        `rejected, yet the ledger holds ${row.codes.length} tickets`,
      );
    } else verdicts.rejected += 1;
  }
  return verdicts;
}
