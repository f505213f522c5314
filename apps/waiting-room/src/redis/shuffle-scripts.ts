import { script } from '@frequency/config/redis-commands';
import { z } from 'zod';
import { clock, fenced, seal } from './lua-fragments.js';
import { flagReply } from './replies.js';

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

const shuffleChunkReply = z.tuple([z.enum(['ok', 'fenced', 'not_sealed']), z.number(), z.number()]);

/** Sealing the pre-queue at opening and writing its shuffled order into the line. */
export const shuffleScripts = {
  /** Reply: whether the pre-queue is sealed. */
  wrSeal: script({
    keys: ['state', 'pre', 'config'],
    args: [],
    lua: sealLua,
    reply: flagReply,
  }),
  /** `entries`: (entry id, place, arrival number) triples. next: the index to write from next. */
  wrShuffleChunk: script({
    keys: ['lease', 'fence', 'state', 'line', 'seen', 'preSeen', 'pre'],
    args: ['leaseValue', 'start'],
    rest: 'entries',
    lua: shuffleChunkLua,
    reply: (raw: unknown) => {
      const [status, next, done] = shuffleChunkReply.parse(raw);
      return { status, next, done: done === 1 };
    },
  }),
};
