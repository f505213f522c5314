import type { Redis, Result } from 'ioredis';

/**
 * Places one order, atomically (KEYS all carry the event's hash tag, so one slot).
 * Invariants:
 * - One admission yields at most one order: the same admission (or Idempotency-Key) again returns
 *   the order it placed, before any other check, so a retry never fails on a limit it already used.
 * - An order is accepted only for an admission that is live in Redis: its jti is in `active` with
 *   an expiry after Redis TIME. The waiting room admits up to maxActiveCheckouts live admissions
 *   and gives a slot again once its admission left `active` (order placed, fan left, expired), so
 *   a token whose admission has left `active` can never add a checkout beyond the cap, whatever
 *   order leave, expiry and the order arrive in. A jti in `revoked` (the fan left) answers
 *   'revoked', any other absent or past one 'expired'.
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
 *       9 buyer field (buyerCapField of the e-mail)
 * Returns { outcome, orderId or detail, number }.
 */
const placeOrderLua = `
local existing = redis.call('HGET', KEYS[5], ARGV[1])
if existing then return { 'duplicate', existing, 0 } end
if ARGV[2] ~= '' then
  local held = redis.call('HGET', KEYS[6], ARGV[2])
  if held then
    local sep = string.find(held, ' ', 1, true)
    if string.sub(held, 1, sep - 1) == ARGV[1] then return { 'duplicate', string.sub(held, sep + 1), 0 } end
    return { 'idempotency_conflict', '', 0 }
  end
end
local config = redis.call('HMGET', KEYS[1], 'maxPerOrder', 'maxPerBuyer')
local maxPerOrder = tonumber(config[1])
local stock = tonumber(redis.call('GET', KEYS[2]))
if not maxPerOrder or not stock then return { 'not_found', '', 0 } end
local maxPerBuyer = tonumber(config[2]) or maxPerOrder
local quantity = tonumber(ARGV[4])
if quantity > maxPerOrder then return { 'too_many', '', maxPerOrder } end
local t = redis.call('TIME')
local nowMs = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local expiresAt = tonumber(redis.call('ZSCORE', KEYS[4], ARGV[1]))
if not expiresAt or expiresAt <= nowMs then
  local revoked = tonumber(redis.call('ZSCORE', KEYS[9], ARGV[1]))
  if revoked and revoked > nowMs then return { 'revoked', '', 0 } end
  return { 'expired', '', 0 }
end
local bought = tonumber(redis.call('HGET', KEYS[10], ARGV[9]) or '0')
if bought + quantity > maxPerBuyer then
  return { 'buyer_limit', '', math.max(0, maxPerBuyer - bought) }
end
if stock <= 0 then return { 'sold_out', '', 0 } end
if stock < quantity then return { 'insufficient', '', stock } end
local remaining = redis.call('DECRBY', KEYS[2], quantity)
redis.call('INCRBY', KEYS[3], quantity)
redis.call('HINCRBY', KEYS[10], ARGV[9], quantity)
redis.call('HSET', KEYS[8], 'status', 'pending', 'quantity', quantity, 'admissionId', ARGV[7],
  'tickets', ARGV[6], 'intent', ARGV[5])
redis.call('HSET', KEYS[5], ARGV[1], ARGV[3])
if ARGV[2] ~= '' then redis.call('HSET', KEYS[6], ARGV[2], ARGV[1] .. ' ' .. ARGV[3]) end
redis.call('ZREM', KEYS[4], ARGV[1])
redis.call('ZADD', KEYS[7], ARGV[8], ARGV[3])
return { 'accepted', ARGV[3], remaining }
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
    ): Result<[string, string, number], Context>;
    claimOutbox(
      outbox: string,
      now: number,
      leaseUntil: number,
      limit: number,
    ): Result<string[], Context>;
  }
}

/** Loads checkout's scripts once per client (EVALSHA afterwards, EVAL fallback after a flush). */
export function defineCheckoutCommands(redis: Redis): void {
  redis.defineCommand('placeOrder', { numberOfKeys: 10, lua: placeOrderLua });
  redis.defineCommand('claimOutbox', { numberOfKeys: 1, lua: claimOutboxLua });
}
