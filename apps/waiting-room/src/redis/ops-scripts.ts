import { script } from '@frequency/config/redis-commands';
import { numberReply } from './replies.js';

/**
 * OPS LOGIN CHECK. KEYS: the client's failure counter. ARGV: failures allowed per window, window ms.
 * Returns the ms until the client may try again, or 0 when it is not locked out. Invariant: a locked
 * counter always expires (a counter without a TTL is given one), so nobody is locked out for good.
 */
const opsLoginCheckLua = `
local n = tonumber(redis.call('GET', KEYS[1]) or '0')
if n < tonumber(ARGV[1]) then return 0 end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[2]); ttl = tonumber(ARGV[2]) end
return ttl
`;

/**
 * OPS LOGIN FAILURE. KEYS: the client's failure counter. ARGV: window ms. Returns the failures in the
 * current window. Invariant: the window starts at the first failure and the counter never outlives it.
 */
const opsLoginFailureLua = `
local n = redis.call('INCR', KEYS[1])
if n == 1 or redis.call('PTTL', KEYS[1]) < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
return n
`;

/** The ops login's lockout counter of one client. */
export const opsScripts = {
  wrOpsLoginCheck: script({
    keys: ['failures'],
    args: ['allowed', 'windowMs'],
    lua: opsLoginCheckLua,
    reply: numberReply,
  }),
  wrOpsLoginFailure: script({
    keys: ['failures'],
    args: ['windowMs'],
    lua: opsLoginFailureLua,
    reply: numberReply,
  }),
};
