import { script } from '@frequency/config/redis-commands';
import { charge, clock, seal } from './lua-fragments.js';
import { numberReply, flagReply, outcomeReply, wordReply } from './replies.js';

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

/** The scripts of a fan's place: joining, polling, leaving, and coming back after Redis forgot. */
export const queueScripts = {
  /** value: the place (waiting), the arrival number (prequeue), or a wait in ms. */
  wrJoin: script({
    keys: ['config', 'state', 'pre', 'line', 'seen', 'preSeen', 'stock', 'rateLimit', 'challenge'],
    args: ['entryId', 'limit', 'windowMs', 'prequeueWindowMs', 'zeroBits'],
    lua: joinLua,
    reply: outcomeReply([
      'waiting',
      'prequeue',
      'not_open',
      'sold_out',
      'not_found',
      'unavailable',
      'rate_limited',
      'challenge_failed',
    ]),
  }),
  wrLeave: script({
    keys: ['state', 'pre', 'line', 'seen', 'preSeen', 'admissions', 'active', 'revoked'],
    args: ['entryId', 'kind', 'place'],
    lua: leaveLua,
    reply: wordReply(['left', 'left_prequeue', 'released', 'gone']),
  }),
  /** `seen` is the place bitfield or the pre-queue's; the reply is the places written. */
  wrSeen: script({
    keys: ['seen'],
    args: ['nowSec'],
    rest: 'places',
    lua: seenLua,
    reply: numberReply,
  }),
  /** `counters`: (field, value) pairs; the reply says whether anything was written. */
  wrRestoreState: script({
    keys: ['state', 'pre'],
    args: ['seed', 'commitment', 'leftPending'],
    rest: 'counters',
    lua: restoreStateLua,
    reply: flagReply,
  }),
  wrReturn: script({
    keys: ['state', 'line', 'seen', 'admissions'],
    args: ['entryId', 'seq', 'abandonAfterSeconds'],
    lua: returnLua,
    reply: wordReply(['admitted', 'present', 'left', 'passed', 'restored']),
  }),
  wrReturnPre: script({
    keys: ['state', 'pre', 'preSeen'],
    args: ['entryId', 'pre'],
    lua: returnPreLua,
    reply: wordReply(['sealed', 'present', 'left', 'restored']),
  }),
};

export type ReturnResult = ReturnType<typeof queueScripts.wrReturn.reply>;
export type ReturnPreResult = ReturnType<typeof queueScripts.wrReturnPre.reply>;
export type JoinOutcome = ReturnType<typeof queueScripts.wrJoin.reply>['outcome'];
