import { script } from '@frequency/config/redis-commands';
import { z } from 'zod';
import { clock, fenced } from './lua-fragments.js';

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

const admitHead = z.tuple([
  z.enum(['ok', 'fenced', 'not_ready', 'sold_out']),
  z.number(),
  z.number(),
  z.number(),
  z.number(),
  z.number(),
]);
const admitTail = z.union([z.tuple([]), z.tuple([z.number()], z.string())]);

/** Admission by the event's leader. */
export const admissionScripts = {
  /**
   * `admissionIds`: one per admission wanted. Reply: the status, how many were admitted and passed
   * over (left, abandoned), the front and active checkouts after it, and when it admitted, the
   * expiry (epoch ms) and the entries admitted, in the order of the admission ids they hold.
   */
  wrAdmit: script({
    keys: ['lease', 'fence', 'state', 'line', 'seen', 'admissions', 'active', 'stock'],
    args: [
      'leaseValue',
      'wanted',
      'windowMs',
      'abandonAfterSeconds',
      'maxActive',
      'maxScanned',
      'returnGraceMs',
    ],
    rest: 'admissionIds',
    lua: admitLua,
    reply: (raw: unknown) => {
      const [status, admitted, left, abandoned, front, active] = admitHead.parse(
        Array.isArray(raw) ? raw.slice(0, 6) : raw,
      );
      const [expiresAtMs = 0, ...members] = admitTail.parse(Array.isArray(raw) ? raw.slice(6) : []);
      return { status, admitted, left, abandoned, front, active, expiresAtMs, members };
    },
  }),
};
