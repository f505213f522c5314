import {
  buyerCapField,
  eventKeys,
  type PurchaseIntent,
  type RejectReason,
} from '@frequency/contracts';
import type { RedisClient } from '@frequency/config/redis';
import type { Result } from 'ioredis';

/**
 * Brings a final ledger outcome into the order record checkout keeps in Redis.
 *
 * Invariants (the record's states are described in packages/contracts/src/redis-keys.ts):
 * - Only pending and withdrawn records change; a confirmed or rejected one stays as it is, so a
 *   redelivered message changes nothing.
 * - A withdrawn order (checkout undid its reservation after a publish it thought had failed) that the
 *   ledger took after all is reserved again here: stock, sold and the buyer's count follow the
 *   ledger, and its admission leaves `active`.
 * - A record Redis forgot is written again from the intent, so the fan can read the order. When the
 *   event's config exists, the event was never lost or was rebuilt from a ledger that did not hold
 *   this order yet (the rebuild writes every record it knows first), so its tickets are counted now.
 * - Stock never goes below 0 and the event's keys are never created out of nothing.
 * - The order leaves the outbox: the relay stops publishing it.
 *
 * KEYS: 1 order, 2 outbox, 3 config, 4 stock, 5 sold, 6 buyers, 7 active, 8 admissionOrders
 * ARGV: 1 order id, 2 quantity, 3 admission id, 4 tickets JSON, 5 buyer field
 * Returns 1 when the record changed.
 */
const confirmOrderLua = `
local status = redis.call('HGET', KEYS[1], 'status')
redis.call('ZREM', KEYS[2], ARGV[1])
if status == 'confirmed' or status == 'rejected' then return 0 end
local quantity = tonumber(ARGV[2])
local count = status == 'withdrawn' or (not status and redis.call('EXISTS', KEYS[3]) == 1)
if not status then
  redis.call('HSET', KEYS[1], 'quantity', quantity, 'admissionId', ARGV[3], 'tickets', ARGV[4],
    'buyer', ARGV[5])
  redis.call('HSETNX', KEYS[8], ARGV[3], ARGV[1])
end
if count then
  local stock = tonumber(redis.call('GET', KEYS[4]) or '0')
  redis.call('SET', KEYS[4], math.max(0, stock - quantity))
  redis.call('INCRBY', KEYS[5], quantity)
  redis.call('HINCRBY', KEYS[6], ARGV[5], quantity)
end
redis.call('ZREM', KEYS[7], ARGV[3])
redis.call('HSET', KEYS[1], 'status', 'confirmed')
redis.call('HDEL', KEYS[1], 'intent')
return 1
`;

/**
 * Records that the ledger refused an order and puts its tickets back on sale.
 *
 * Invariants:
 * - Only pending and withdrawn records change (a redelivery changes nothing).
 * - A pending order's reservation is released: stock + quantity, sold - quantity, the buyer's count
 *   - quantity (a withdrawn one was released when it was withdrawn). When the ledger refused it as
 *   SOLD_OUT, Redis sold tickets the ledger does not have (it lost writes): stock is then capped at
 *   what the ledger has left, so Redis stops selling what cannot be stored.
 * - A record Redis forgot is written as rejected when the ledger decided it (ARGV 7 = 1), so the
 *   fan can read why; a malformed message never creates one.
 * - Never below 0; the event's keys are never created out of nothing; the order leaves the outbox.
 *
 * KEYS: 1 order, 2 outbox, 3 config, 4 stock, 5 sold, 6 buyers
 * ARGV: 1 order id, 2 reason, 3 quantity, 4 admission id, 5 buyer field, 6 tickets the ledger has
 *       left ('' when unknown), 7 write a missing record (1 or 0)
 * Returns 1 when the record changed.
 */
const rejectOrderLua = `
local status = redis.call('HGET', KEYS[1], 'status')
redis.call('ZREM', KEYS[2], ARGV[1])
if status == 'confirmed' or status == 'rejected' then return 0 end
if not status then
  if ARGV[7] ~= '1' then return 0 end
  redis.call('HSET', KEYS[1], 'quantity', ARGV[3], 'admissionId', ARGV[4], 'buyer', ARGV[5])
end
if status == 'pending' and redis.call('EXISTS', KEYS[3]) == 1 then
  local quantity = tonumber(redis.call('HGET', KEYS[1], 'quantity') or ARGV[3])
  local buyer = redis.call('HGET', KEYS[1], 'buyer') or ARGV[5]
  local stock = tonumber(redis.call('GET', KEYS[4]) or '0') + quantity
  if ARGV[6] ~= '' then stock = math.min(stock, tonumber(ARGV[6])) end
  redis.call('SET', KEYS[4], math.max(0, stock))
  local sold = tonumber(redis.call('GET', KEYS[5]) or '0')
  redis.call('SET', KEYS[5], math.max(0, sold - quantity))
  if redis.call('HINCRBY', KEYS[6], buyer, -quantity) <= 0 then redis.call('HDEL', KEYS[6], buyer) end
end
redis.call('HSET', KEYS[1], 'status', 'rejected', 'reason', ARGV[2])
redis.call('HDEL', KEYS[1], 'intent')
return 1
`;

declare module 'ioredis' {
  interface RedisCommander<Context> {
    confirmOrder(
      order: string,
      outbox: string,
      config: string,
      stock: string,
      sold: string,
      buyers: string,
      active: string,
      admissionOrders: string,
      orderId: string,
      quantity: number,
      admissionId: string,
      ticketsJson: string,
      buyerField: string,
    ): Result<number, Context>;
    rejectOrder(
      order: string,
      outbox: string,
      config: string,
      stock: string,
      sold: string,
      buyers: string,
      orderId: string,
      reason: string,
      quantity: number,
      admissionId: string,
      buyerField: string,
      ledgerLeft: string,
      writeMissing: string,
    ): Result<number, Context>;
  }
}

export function defineWorkerCommands(redis: RedisClient): void {
  redis.defineCommand('confirmOrder', { numberOfKeys: 8, lua: confirmOrderLua });
  redis.defineCommand('rejectOrder', { numberOfKeys: 6, lua: rejectOrderLua });
}

/** Confirms a batch of orders; the calls share round trips through ioredis auto-pipelining. */
export async function confirmOrders(
  redis: RedisClient,
  intents: readonly PurchaseIntent[],
): Promise<void> {
  await Promise.all(
    intents.map((intent) => {
      const keys = eventKeys(intent.eventId);
      return redis.confirmOrder(
        keys.order(intent.orderId),
        keys.outbox,
        keys.config,
        keys.stock,
        keys.sold,
        keys.buyers,
        keys.active,
        keys.admissionOrders,
        intent.orderId,
        intent.quantity,
        intent.admissionId,
        JSON.stringify(intent.tickets),
        buyerCapField(intent.buyer.email),
      );
    }),
  );
}

/** What the worker knows of an order it rejects; an intent that failed validation may lack parts. */
export interface Rejection {
  eventId: string;
  orderId: string;
  reason: RejectReason;
  quantity?: number | undefined;
  admissionId?: string | undefined;
  buyerEmail?: string | undefined;
  /** Tickets the ledger has left for the event, when the reason is SOLD_OUT. */
  ledgerLeft?: number | undefined;
  /** The ledger decided it: a record Redis forgot is written, so the fan can read the outcome. */
  fromLedger: boolean;
}

/** Rejects orders in Redis; answers, per order, whether its record changed (else it was final). */
export async function rejectOrders(
  redis: RedisClient,
  rejections: readonly Rejection[],
): Promise<boolean[]> {
  const changed = await Promise.all(
    rejections.map((rejection) => {
      const keys = eventKeys(rejection.eventId);
      return redis.rejectOrder(
        keys.order(rejection.orderId),
        keys.outbox,
        keys.config,
        keys.stock,
        keys.sold,
        keys.buyers,
        rejection.orderId,
        rejection.reason,
        rejection.quantity ?? 0,
        rejection.admissionId ?? '',
        rejection.buyerEmail === undefined ? '' : buyerCapField(rejection.buyerEmail),
        rejection.ledgerLeft === undefined ? '' : String(rejection.ledgerLeft),
        rejection.fromLedger ? '1' : '0',
      );
    }),
  );
  return changed.map((n) => n === 1);
}
