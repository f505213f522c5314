import { script } from '@frequency/config/redis-commands';
import { flagReply, optionalStringReply } from './replies.js';

/**
 * LEASE. KEYS: lease, fence. ARGV: instance id, ttl ms, the value this instance holds ('' if none),
 * the highest fence this instance has held (0 if none).
 * Invariant: at most one holder; every new holding gets a fence strictly above all earlier ones,
 * even after Redis forgot the fence counter: a holder never gets a fence it held before, so a write
 * it began under an old holding stays refused.
 */
const leaseLua = `
local current = redis.call('GET', KEYS[1])
if not current then
  local fence = redis.call('INCR', KEYS[2])
  local held = tonumber(ARGV[4] or '0') or 0
  if fence <= held then
    fence = held + 1
    redis.call('SET', KEYS[2], fence)
  end
  local value = ARGV[1] .. '|' .. fence
  redis.call('SET', KEYS[1], value, 'PX', ARGV[2])
  return value
end
if current == ARGV[3] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return current
end
return false
`;

/** RELEASE. KEYS: lease. ARGV: value. Invariant: only the holder deletes its lease. */
const releaseLua = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

/** The admission leader's lease of one event, fenced. */
export const leadershipScripts = {
  /** Reply: the lease value now held ("instanceId|fence"), or null when another instance holds it. */
  wrLease: script({
    keys: ['lease', 'fence'],
    args: ['instanceId', 'ttlMs', 'held', 'highestFence'],
    lua: leaseLua,
    reply: optionalStringReply,
  }),
  /** Reply: whether the lease was deleted. */
  wrRelease: script({
    keys: ['lease'],
    args: ['leaseValue'],
    lua: releaseLua,
    reply: flagReply,
  }),
};
