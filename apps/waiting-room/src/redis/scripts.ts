import type { RedisClient } from '@frequency/config/redis';
import type { Result } from 'ioredis';

/**
 * The waiting room's Lua scripts, loaded once per client with `defineCommand` (EVALSHA afterwards).
 * Every script touches the keys of one event only (one hash tag, one cluster slot), reads the clock
 * with TIME so all replicas agree on it (last-seen seconds excepted: they are the replica's, see
 * JOIN and SEEN), and states the invariant it keeps. Commands inside a script are counted like any
 * other, so each script reads with one command what it can and writes in batches.
 */

const clock = `
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
const seal = `
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
const fenced = `
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
const charge = `
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

/**
 * JOIN. KEYS: config, state, pre, line, seen, preSeen, stock, rateLimit, challenge.
 * ARGV: entry id, rate limit (0 = off), rate window ms, pre-queue window ms, zero bits of the
 * solution's SHA-256 ('' when the join redeems no challenge).
 * Invariant: every entry gets exactly one place: an arrival number in the (unsealed) pre-queue before
 * opening, or the next integer place after it. Places are dense and never reused, and nobody is added
 * to the pre-queue once it is sealed. The client's counter is charged in the same round trip. A
 * challenge is redeemed at most once: it is deleted before its bits are compared, so a wrong or a
 * repeated solution never gets a place, and a correct one is consumed by exactly one join.
 * Nobody gets a place while Redis has forgotten the event (no state seed or no stock key, until the
 * state is merged back and the ledger restored the stock): counting places from an empty state
 * would give places that queue tokens already hold.
 */
// Once sealed, the opening time and the stock decide nothing in here: an open event's join is a
// state read, the client's charge and the place (four commands). Sold out is the replica's snapshot's
// answer (at most one refresh old), before this script; a config or stock Redis forgot marks the
// snapshot stale and joins stop there too. The state's seed alone guards the place counter. The
// place's first last-seen second goes with the replica's next last-seen batch (SEEN), like every poll's;
// admission takes a place with none recorded yet for a fresh one.
const joinLua = `${clock}${seal}${charge}
local st = redis.call('HMGET', KEYS[2], 'seed', 'sealed')
if not st[1] then return {'unavailable', 0} end
if ARGV[5] ~= '' then
  local issued = redis.call('GETDEL', KEYS[9])
  if not issued then return {'challenge_failed', 0} end
  if tonumber(ARGV[5]) < tonumber(issued) then return {'challenge_failed', 0} end
end
local limited = charge(KEYS[8], tonumber(ARGV[2]), ARGV[3])
if limited then return {'rate_limited', limited} end
if st[2] ~= '1' then
  local opensAt = redis.call('HGET', KEYS[1], 'opensAt')
  local stock = redis.call('GET', KEYS[7])
  if not stock then return {'unavailable', 0} end
  if not opensAt then return {'not_found', 0} end
  opensAt = tonumber(opensAt)
  if tonumber(stock) <= 0 then return {'sold_out', 0} end
  local nowMs, nowSec = clock()
  if not seal(KEYS[2], KEYS[3], nowMs, opensAt) then
    local prequeueFrom = opensAt - tonumber(ARGV[4])
    if nowMs < prequeueFrom then return {'not_open', prequeueFrom - nowMs} end
    local p = redis.call('HINCRBY', KEYS[2], 'preSeq', 1)
    redis.call('ZADD', KEYS[3], p, ARGV[1])
    redis.call('BITFIELD', KEYS[6], 'SET', 'u32', '#' .. p, nowSec)
    return {'prequeue', p}
  end
end
local seq = redis.call('HINCRBY', KEYS[2], 'seq', 1)
redis.call('ZADD', KEYS[4], seq, ARGV[1])
return {'waiting', seq}
`;

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

/**
 * SEAL. KEYS: state, pre, config. Invariant: see \`seal\`; a state Redis forgot (no seed) is never
 * sealed, since its pre-queue and places are not back yet. Returns 1 once sealed.
 */
const sealLua = `${clock}${seal}
if redis.call('HEXISTS', KEYS[1], 'seed') == 0 then return 0 end
local opensAt = redis.call('HGET', KEYS[3], 'opensAt')
if not opensAt then return 0 end
local nowMs = clock()
if seal(KEYS[1], KEYS[2], nowMs, tonumber(opensAt)) then return 1 end
return 0
`;

/**
 * SHUFFLE_CHUNK. KEYS: lease, fence, state, line, seen, preSeen, pre.
 * ARGV: lease value, start index, then (entry id, place, arrival number) triples.
 * Invariant: the shuffled order is written exactly once, chunk after chunk in index order: a chunk
 * whose start is not the recorded progress is ignored, so a retry or a second leader cannot write a
 * place twice. Admission waits for \`shuffled\`, so nobody is admitted from a half-written line.
 */
const shuffleChunkLua = `${fenced}
if not holdsLease(KEYS[1], KEYS[2], ARGV[1]) then return {'fenced', 0, 0} end
local st = redis.call('HMGET', KEYS[3], 'sealed', 'shuffled', 'shuffleNext', 'base')
local base = tonumber(st[4] or '0')
if st[1] ~= '1' then return {'not_sealed', 0, 0} end
if st[2] == '1' then return {'ok', base, 1} end
local nextIndex = tonumber(st[3] or '0')
local start = tonumber(ARGV[2])
if start ~= nextIndex then return {'ok', nextIndex, 0} end
for i = 3, #ARGV, 3 do
  redis.call('ZADD', KEYS[4], ARGV[i + 1], ARGV[i])
  local seen = redis.call('BITFIELD', KEYS[6], 'GET', 'u32', '#' .. ARGV[i + 2])[1]
  redis.call('BITFIELD', KEYS[5], 'SET', 'u32', '#' .. ARGV[i + 1], seen)
  nextIndex = nextIndex + 1
end
if nextIndex >= base then
  redis.call('HSET', KEYS[3], 'shuffled', '1', 'shuffleNext', nextIndex)
  redis.call('UNLINK', KEYS[7], KEYS[6])
  return {'ok', nextIndex, 1}
end
redis.call('HSET', KEYS[3], 'shuffleNext', nextIndex)
return {'ok', nextIndex, 0}
`;

/**
 * ADMIT. KEYS: lease, fence, state, line, seen, admissions, active, stock.
 * ARGV: lease value, wanted, window ms, abandon-after s, max active, max scanned, return grace ms,
 * admission ids...
 * Returns status, admitted, left, abandoned, front, active and, when it admitted, the expiry and the
 * entry ids it admitted (in the order of the admission ids), so the replica remembers what it gave.
 * Invariants: only the current leader admits (fence); live admissions never exceed maxActiveCheckouts
 * nor the tickets left; entries are taken strictly in place order, and one who left or stopped polling
 * is passed over (counted) so the slot goes to the next fan; \`front\` is the highest place passed
 * and never decreases. Places are given densely, so a gap between the front and the head of the line
 * exists only after Redis forgot entries: until the return grace has run since the state was put
 * back (\`restoredFrontAt\`, long enough for every fan following its pollAfterMs to poll once), the
 * head is taken only if no place before it is missing, so a fan coming back is not overtaken by a
 * later one who happened to poll first. After the grace, missing places are passed.
 */
/** Places one ZPOPMIN takes at most: keeps every unpack in the admission script far below Lua's limit. */
const ADMIT_BATCH = 1_000;

const admitLua = `${clock}${fenced}
if not holdsLease(KEYS[1], KEYS[2], ARGV[1]) then return {'fenced', 0, 0, 0, 0, 0} end
local st = redis.call('HMGET', KEYS[3], 'shuffled', 'front', 'restoredFrontAt', 'admitted',
  'skippedLeft', 'skippedAbandoned', 'leftPending')
local front = tonumber(st[2] or '0')
local nowMs, nowSec = clock()
local holdGaps = nowMs < tonumber(st[3] or '0') + tonumber(ARGV[7])
redis.call('ZREMRANGEBYSCORE', KEYS[7], '-inf', nowMs)
local active = redis.call('ZCARD', KEYS[7])
if st[1] ~= '1' then return {'not_ready', 0, 0, 0, front, active} end
local stock = tonumber(redis.call('GET', KEYS[8]) or '0')
if stock <= 0 then return {'sold_out', 0, 0, 0, front, active} end
local room = math.min(tonumber(ARGV[2]), tonumber(ARGV[5]) - active, stock - active)
local admitted, left, abandoned, scanned = 0, 0, 0, 0
local members = {}
local maxScan = tonumber(ARGV[6])
local expiresAt = nowMs + tonumber(ARGV[3])
local cutoff = nowSec - tonumber(ARGV[4])
-- Places are taken in batches (one ZPOPMIN, one BITFIELD, one HSET and one ZADD per batch rather
-- than per fan); a batch never pops more than the admissions still owed, so nobody is popped who
-- would not be admitted or passed. While gaps are held, one place at a time, each checked first.
while admitted < room and scanned < maxScan do
  local want = math.min(room - admitted, maxScan - scanned, ${ADMIT_BATCH})
  if holdGaps then
    local head = redis.call('ZRANGE', KEYS[4], 0, 0, 'WITHSCORES')
    if #head == 0 or tonumber(head[2]) > front + 1 then break end
    want = 1
  end
  local popped = redis.call('ZPOPMIN', KEYS[4], want)
  if #popped == 0 then break end
  local gets = {}
  for i = 2, #popped, 2 do
    gets[#gets + 1] = 'GET'
    gets[#gets + 1] = 'u32'
    gets[#gets + 1] = '#' .. popped[i]
  end
  local seens = redis.call('BITFIELD', KEYS[5], unpack(gets))
  local given, live = {}, {}
  for i = 1, #popped, 2 do
    local member, seq = popped[i], popped[i + 1]
    local seen = seens[(i + 1) / 2]
    scanned = scanned + 1
    -- A place put back after Redis forgot it may lie behind the front: passing it never moves the
    -- front back.
    front = math.max(front, tonumber(seq))
    if seen == 1 then
      left = left + 1
    elseif seen ~= 0 and seen < cutoff then
      -- 0: no second recorded yet, a join younger than one last-seen batch.
      abandoned = abandoned + 1
    else
      admitted = admitted + 1
      local jti = ARGV[7 + admitted]
      given[#given + 1] = member
      given[#given + 1] = jti .. ':' .. expiresAt
      live[#live + 1] = expiresAt
      live[#live + 1] = jti
      members[admitted] = member
    end
  end
  if #given > 0 then
    redis.call('HSET', KEYS[6], unpack(given))
    redis.call('ZADD', KEYS[7], unpack(live))
  end
  if #popped < want * 2 then break end
end
if scanned > 0 then
  -- Read and written in this one script, so the counters move exactly as HINCRBY would move them.
  redis.call('HSET', KEYS[3], 'front', front,
    'admitted', tonumber(st[4] or '0') + admitted,
    'skippedLeft', tonumber(st[5] or '0') + left,
    'skippedAbandoned', tonumber(st[6] or '0') + abandoned,
    'leftPending', tonumber(st[7] or '0') - left)
end
return {'ok', admitted, left, abandoned, front, active + admitted, expiresAt, unpack(members)}
`;

/**
 * LEAVE. KEYS: state, pre, line, seen, preSeen, admissions, active, revoked.
 * ARGV: entry id, 'seq' | 'pre', the token's place (seq) or arrival number (pre).
 * Invariant: a fan who leaves is never admitted afterwards, and leaving twice changes nothing. In the
 * line the place is only marked (O(1)); admission passes over it. An admitted fan who leaves frees the
 * checkout slot at once and, in the same step, gives up the admission (its place is marked as left,
 * so it is not put back after Redis forgot the admission): it leaves `active` (checkout
 * orders only for a live admission, so the slot cannot be used twice) and is kept in `revoked`
 * until it would have expired, so checkout can say why it refuses it. `revoked` is trimmed here.
 */
const leaveLua = `${clock}
local function markLeft(key, n)
  local cur = redis.call('BITFIELD', key, 'GET', 'u32', '#' .. n)[1]
  if cur == 1 then return false end
  redis.call('BITFIELD', key, 'SET', 'u32', '#' .. n, 1)
  redis.call('HINCRBY', KEYS[1], 'leftPending', 1)
  return true
end
local member = ARGV[1]
local seq = redis.call('ZSCORE', KEYS[3], member)
if seq then
  if markLeft(KEYS[4], seq) then return 'left' end
  return 'gone'
end
if ARGV[2] == 'pre' then
  local st = redis.call('HMGET', KEYS[1], 'sealed', 'shuffled')
  if st[1] ~= '1' then
    if redis.call('ZREM', KEYS[2], member) == 1 then
      -- Marked too, so an arrival that left is never put back after Redis forgot the pre-queue.
      redis.call('BITFIELD', KEYS[5], 'SET', 'u32', '#' .. ARGV[3], 1)
      redis.call('HINCRBY', KEYS[1], 'skippedLeft', 1)
      return 'left_prequeue'
    end
    return 'gone'
  end
  if st[2] ~= '1' and redis.call('ZSCORE', KEYS[2], member) then
    if markLeft(KEYS[5], ARGV[3]) then return 'left' end
    return 'gone'
  end
end
local admission = redis.call('HGET', KEYS[6], member)
if admission then
  local jti, expiresAt = string.match(admission, '^([^:]+):(%d+)$')
  redis.call('ZREM', KEYS[7], jti)
  redis.call('HDEL', KEYS[6], member)
  -- Its place (admission passed it already, so nothing is pending) is marked too, so a fan who
  -- gave up its admission is never put back in line after Redis lost the admission.
  if ARGV[2] == 'seq' then redis.call('BITFIELD', KEYS[4], 'SET', 'u32', '#' .. ARGV[3], 1) end
  local nowMs = clock()
  redis.call('ZREMRANGEBYSCORE', KEYS[8], '-inf', nowMs)
  if tonumber(expiresAt) > nowMs then redis.call('ZADD', KEYS[8], expiresAt, jti) end
  return 'released'
end
return 'gone'
`;

/**
 * SEEN. KEYS: seen or preSeen. ARGV: unix seconds, places...
 * Invariant: a poll never overwrites the "left" marker, so a late batch cannot bring back a fan who
 * has left.
 */
// Two commands per batch, whatever its size: one BITFIELD reads every place, one writes those not
// marked as left.
const seenLua = `
local gets = {}
for i = 2, #ARGV do
  gets[#gets + 1] = 'GET'
  gets[#gets + 1] = 'u32'
  gets[#gets + 1] = '#' .. ARGV[i]
end
local current = redis.call('BITFIELD', KEYS[1], unpack(gets))
local sets = {}
for i = 2, #ARGV do
  if current[i - 1] ~= 1 then
    sets[#sets + 1] = 'SET'
    sets[#sets + 1] = 'u32'
    sets[#sets + 1] = '#' .. ARGV[i]
    sets[#sets + 1] = ARGV[1]
  end
end
if #sets > 0 then redis.call('BITFIELD', KEYS[1], unpack(sets)) end
return #ARGV - 1
`;

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

/**
 * CREATE. KEYS: config, stock, sold, state, audit. ARGV: tickets total, seed, commitment, audit cap
 * (0 = no audit), actor, request id, event id, config pairs...
 * Invariant: an event is created once, with stock + sold = ticketsTotal and its shuffle commitment
 * fixed before anyone can join, at config version 1; an audited creation is in the audit stream
 * exactly when it happened.
 */
const createEventLua = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local fields = {}
local changes = {}
for i = 8, #ARGV do fields[#fields + 1] = ARGV[i] end
for i = 8, #ARGV, 2 do changes[#changes + 1] = {ARGV[i], cjson.null, ARGV[i + 1]} end
redis.call('HSET', KEYS[1], unpack(fields))
redis.call('HSET', KEYS[1], 'version', 1)
redis.call('SET', KEYS[2], ARGV[1])
redis.call('SET', KEYS[3], 0)
redis.call('HSET', KEYS[4], 'seq', 0, 'preSeq', 0, 'sealed', 0, 'shuffled', 0, 'front', 0,
  'admitted', 0, 'skippedLeft', 0, 'skippedAbandoned', 0, 'leftPending', 0,
  'seed', ARGV[2], 'commitment', ARGV[3])
if tonumber(ARGV[4]) > 0 then
  redis.call('XADD', KEYS[5], 'MAXLEN', ARGV[4], '*', 'actor', ARGV[5], 'action', 'create_event',
    'event', ARGV[7], 'changes', cjson.encode(changes), 'requestId', ARGV[6])
end
return 1
`;

/**
 * PATCH. KEYS: config, audit. ARGV: audit cap (0 = no audit), actor, request id, event id, the
 * highest config version the caller has seen, config pairs... Returns the changes as JSON
 * [[field, old, new], ...] (only fields whose value differs), or nil for an unknown event.
 * Invariants: the old values recorded are the ones this write replaced, so the audit trail chains
 * (each entry's old value is the previous entry's new one) however many ops write at once. Trimming
 * is exact, not "~": ops changes are rare, so each XADD drops at most one entry, and the cap holds.
 * Every change raises \`version\` in the same step, above both the stored one and any the caller saw,
 * so the ledger (which keeps the highest version) never mistakes it for one it has, even after
 * Redis lost a recent change.
 */
const patchEventLua = `
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local changes = {}
local fields = {}
for i = 6, #ARGV, 2 do
  local old = redis.call('HGET', KEYS[1], ARGV[i])
  if old ~= ARGV[i + 1] then
    changes[#changes + 1] = {ARGV[i], old or cjson.null, ARGV[i + 1]}
    fields[#fields + 1] = ARGV[i]
    fields[#fields + 1] = ARGV[i + 1]
  end
end
if #changes == 0 then return '[]' end
local version = math.max(tonumber(redis.call('HGET', KEYS[1], 'version') or '1') or 1,
  tonumber(ARGV[5]) or 0) + 1
fields[#fields + 1] = 'version'
fields[#fields + 1] = version
redis.call('HSET', KEYS[1], unpack(fields))
local encoded = cjson.encode(changes)
if tonumber(ARGV[1]) > 0 then
  redis.call('XADD', KEYS[2], 'MAXLEN', ARGV[1], '*', 'actor', ARGV[2], 'action', 'patch_event',
    'event', ARGV[4], 'changes', encoded, 'requestId', ARGV[3])
end
return encoded
`;

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

/**
 * RESTORE STATE. KEYS: state, pre. ARGV: seed and commitment ('' if unknown), leftPending, then
 * (field, value) pairs of the counters this replica knows (seq, preSeq, base, sealed, shuffled,
 * shuffleNext, front, admitted, skippedLeft, skippedAbandoned). Returns 1 if it wrote anything.
 * Invariant: every counter of the state only grows, so after Redis forgot it (or lost recent writes)
 * each replica puts back the highest value it knows and replicas converge on the highest of all: no
 * place is given twice and the front never moves back. The seed and commitment are only ever set
 * when missing, so a published commitment never changes. A sealed pre-queue whose set is gone can no
 * longer be shuffled: it counts as shuffled (its fans come back through their tokens) so admission
 * does not wait for it forever. Any write stamps \`restoredAt\` (Redis TIME), which tells every
 * replica that entries may be missing from the line, and \`restoredFront\`, the front as it was
 * known when Redis forgot, with \`restoredFrontAt\` (the same clock, ms), when that was: admission
 * may pass places beyond it only because their entries were missing, not because their fans had gone.
 */
const restoreStateLua = `${clock}
local wrote = 0
if ARGV[1] ~= '' and redis.call('HSETNX', KEYS[1], 'seed', ARGV[1]) == 1 then
  redis.call('HSET', KEYS[1], 'commitment', ARGV[2])
  wrote = 1
end
if redis.call('HSETNX', KEYS[1], 'leftPending', ARGV[3]) == 1 then wrote = 1 end
for i = 4, #ARGV, 2 do
  local current = tonumber(redis.call('HGET', KEYS[1], ARGV[i]) or '0') or 0
  local known = tonumber(ARGV[i + 1]) or 0
  if known > current then
    redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
    wrote = 1
  end
end
local st = redis.call('HMGET', KEYS[1], 'sealed', 'shuffled', 'base')
if st[1] == '1' and st[2] ~= '1' and tonumber(st[3] or '0') > 0
    and redis.call('EXISTS', KEYS[2]) == 0 then
  redis.call('HSET', KEYS[1], 'shuffled', '1')
  wrote = 1
end
if wrote == 1 then
  local nowMs = clock()
  redis.call('HSET', KEYS[1], 'restoredAt', nowMs)
  -- The first replica to put the state back knows the front best; later merges keep its value
  -- and the time it was taken.
  if redis.call('HSETNX', KEYS[1], 'restoredFront', redis.call('HGET', KEYS[1], 'front') or '0') == 1 then
    redis.call('HSET', KEYS[1], 'restoredFrontAt', nowMs)
  end
end
return wrote
`;

/**
 * RETURN. KEYS: state, line, seen, admissions. ARGV: entry id, place (from its queue token),
 * abandon-after seconds (the admission's).
 * Answers admitted | present | left | passed | restored.
 * Invariant: an entry goes back into the line only at the place its token proves, and only when
 * Redis forgot it: never when it left (marker 1), holds an admission, or was passed over by
 * admission before Redis forgot. Admission passes a place over only for the marker or for a
 * last-seen second older than the abandonment cutoff, so a place passed over before the loss is one
 * behind the front known then (\`restoredFront\`) whose slot survived and is older than that
 * cutoff taken when Redis forgot (\`restoredFrontAt\`). A recent slot behind that front belongs to a
 * fan admission admitted (an admission Redis forgot), or is a poll recorded after the loss (last-seen
 * writes are batched, so polls answered just before it land in the emptied bitfield): that fan was
 * waiting, not passed over. Such a place, and one admission passed since the loss because its entry
 * was missing, goes back in at its place, now at the head of the line, and is admitted next. Its
 * relative order is the order of places, the one fans were given. The last place given never falls
 * below a place a token proves.
 */
const returnLua = `${clock}
local member, seq = ARGV[1], tonumber(ARGV[2])
if redis.call('HEXISTS', KEYS[4], member) == 1 then return 'admitted' end
if redis.call('ZSCORE', KEYS[2], member) then return 'present' end
local seen = redis.call('BITFIELD', KEYS[3], 'GET', 'u32', '#' .. seq)[1]
if seen == 1 then return 'left' end
local st = redis.call('HMGET', KEYS[1], 'front', 'seq', 'restoredFront', 'restoredFrontAt')
local _, nowSec = clock()
local passedBefore = tonumber(st[3] or st[1] or '0')
local forgotSec = nowSec
if st[4] then forgotSec = math.floor(tonumber(st[4]) / 1000) end
if seen ~= 0 and seq <= passedBefore and seen < forgotSec - tonumber(ARGV[3]) then
  return 'passed'
end
redis.call('ZADD', KEYS[2], 'NX', seq, member)
redis.call('BITFIELD', KEYS[3], 'SET', 'u32', '#' .. seq, nowSec)
if seq > tonumber(st[2] or '0') then redis.call('HSET', KEYS[1], 'seq', seq) end
return 'restored'
`;

/**
 * RETURN_PRE. KEYS: state, pre, preSeen. ARGV: entry id, arrival number (from its queue token).
 * Answers sealed | present | left | restored.
 * Invariant: before sealing, an arrival Redis forgot goes back into the pre-queue under the arrival
 * number its token proves (never one that left, marker 1), and arrival numbers are never given
 * twice. After sealing the pre-queue is frozen: nothing is added.
 */
const returnPreLua = `${clock}
local member, pre = ARGV[1], tonumber(ARGV[2])
local st = redis.call('HMGET', KEYS[1], 'sealed', 'preSeq')
if st[1] == '1' then return 'sealed' end
if redis.call('ZSCORE', KEYS[2], member) then return 'present' end
if redis.call('BITFIELD', KEYS[3], 'GET', 'u32', '#' .. pre)[1] == 1 then return 'left' end
local _, nowSec = clock()
redis.call('ZADD', KEYS[2], 'NX', pre, member)
redis.call('BITFIELD', KEYS[3], 'SET', 'u32', '#' .. pre, nowSec)
if pre > tonumber(st[2] or '0') then redis.call('HSET', KEYS[1], 'preSeq', pre) end
return 'restored'
`;

type Arg = string | number;
export type ReturnResult = 'admitted' | 'present' | 'left' | 'passed' | 'restored';
export type ReturnPreResult = 'sealed' | 'present' | 'left' | 'restored';
declare module 'ioredis' {
  interface RedisCommander<Context> {
    wrJoin(...args: Arg[]): Result<[string, number], Context>;
    wrChallenge(...args: Arg[]): Result<[string, number], Context>;
    wrSeal(...args: Arg[]): Result<number, Context>;
    wrShuffleChunk(...args: Arg[]): Result<[string, number, number], Context>;
    /** status, admitted, left, abandoned, front, active, then (ok) expiresAt and the admitted ids. */
    wrAdmit(
      ...args: Arg[]
    ): Result<[string, number, number, number, number, number, ...(string | number)[]], Context>;
    wrLeave(...args: Arg[]): Result<string, Context>;
    wrSeen(...args: Arg[]): Result<number, Context>;
    wrLease(...args: Arg[]): Result<string | null, Context>;
    wrRelease(...args: Arg[]): Result<number, Context>;
    wrCreateEvent(...args: Arg[]): Result<number, Context>;
    wrPatchEvent(...args: Arg[]): Result<string | null, Context>;
    wrOpsLoginCheck(...args: Arg[]): Result<number, Context>;
    wrOpsLoginFailure(...args: Arg[]): Result<number, Context>;
    wrRestoreState(...args: Arg[]): Result<number, Context>;
    wrReturn(...args: Arg[]): Result<ReturnResult, Context>;
    wrReturnPre(...args: Arg[]): Result<ReturnPreResult, Context>;
  }
}

const definitions = {
  wrJoin: { numberOfKeys: 9, lua: joinLua },
  wrChallenge: { numberOfKeys: 3, lua: challengeLua },
  wrSeal: { numberOfKeys: 3, lua: sealLua },
  wrShuffleChunk: { numberOfKeys: 7, lua: shuffleChunkLua },
  wrAdmit: { numberOfKeys: 8, lua: admitLua },
  wrLeave: { numberOfKeys: 8, lua: leaveLua },
  wrSeen: { numberOfKeys: 1, lua: seenLua },
  wrLease: { numberOfKeys: 2, lua: leaseLua },
  wrRelease: { numberOfKeys: 1, lua: releaseLua },
  wrCreateEvent: { numberOfKeys: 5, lua: createEventLua },
  wrPatchEvent: { numberOfKeys: 2, lua: patchEventLua },
  wrOpsLoginCheck: { numberOfKeys: 1, lua: opsLoginCheckLua },
  wrOpsLoginFailure: { numberOfKeys: 1, lua: opsLoginFailureLua },
  wrRestoreState: { numberOfKeys: 2, lua: restoreStateLua },
  wrReturn: { numberOfKeys: 4, lua: returnLua },
  wrReturnPre: { numberOfKeys: 3, lua: returnPreLua },
} as const;

const defined = new WeakSet<RedisClient>();

/** Loads the scripts into a client once; safe to call again. */
export function defineScripts<R extends RedisClient>(redis: R): R {
  if (defined.has(redis)) return redis;
  for (const [name, definition] of Object.entries(definitions)) {
    redis.defineCommand(name, definition);
  }
  defined.add(redis);
  return redis;
}
