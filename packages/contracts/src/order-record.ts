import { z } from 'zod';
import { buyerCapField } from './buyers.js';
import type { PurchaseIntent } from './messages.js';
import { RejectReasonSchema, TicketSchema, type RejectReason, type Ticket } from './orders.js';
import { eventKeys } from './redis-keys.js';

/**
 * The order record: one Redis hash per order, `eventKeys(eventId).order(orderId)`, beside the
 * event's other keys (one hash tag, one cluster slot). This module is its one owner: it names the
 * record's keys, fields and states and holds every script that changes it, as plain data run
 * through `defineCommands` (@frequency/config/redis-commands). Checkout and the worker call these
 * scripts and read the record through `orderRecordReader`; neither spells a field.
 *
 * Fields:
 * - status       one of `orderRecordStatuses` (below);
 * - quantity     tickets in the order;
 * - admissionId  the admission (jti) that placed it: only that admission, or a receipt, reads it;
 * - tickets      JSON [{ id, code }], drawn by checkout before the reservation;
 * - intent       JSON of the purchase intent, kept until the order is final so it can be published
 *                again (outbox relay, a retry of a withdrawn order);
 * - buyer        buyerCapField of the buyer's e-mail, so what the buyer reserved can be given back;
 * - reason       why the ledger refused it, once rejected.
 *
 * States, and the scripts that move between them:
 * - pending    placeOrder / reReserveOrder (checkout): reserved, intent published or in the outbox;
 * - withdrawn  withdrawOrder (checkout): the publish failed, the reservation was undone, the same
 *              admission may reserve it again (reReserveOrder);
 * - confirmed  confirmOrder (worker): the ledger holds its tickets;
 * - rejected   rejectOrder (worker): the ledger refused it, its tickets went back on sale.
 * Only pending and withdrawn ever change; confirmed and rejected are final. restoreOrder (worker)
 * writes a final record back from the ledger after Redis lost the event.
 */

/** The keys the order scripts touch, for one order of one event. */
export function orderRecordKeys(eventId: string, orderId: string) {
  const keys = eventKeys(eventId);
  return {
    config: keys.config,
    stock: keys.stock,
    sold: keys.sold,
    active: keys.active,
    revoked: keys.revoked,
    admissionOrders: keys.admissionOrders,
    idempotency: keys.idempotency,
    buyers: keys.buyers,
    outbox: keys.outbox,
    order: keys.order(orderId),
  };
}

export const orderRecordStatuses = ['pending', 'withdrawn', 'confirmed', 'rejected'] as const;
export const OrderRecordStatusSchema = z.enum(orderRecordStatuses);
export type OrderRecordStatus = z.infer<typeof OrderRecordStatusSchema>;

/** Confirmed and rejected records never change again. */
export function isFinalOrderStatus(status: OrderRecordStatus | undefined): boolean {
  return status === 'confirmed' || status === 'rejected';
}

/**
 * The admission check both reservation scripts share, as Lua defining `live(jti, iat, exp)`.
 * It returns (true, expiry in epoch ms) for an admission that may order now, or (false, 'revoked' |
 * 'expired'). Needs `nowMs` and `ACTIVE`, `REVOKED`, `CONFIG` (key names) in scope.
 * Invariants:
 * - An admission is live when its jti is in `active` with an expiry after Redis TIME. The waiting
 *   room admits up to maxActiveCheckouts live admissions and gives a slot again once its admission
 *   left `active` (order placed, fan left, expired), so a token whose admission has left `active`
 *   can never add a checkout beyond the cap, whatever order leave, expiry and the order arrive in.
 * - After Redis forgot (the worker rebuilt the event from the ledger and set config `restoredAt`),
 *   an admission signed before `restoredAt` (iat, seconds) that is in neither `active` nor
 *   `revoked` may have been forgotten with the rest: it is live on its signed expiry. Whether it
 *   was used is the caller's check (admissionOrders), made before this one. One signed after
 *   `restoredAt` was written after the loss, so its absence from `active` means what it always does.
 * - A jti in `revoked` with a future score (the fan left) is 'revoked', any other refusal 'expired'.
 */
const liveAdmissionLua = `
local function live(jti, iat, exp)
  local expiresAt = tonumber(redis.call('ZSCORE', ACTIVE, jti))
  if expiresAt then
    if expiresAt > nowMs then return true, expiresAt end
    return false, 'expired'
  end
  local revoked = tonumber(redis.call('ZSCORE', REVOKED, jti))
  if revoked then
    if revoked > nowMs then return false, 'revoked' end
    return false, 'expired'
  end
  local restoredAt = tonumber(redis.call('HGET', CONFIG, 'restoredAt'))
  if restoredAt and iat * 1000 < restoredAt and exp * 1000 > nowMs then return true, exp * 1000 end
  return false, 'expired'
end
`;

const clockLua = `
local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * Places one order, atomically (KEYS all carry the event's hash tag, so one slot).
 * Invariants:
 * - One admission yields at most one order: the same admission (or Idempotency-Key) again returns
 *   the order it placed, before any other check, so a retry never fails on a limit it already used.
 *   That order may be withdrawn (its publish failed): the caller then reserves it again with
 *   reReserveOrder, never a second one.
 * - An order is accepted only for a live admission (liveAdmissionLua above).
 * - A buyer (normalised e-mail, hashed) reserves at most maxPerBuyer tickets across all orders of
 *   the event: checked and counted here, in the same step as the stock, so concurrent orders of
 *   one buyer cannot pass it together. maxPerBuyer absent (events created before it) = maxPerOrder.
 * - Tickets are never sold twice nor beyond the stock: the checks, the decrement (stock + sold stays
 *   ticketsTotal), the pending order record, the outbox entry and "admission used" happen together
 *   or not at all. Stock is never decremented below 0.
 *
 * KEYS: 1 config, 2 stock, 3 sold, 4 active, 5 admissionOrders, 6 idempotency, 7 outbox, 8 order,
 *       9 revoked, 10 buyers
 * ARGV: 1 admission id (jti), 2 Idempotency-Key or '', 3 order id, 4 quantity, 5 intent JSON,
 *       6 tickets JSON, 7 admission id of this order, 8 first republish time (epoch ms),
 *       9 buyer field (buyerCapField of the e-mail), 10 admission iat (s), 11 admission exp (s)
 * Returns { outcome, orderId or '', number, admission expiry (epoch ms) or 0 }.
 */
const placeOrderLua = `
local ACTIVE, REVOKED, CONFIG = KEYS[4], KEYS[9], KEYS[1]
${clockLua}
${liveAdmissionLua}
local existing = redis.call('HGET', KEYS[5], ARGV[1])
if existing then return { 'duplicate', existing, 0, 0 } end
if ARGV[2] ~= '' then
  local held = redis.call('HGET', KEYS[6], ARGV[2])
  if held then
    local sep = string.find(held, ' ', 1, true)
    if string.sub(held, 1, sep - 1) == ARGV[1] then return { 'duplicate', string.sub(held, sep + 1), 0, 0 } end
    return { 'idempotency_conflict', '', 0, 0 }
  end
end
local config = redis.call('HMGET', KEYS[1], 'maxPerOrder', 'maxPerBuyer')
local maxPerOrder = tonumber(config[1])
local stock = tonumber(redis.call('GET', KEYS[2]))
if not maxPerOrder or not stock then return { 'not_found', '', 0, 0 } end
local maxPerBuyer = tonumber(config[2]) or maxPerOrder
local quantity = tonumber(ARGV[4])
if quantity > maxPerOrder then return { 'too_many', '', maxPerOrder, 0 } end
local ok, expiresAt = live(ARGV[1], tonumber(ARGV[10]), tonumber(ARGV[11]))
if not ok then return { expiresAt, '', 0, 0 } end
local bought = tonumber(redis.call('HGET', KEYS[10], ARGV[9]) or '0')
if bought + quantity > maxPerBuyer then
  return { 'buyer_limit', '', math.max(0, maxPerBuyer - bought), 0 }
end
if stock <= 0 then return { 'sold_out', '', 0, 0 } end
if stock < quantity then return { 'insufficient', '', stock, 0 } end
local remaining = redis.call('DECRBY', KEYS[2], quantity)
redis.call('INCRBY', KEYS[3], quantity)
redis.call('HINCRBY', KEYS[10], ARGV[9], quantity)
redis.call('HSET', KEYS[8], 'status', 'pending', 'quantity', quantity, 'admissionId', ARGV[7],
  'tickets', ARGV[6], 'intent', ARGV[5], 'buyer', ARGV[9])
redis.call('HSET', KEYS[5], ARGV[1], ARGV[3])
if ARGV[2] ~= '' then redis.call('HSET', KEYS[6], ARGV[2], ARGV[1] .. ' ' .. ARGV[3]) end
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZADD', KEYS[7], ARGV[8], ARGV[3])
return { 'accepted', ARGV[3], remaining, expiresAt }
`;

/**
 * Reserves a withdrawn order again, for the admission that placed it: the same order id, ticket
 * ids, codes and stored intent, so whatever reaches the ledger under that id is one order.
 * Invariants:
 * - Only a withdrawn order of this admission changes; any other status is returned as it is
 *   ('unchanged': a concurrent retry reserved it already, or the worker settled it), and an order
 *   of another admission is never touched ('not_yours').
 * - The same checks as a first placement, in the same step as the writes: a live admission, the
 *   buyer cap (the buyer and quantity stored with the order), the stock. Tickets are never sold
 *   twice nor beyond the stock, and stock + sold stays ticketsTotal.
 *
 * KEYS: 1 config, 2 stock, 3 sold, 4 active, 5 outbox, 6 order, 7 revoked, 8 buyers
 * ARGV: 1 admission id (jti), 2 order id, 3 next republish time (epoch ms), 4 admission iat (s),
 *       5 admission exp (s)
 * Returns { outcome, status or '', number, admission expiry (epoch ms) or 0 }.
 */
const reReserveOrderLua = `
local ACTIVE, REVOKED, CONFIG = KEYS[4], KEYS[7], KEYS[1]
${clockLua}
${liveAdmissionLua}
local order = redis.call('HMGET', KEYS[6], 'status', 'quantity', 'admissionId', 'buyer')
if order[1] ~= 'withdrawn' then return { 'unchanged', order[1] or '', 0, 0 } end
if order[3] ~= ARGV[1] then return { 'not_yours', '', 0, 0 } end
local quantity = tonumber(order[2])
local config = redis.call('HMGET', KEYS[1], 'maxPerOrder', 'maxPerBuyer')
local maxPerOrder = tonumber(config[1])
local stock = tonumber(redis.call('GET', KEYS[2]))
if not maxPerOrder or not stock then return { 'not_found', '', 0, 0 } end
local maxPerBuyer = tonumber(config[2]) or maxPerOrder
local ok, expiresAt = live(ARGV[1], tonumber(ARGV[4]), tonumber(ARGV[5]))
if not ok then return { expiresAt, '', 0, 0 } end
local buyer = order[4]
if buyer then
  local bought = tonumber(redis.call('HGET', KEYS[8], buyer) or '0')
  if bought + quantity > maxPerBuyer then
    return { 'buyer_limit', '', math.max(0, maxPerBuyer - bought), 0 }
  end
end
if stock <= 0 then return { 'sold_out', '', 0, 0 } end
if stock < quantity then return { 'insufficient', '', stock, 0 } end
local remaining = redis.call('DECRBY', KEYS[2], quantity)
redis.call('INCRBY', KEYS[3], quantity)
if buyer then redis.call('HINCRBY', KEYS[8], buyer, quantity) end
redis.call('HSET', KEYS[6], 'status', 'pending')
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZADD', KEYS[5], ARGV[3], ARGV[2])
return { 'accepted', ARGV[2], remaining, expiresAt }
`;

/**
 * Undoes the reservation of an order whose intent could not be published in time, so the fan's
 * 503 leaves nothing behind and a retry can reserve the same order again.
 * Invariants:
 * - Only a pending order changes: confirmed or rejected (the intent did reach the worker) or
 *   already withdrawn, it is left as it is and its status returned.
 * - Exactly what the reservation took comes back, in one step: stock += quantity, sold -= quantity
 *   (stock + sold stays ticketsTotal), the buyer's count -= quantity; the order leaves the outbox
 *   (the relay never publishes a withdrawn order) and becomes withdrawn. Its record, tickets and
 *   intent stay, and admissionOrders / idempotency keep pointing at it, so a retry finds it.
 * - The admission is live again until the expiry it had (`active`), unless that has passed or the
 *   fan has left meanwhile (`revoked`), so the retry is bound by the same window as the order was.
 *
 * KEYS: 1 order, 2 stock, 3 sold, 4 buyers, 5 outbox, 6 active, 7 revoked
 * ARGV: 1 order id, 2 admission expiry (epoch ms) it was live until, 0 = none
 * Returns the order's status before the call ('pending' when it was withdrawn now).
 */
const withdrawOrderLua = `
${clockLua}
local order = redis.call('HMGET', KEYS[1], 'status', 'quantity', 'admissionId', 'buyer')
if order[1] ~= 'pending' then return order[1] or '' end
local quantity = tonumber(order[2])
redis.call('INCRBY', KEYS[2], quantity)
redis.call('DECRBY', KEYS[3], quantity)
if order[4] then
  if redis.call('HINCRBY', KEYS[4], order[4], -quantity) <= 0 then redis.call('HDEL', KEYS[4], order[4]) end
end
redis.call('ZREM', KEYS[5], ARGV[1])
redis.call('HSET', KEYS[1], 'status', 'withdrawn')
local expiresAt = tonumber(ARGV[2])
if order[3] and expiresAt > nowMs then
  local revoked = tonumber(redis.call('ZSCORE', KEYS[7], order[3]))
  if not (revoked and revoked > nowMs) then redis.call('ZADD', KEYS[6], expiresAt, order[3]) end
end
return 'pending'
`;

/**
 * Hands due outbox entries to one relay.
 * Invariant: an entry is returned to at most one caller per lease: its score moves to the lease end
 * in the same step it is read, so relays on several replicas need no leader and do not publish the
 * same order in the same round. Entries stay in the outbox until the worker confirms the order.
 *
 * KEYS: 1 outbox. ARGV: 1 now (ms), 2 lease end (ms), 3 max entries.
 */
const claimOutboxLua = `
local due = redis.call('ZRANGE', KEYS[1], '-inf', ARGV[1], 'BYSCORE', 'LIMIT', 0, tonumber(ARGV[3]))
for _, id in ipairs(due) do redis.call('ZADD', KEYS[1], 'XX', ARGV[2], id) end
return due
`;

/**
 * Brings a final ledger outcome into the order record checkout keeps in Redis.
 *
 * Invariants (the record's states are described at the top of this module):
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

/**
 * Writes a final order back from the ledger, after Redis lost its event (the worker's restorer),
 * before the event's config: checkout reserves nothing until then, so no script races it.
 * Invariants:
 * - Only a final state is written (confirmed or rejected, as the ledger holds it); the intent is
 *   dropped and the order leaves the outbox, as confirmOrder / rejectOrder do.
 * - One admission still yields one order: the admission -> order index is set only where absent.
 * - A reason is written only with one ('' leaves the field as it is).
 *
 * KEYS: 1 order, 2 outbox, 3 admissionOrders
 * ARGV: 1 order id, 2 status, 3 quantity, 4 admission id, 5 tickets JSON, 6 buyer field, 7 reason
 */
const restoreOrderLua = `
if ARGV[2] ~= 'confirmed' and ARGV[2] ~= 'rejected' then
  return redis.error_reply('ERR restoreOrder writes final states only, not ' .. ARGV[2])
end
redis.call('HSET', KEYS[1], 'status', ARGV[2], 'quantity', ARGV[3], 'admissionId', ARGV[4],
  'tickets', ARGV[5], 'buyer', ARGV[6])
if ARGV[7] ~= '' then redis.call('HSET', KEYS[1], 'reason', ARGV[7]) end
redis.call('HDEL', KEYS[1], 'intent')
redis.call('ZREM', KEYS[2], ARGV[1])
redis.call('HSETNX', KEYS[3], ARGV[4], ARGV[1])
return 1
`;

const placeOutcomes = [
  'accepted',
  'duplicate',
  'idempotency_conflict',
  'not_found',
  'too_many',
  'expired',
  'revoked',
  'buyer_limit',
  'sold_out',
  'insufficient',
] as const;
const reReserveOutcomes = [
  'accepted',
  'unchanged',
  'not_yours',
  'not_found',
  'expired',
  'revoked',
  'buyer_limit',
  'sold_out',
  'insufficient',
] as const;

/** The reply of a reservation: `number` is the stock left, a limit or a remainder, by outcome. */
function reservationReply<const O extends readonly [string, ...string[]]>(outcomes: O) {
  const schema = z.tuple([z.enum(outcomes), z.string(), z.number(), z.number()]);
  return (raw: unknown) => {
    const [outcome, id, number, expiresAt] = schema.parse(raw);
    return { outcome, id, number, expiresAt };
  };
}

const changedReply = (raw: unknown): boolean => z.number().parse(raw) === 1;

/**
 * The order scripts as plain data (names of KEYS and ARGV in order, Lua, reply parser), to be
 * loaded with `defineCommands`. Checkout runs placeOrder, reReserveOrder, withdrawOrder and
 * claimOutbox; the worker confirmOrder, rejectOrder and restoreOrder.
 */
export const orderRecordScripts = {
  /** Reply: id is the order placed or already held; expiresAt the admission's expiry (epoch ms). */
  placeOrder: {
    keys: [
      'config',
      'stock',
      'sold',
      'active',
      'admissionOrders',
      'idempotency',
      'outbox',
      'order',
      'revoked',
      'buyers',
    ],
    args: [
      'admissionId',
      'idempotencyKey',
      'orderId',
      'quantity',
      'intentJson',
      'ticketsJson',
      'orderAdmissionId',
      'republishAt',
      'buyer',
      'admissionIat',
      'admissionExp',
    ],
    lua: placeOrderLua,
    reply: reservationReply(placeOutcomes),
  },
  /** Reply: for 'unchanged', id is the order's status now. */
  reReserveOrder: {
    keys: ['config', 'stock', 'sold', 'active', 'outbox', 'order', 'revoked', 'buyers'],
    args: ['admissionId', 'orderId', 'republishAt', 'admissionIat', 'admissionExp'],
    lua: reReserveOrderLua,
    reply: reservationReply(reReserveOutcomes),
  },
  /** Reply: the status before the call, undefined when there was no record. */
  withdrawOrder: {
    keys: ['order', 'stock', 'sold', 'buyers', 'outbox', 'active', 'revoked'],
    args: ['orderId', 'admissionExpiresAt'],
    lua: withdrawOrderLua,
    reply: (raw: unknown): OrderRecordStatus | undefined => {
      const status = z.string().parse(raw);
      return status === '' ? undefined : OrderRecordStatusSchema.parse(status);
    },
  },
  /** Reply: the order ids this caller now holds the lease of. */
  claimOutbox: {
    keys: ['outbox'],
    args: ['now', 'leaseUntil', 'limit'],
    lua: claimOutboxLua,
    reply: (raw: unknown): string[] => z.array(z.string()).parse(raw),
  },
  /** Reply: true when the record changed (false: it was final already). */
  confirmOrder: {
    keys: ['order', 'outbox', 'config', 'stock', 'sold', 'buyers', 'active', 'admissionOrders'],
    args: ['orderId', 'quantity', 'admissionId', 'ticketsJson', 'buyer'],
    lua: confirmOrderLua,
    reply: changedReply,
  },
  /** Reply: true when the record changed (false: it was final already, or not written). */
  rejectOrder: {
    keys: ['order', 'outbox', 'config', 'stock', 'sold', 'buyers'],
    args: ['orderId', 'reason', 'quantity', 'admissionId', 'buyer', 'ledgerLeft', 'writeMissing'],
    lua: rejectOrderLua,
    reply: changedReply,
  },
  restoreOrder: {
    keys: ['order', 'outbox', 'admissionOrders'],
    args: ['orderId', 'status', 'quantity', 'admissionId', 'ticketsJson', 'buyer', 'reason'],
    lua: restoreOrderLua,
    reply: changedReply,
  },
} as const;

/**
 * The arguments of placeOrder for an intent checkout has drawn (ids, codes) and will publish as
 * `intentJson` (given, not derived: the caller publishes that very text).
 */
export function placeOrderArgs(
  intent: PurchaseIntent,
  options: {
    intentJson: string;
    idempotencyKey: string | undefined;
    republishAt: number;
    iat: number;
    exp: number;
  },
) {
  return {
    admissionId: intent.admissionId,
    idempotencyKey: options.idempotencyKey ?? '',
    orderId: intent.orderId,
    quantity: intent.quantity,
    intentJson: options.intentJson,
    ticketsJson: JSON.stringify(intent.tickets),
    orderAdmissionId: intent.admissionId,
    republishAt: options.republishAt,
    buyer: buyerCapField(intent.buyer.email),
    admissionIat: options.iat,
    admissionExp: options.exp,
  };
}

/** The arguments of confirmOrder for an intent the ledger took. */
export function confirmOrderArgs(intent: PurchaseIntent) {
  return {
    orderId: intent.orderId,
    quantity: intent.quantity,
    admissionId: intent.admissionId,
    ticketsJson: JSON.stringify(intent.tickets),
    buyer: buyerCapField(intent.buyer.email),
  };
}

/** What is known of an order being rejected; an intent that failed validation may lack parts. */
export interface OrderRejection {
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

/** The arguments of rejectOrder. */
export function rejectOrderArgs(rejection: OrderRejection) {
  return {
    orderId: rejection.orderId,
    reason: rejection.reason,
    quantity: rejection.quantity ?? 0,
    admissionId: rejection.admissionId ?? '',
    buyer: rejection.buyerEmail === undefined ? '' : buyerCapField(rejection.buyerEmail),
    ledgerLeft: rejection.ledgerLeft === undefined ? '' : String(rejection.ledgerLeft),
    writeMissing: rejection.fromLedger ? '1' : '0',
  };
}

/** A final order as the ledger holds it. */
export interface LedgerOrderRecord {
  orderId: string;
  admissionId: string;
  quantity: number;
  /** Empty for an order rejected as INVALID. */
  buyerEmail: string;
  status: 'confirmed' | 'rejected';
  reason: RejectReason | null;
  tickets: readonly Ticket[];
}

/** The arguments of restoreOrder. */
export function restoreOrderArgs(order: LedgerOrderRecord) {
  return {
    orderId: order.orderId,
    status: order.status,
    quantity: order.quantity,
    admissionId: order.admissionId,
    ticketsJson: JSON.stringify(order.tickets),
    buyer: order.buyerEmail ? buyerCapField(order.buyerEmail) : '',
    reason: order.reason ?? '',
  };
}

/** The record's fields as readers get them. */
export interface OrderRecord {
  status: OrderRecordStatus;
  quantity: number;
  admissionId: string;
  tickets: Ticket[];
  /** The intent's JSON, as published. */
  intent: string;
  buyer: string;
  /** Absent as well when the stored value is not a known reason. */
  reason: RejectReason;
}

export type OrderRecordField = Exclude<keyof OrderRecord, 'status'>;

const StoredTicketsSchema = z.array(TicketSchema);

const fieldParsers: { [F in OrderRecordField]: (value: string) => OrderRecord[F] | undefined } = {
  quantity: (value) => z.coerce.number().int().min(0).parse(value),
  admissionId: (value) => value,
  tickets: (value) => StoredTicketsSchema.parse(JSON.parse(value)),
  intent: (value) => value,
  buyer: (value) => value,
  reason: (value) => RejectReasonSchema.safeParse(value).data,
};

export type OrderRecordRead<F extends OrderRecordField> = Pick<OrderRecord, 'status'> &
  Partial<Pick<OrderRecord, F>>;

export interface OrderRecordReader<F extends OrderRecordField> {
  /** The fields to ask HMGET for, status first. */
  readonly fields: readonly ['status', ...F[]];
  /**
   * HMGET's answer, in `fields` order: the record, or undefined when there is none (no status, or
   * one that is not a state). A field that is absent is absent; one that is malformed throws.
   */
  parse(values: readonly (string | null)[]): OrderRecordRead<F> | undefined;
}

/** Reads some fields of the record (always its status): `redis.hmget(key, ...reader.fields)`. */
export function orderRecordReader<const F extends readonly OrderRecordField[]>(
  ...fields: F
): OrderRecordReader<F[number]> {
  return {
    fields: ['status', ...fields],
    parse(values) {
      const status = OrderRecordStatusSchema.safeParse(values[0]);
      if (!status.success) return undefined;
      const record: Pick<OrderRecord, 'status'> & Partial<OrderRecord> = { status: status.data };
      fields.forEach((field, index) => {
        const value = values[index + 1];
        if (value === null || value === undefined) return;
        const parsed = fieldParsers[field](value);
        if (parsed !== undefined) Object.assign(record, { [field]: parsed });
      });
      return record;
    },
  };
}
