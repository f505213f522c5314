import {
  type AuditChange,
  type AuditEntry,
  AuditEntrySchema,
  eventsIndexKey,
} from '@frequency/contracts';
import type { RedisClient } from '@frequency/config/redis';
import { waitingRoomKeys } from '../redis/keys.js';

/**
 * The ops audit trail: one capped Redis stream per event (the `audit` key in redis/keys.ts), written by
 * the create and patch scripts in the same step as the change itself. This module owns its fields:
 * actor, action, event, changes (JSON [[field, old, new], ...] of stored values), requestId.
 */

/** A change as the scripts store it: raw hash values, null where the field had none. */
export type RawChange = [field: string, from: string | null, to: string];

function isRawChange(value: unknown): value is RawChange {
  return (
    Array.isArray(value) &&
    value.length === 3 &&
    typeof value[0] === 'string' &&
    (typeof value[1] === 'string' || value[1] === null) &&
    typeof value[2] === 'string'
  );
}

export function parseRawChanges(json: string): RawChange[] {
  const parsed: unknown = JSON.parse(json);
  // Lua's cjson encodes an empty table as an object.
  if (!Array.isArray(parsed)) return [];
  return parsed.filter(isRawChange);
}

const textFields = new Set(['name', 'venue']);

/** A stored config value as the ops API shows it (see parseConfig in event-store.ts). */
export function displayValue(field: string, raw: string | null): string | number | boolean | null {
  if (raw === null) return null;
  if (field === 'paused') return raw === '1';
  if (field === 'opensAt') return new Date(Number(raw)).toISOString();
  if (textFields.has(field)) return raw;
  const n = Number(raw);
  return Number.isFinite(n) ? n : raw;
}

export function displayChanges(changes: readonly RawChange[]): AuditChange[] {
  return changes.map(([field, from, to]) => ({
    field,
    from: displayValue(field, from),
    to: displayValue(field, to),
  }));
}

type StreamEntry = [id: string, fields: string[]];

function decodeEntry([id, fields]: StreamEntry): AuditEntry | null {
  const map = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const key = fields[i];
    const value = fields[i + 1];
    if (key !== undefined && value !== undefined) map.set(key, value);
  }
  const parsed = AuditEntrySchema.safeParse({
    id,
    at: new Date(Number(id.split('-')[0])).toISOString(),
    actor: map.get('actor'),
    action: map.get('action'),
    eventId: map.get('event'),
    changes: displayChanges(parseRawChanges(map.get('changes') ?? '[]')),
    requestId: map.get('requestId'),
  });
  return parsed.success ? parsed.data : null;
}

/** Stream ids are "<ms>-<seq>": newest first across streams means by time, then sequence. */
function newerFirst(a: AuditEntry, b: AuditEntry): number {
  const [am = 0, as = 0] = a.id.split('-').map(Number);
  const [bm = 0, bs = 0] = b.id.split('-').map(Number);
  return bm - am || bs - as;
}

/** The newest `limit` entries of one event, or of every event merged by time. */
export async function readAudit(
  redis: RedisClient,
  query: { limit: number; event?: string | undefined },
): Promise<AuditEntry[]> {
  const events = query.event === undefined ? await redis.smembers(eventsIndexKey) : [query.event];
  if (events.length === 0) return [];
  // One command per event (each its own cluster slot), batched per node by auto-pipelining.
  const results = await Promise.all(
    events.map((id) => redis.xrevrange(waitingRoomKeys(id).audit, '+', '-', 'COUNT', query.limit)),
  );
  const entries: AuditEntry[] = [];
  for (const value of results) {
    for (const raw of value) {
      const entry = decodeEntry(raw);
      if (entry) entries.push(entry);
    }
  }
  return entries.sort(newerFirst).slice(0, query.limit);
}
