import { script } from '@frequency/config/redis-commands';
import { flagReply, optionalStringReply } from './replies.js';

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

/** Creating an event and the ops changes to its config, audited. */
export const eventScripts = {
  /** `config`: the config's (field, value) pairs. Reply: whether the event was created. */
  wrCreateEvent: script({
    keys: ['config', 'stock', 'sold', 'state', 'audit'],
    args: ['ticketsTotal', 'seed', 'commitment', 'auditCap', 'actor', 'requestId', 'eventId'],
    rest: 'config',
    lua: createEventLua,
    reply: flagReply,
  }),
  /** `fields`: the (field, value) pairs asked for. Reply: the changes as JSON, null if no event. */
  wrPatchEvent: script({
    keys: ['config', 'audit'],
    args: ['auditCap', 'actor', 'requestId', 'eventId', 'knownVersion'],
    rest: 'fields',
    lua: patchEventLua,
    reply: optionalStringReply,
  }),
};
