import {
  type CreateEventBody,
  type EventConfig,
  EventConfigSchema,
  eventConfigFields,
  eventsIndexKey,
  type PatchEventBody,
} from '@frequency/contracts';
import type { RedisClient } from '@frequency/config/redis';
import { newShuffleSeed, shuffleCommitment } from '../queue/shuffle-order.js';
import { waitingRoomKeys } from '../redis/keys.js';
import { waitingRoomCommands } from '../redis/commands.js';
import { parseRawChanges, type RawChange } from './audit.js';

export interface StoredConfig extends EventConfig {
  checkoutWindowSeconds: number;
}

/**
 * Creates an event with its stock, its empty queue and its shuffle commitment, atomically; a second
 * call with the same id changes nothing and answers 'exists' (so the local stack can seed on every
 * start). The index of events is a separate key (another slot in a cluster) and is added idempotently.
 */
export async function createEvent(
  redis: RedisClient,
  body: CreateEventBody,
  options: { checkoutWindowSeconds: number; audit?: AuditContext },
): Promise<'created' | 'exists'> {
  const keys = waitingRoomKeys(body.id);
  const seed = newShuffleSeed();
  const created = await waitingRoomCommands(redis).wrCreateEvent(keys, {
    ticketsTotal: body.ticketsTotal,
    seed,
    commitment: shuffleCommitment(seed),
    ...auditArgs(options.audit, body.id),
    config: eventConfigFields(
      {
        ...body,
        paused: false,
        joinChallengeBits: body.joinChallengeBits ?? 0,
        maxPerBuyer: body.maxPerBuyer ?? body.maxPerOrder,
      },
      options.checkoutWindowSeconds,
    ),
  });
  await redis.sadd(eventsIndexKey, body.id);
  return created ? 'created' : 'exists';
}

/** Who makes an audited change, and how many entries the event's audit stream keeps. */
export interface AuditContext {
  actor: string;
  requestId: string;
  maxEntries: number;
}

export interface PatchResult {
  config: StoredConfig;
  /** Raw stored values of the fields that changed: [field, old, new]. */
  changes: RawChange[];
}

/**
 * Applies an ops change, and with `audit` records it with the values it replaced, in one script;
 * returns the new config and what changed, or null for an unknown event. A change raises the config
 * version above the stored one and above `knownVersion` (the highest this replica has seen).
 */
export async function patchEvent(
  redis: RedisClient,
  eventId: string,
  patch: PatchEventBody,
  audit?: AuditContext,
  knownVersion = 0,
): Promise<PatchResult | null> {
  const keys = waitingRoomKeys(eventId);
  const fields: string[] = [];
  if (patch.admissionRatePerSecond !== undefined) {
    fields.push('admissionRatePerSecond', String(patch.admissionRatePerSecond));
  }
  if (patch.maxActiveCheckouts !== undefined) {
    fields.push('maxActiveCheckouts', String(patch.maxActiveCheckouts));
  }
  if (patch.paused !== undefined) fields.push('paused', patch.paused ? '1' : '0');
  if (patch.opensAt !== undefined) fields.push('opensAt', String(Date.parse(patch.opensAt)));
  if (patch.joinChallengeBits !== undefined) {
    fields.push('joinChallengeBits', String(patch.joinChallengeBits));
  }
  if (patch.maxPerBuyer !== undefined) fields.push('maxPerBuyer', String(patch.maxPerBuyer));
  // The script checks the event exists, so HSET never creates a half event.
  const changed = await waitingRoomCommands(redis).wrPatchEvent(keys, {
    ...auditArgs(audit, eventId),
    knownVersion,
    fields,
  });
  if (changed === null) return null;
  const config = await readConfig(redis, eventId);
  if (!config) return null;
  return { config, changes: parseRawChanges(changed) };
}

/** The arguments of the audited scripts: cap (0 = not audited), actor, request id, event id. */
function auditArgs(audit: AuditContext | undefined, eventId: string) {
  if (!audit) return { auditCap: 0, actor: '', requestId: '', eventId };
  return { auditCap: audit.maxEntries, actor: audit.actor, requestId: audit.requestId, eventId };
}

export async function readConfig(
  redis: RedisClient,
  eventId: string,
): Promise<StoredConfig | null> {
  const raw = await redis.hgetall(waitingRoomKeys(eventId).config);
  return parseConfig(eventId, raw);
}

export function parseConfig(eventId: string, raw: Record<string, string>): StoredConfig | null {
  if (raw.opensAt === undefined) return null;
  const config = EventConfigSchema.safeParse({
    id: eventId,
    name: raw.name,
    venue: raw.venue,
    ticketsTotal: Number(raw.ticketsTotal),
    maxPerOrder: Number(raw.maxPerOrder),
    opensAt: new Date(Number(raw.opensAt)).toISOString(),
    admissionRatePerSecond: Number(raw.admissionRatePerSecond),
    maxActiveCheckouts: Number(raw.maxActiveCheckouts),
    paused: raw.paused === '1',
    // Events created before these settings existed have no field: no challenge, the order cap.
    joinChallengeBits: Number(raw.joinChallengeBits ?? 0),
    maxPerBuyer: Number(raw.maxPerBuyer ?? raw.maxPerOrder),
  });
  if (!config.success) return null;
  return { ...config.data, checkoutWindowSeconds: Number(raw.checkoutWindowSeconds ?? 300) };
}

/**
 * What the config hash holds besides the config itself: its version (raised with every change;
 * events created before versions existed count as 1), when the worker last rebuilt it from the
 * ledger after Redis forgot it (epoch ms), and the pre-queue shuffle if that rebuild wrote it.
 */
export interface ConfigMeta {
  version: number;
  restoredAt: number;
  shuffle: { seed: string; commitment: string } | null;
}

export function parseConfigMeta(raw: Record<string, string>): ConfigMeta {
  const version = Number(raw.version ?? 1);
  const restoredAt = Number(raw.restoredAt ?? 0);
  return {
    version: Number.isSafeInteger(version) && version >= 1 ? version : 1,
    restoredAt: Number.isFinite(restoredAt) ? restoredAt : 0,
    shuffle:
      raw.shuffleSeed && raw.shuffleCommitment
        ? { seed: raw.shuffleSeed, commitment: raw.shuffleCommitment }
        : null,
  };
}
