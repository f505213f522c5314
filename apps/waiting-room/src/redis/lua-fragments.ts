/**
 * Lua shared by several of the waiting room's scripts, pasted in front of each script's own text.
 * Every script touches the keys of one event only (one hash tag, one cluster slot), reads the clock
 * with TIME so all replicas agree on it (last-seen seconds excepted: they are the replica's, see
 * JOIN and SEEN), and states the invariant it keeps. Commands inside a script are counted like any
 * other, so each script reads with one command what it can and writes in batches.
 */

export const clock = `
local function clock()
  local t = redis.call('TIME')
  return tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000), tonumber(t[1])
end
`;

/**
 * Sealing freezes the pre-queue: from then on nobody enters it, its size is the base of the main line
 * and main-line places are counted from there. Idempotent; done by the first join or leader tick at or
 * after opening.
 */
export const seal = `
local function seal(stateKey, preKey, nowMs, opensAt)
  if redis.call('HGET', stateKey, 'sealed') == '1' then return true end
  if nowMs < opensAt then return false end
  local base = redis.call('ZCARD', preKey)
  redis.call('HSET', stateKey, 'sealed', '1', 'base', base, 'seq', base, 'shuffleNext', 0)
  if base == 0 then redis.call('HSET', stateKey, 'shuffled', '1') end
  return true
end
`;

/** A write by the admission leader counts only if its lease and fence are still the current ones. */
export const fenced = `
local function holdsLease(leaseKey, fenceKey, leaseValue)
  if redis.call('GET', leaseKey) ~= leaseValue then return false end
  local fence = string.match(leaseValue, '|(%d+)$')
  return redis.call('GET', fenceKey) == fence
end
`;

/**
 * The per-client budget of joins: a fixed-window counter. Returns the ms until the window ends when
 * the budget is spent, else nil. A limit of 0 charges nothing. A client's first join of a window (the
 * common case: a fan joins once) costs one command, SET NX with the window's expiry; later ones INCR.
 */
export const charge = `
local function charge(key, limit, windowMs)
  if limit <= 0 then return nil end
  if not redis.call('SET', key, 1, 'PX', windowMs, 'NX', 'GET') then return nil end
  local n = redis.call('INCR', key)
  if n <= limit then return nil end
  local ttl = redis.call('PTTL', key)
  if ttl < 0 then redis.call('PEXPIRE', key, windowMs); ttl = tonumber(windowMs) end
  return ttl
end
`;
