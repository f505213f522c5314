import type { RedisClient } from '@frequency/config/redis';
import type { Result } from 'ioredis';

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

declare module 'ioredis' {
  interface RedisCommander<Context> {
    placeOrder(
      config: string,
      stock: string,
      sold: string,
      active: string,
      admissionOrders: string,
      idempotency: string,
      outbox: string,
      order: string,
      revoked: string,
      buyers: string,
      admissionId: string,
      idempotencyKey: string,
      orderId: string,
      quantity: number,
      intentJson: string,
      ticketsJson: string,
      orderAdmissionId: string,
      republishAt: number,
      buyerField: string,
      admissionIat: number,
      admissionExp: number,
    ): Result<[string, string, number, number], Context>;
    reReserveOrder(
      config: string,
      stock: string,
      sold: string,
      active: string,
      outbox: string,
      order: string,
      revoked: string,
      buyers: string,
      admissionId: string,
      orderId: string,
      republishAt: number,
      admissionIat: number,
      admissionExp: number,
    ): Result<[string, string, number, number], Context>;
    withdrawOrder(
      order: string,
      stock: string,
      sold: string,
      buyers: string,
      outbox: string,
      active: string,
      revoked: string,
      orderId: string,
      admissionExpiresAt: number,
    ): Result<string, Context>;
    claimOutbox(
      outbox: string,
      now: number,
      leaseUntil: number,
      limit: number,
    ): Result<string[], Context>;
  }
}

/** Loads checkout's scripts once per client (EVALSHA afterwards, EVAL fallback after a flush). */
export function defineCheckoutCommands(redis: RedisClient): void {
  redis.defineCommand('placeOrder', { numberOfKeys: 10, lua: placeOrderLua });
  redis.defineCommand('reReserveOrder', { numberOfKeys: 8, lua: reReserveOrderLua });
  redis.defineCommand('withdrawOrder', { numberOfKeys: 7, lua: withdrawOrderLua });
  redis.defineCommand('claimOutbox', { numberOfKeys: 1, lua: claimOutboxLua });
}
