import { script } from '@frequency/config/redis-commands';
import { charge } from './lua-fragments.js';
import { outcomeReply } from './replies.js';

/**
 * CHALLENGE. KEYS: config, rateLimit, challenge. ARGV: rate limit (0 = off), rate window ms, bits,
 * lifetime ms.
 * Invariant: every stored challenge was charged to one client's join budget and expires after its
 * lifetime, so live challenges never exceed (budget per window) × (windows per lifetime) per client,
 * and none is stored for an event that does not exist.
 */
const challengeLua = `${charge}
local limited = charge(KEYS[2], tonumber(ARGV[1]), ARGV[2])
if limited then return {'rate_limited', limited} end
if redis.call('EXISTS', KEYS[1]) == 0 then return {'not_found', 0} end
redis.call('SET', KEYS[3], ARGV[3], 'PX', ARGV[4])
return {'ok', 0}
`;

export const challengeScripts = {
  /** value: the ms until the client's window ends when rate limited, else 0. */
  wrChallenge: script({
    keys: ['config', 'rateLimit', 'challenge'],
    args: ['limit', 'windowMs', 'bits', 'ttlMs'],
    lua: challengeLua,
    reply: outcomeReply(['ok', 'rate_limited', 'not_found']),
  }),
};
