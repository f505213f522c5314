import { eventKeys, eventTag } from '@frequency/contracts';

/**
 * The waiting room's keys of one event: the shared ones from the contracts plus its private ones, all
 * under the event's hash tag so every Lua script touches a single cluster slot.
 *
 * - state     hash: seq (last place given), preSeq, sealed, base (pre-queue size), shuffled,
 *             shuffleNext, front (highest place passed by admission), admitted, skippedLeft,
 *             skippedAbandoned, leftPending, seed, commitment
 * - line      sorted set: entry id -> place (seq). The queue itself; admission pops from the front.
 * - pre       sorted set: entry id -> arrival number, the pre-queue (frozen once sealed)
 * - seen      string: u32 per place (BITFIELD #seq): unix seconds of the last poll, 1 = left
 * - preSeen   the same for pre-queue arrival numbers, until the shuffle copies it into `seen`
 * - admissions hash: entry id -> "jti:expiresAtMs", only for admitted fans
 * - lease     string: "instanceId|fence" of the admission leader (PX lease)
 * - fence     integer: incremented at every lease acquisition
 * - rateLimit counter per client and window
 * - audit     stream: successful ops changes of this event (actor, action, event, changes JSON,
 *             requestId), capped at OPS_AUDIT_MAX_ENTRIES; src/events/audit.ts reads it
 * - challenge string per issued join challenge: the bits it was issued with, PX = its lifetime;
 *             deleted by the join that redeems it
 */
export function waitingRoomKeys(eventId: string): WaitingRoomKeys {
  let keys = built.get(eventId);
  if (!keys) {
    keys = buildKeys(eventId);
    // Event ids reaching this point exist or are validated; the bound only guards against abuse.
    if (built.size > 10_000) built.clear();
    built.set(eventId, keys);
  }
  return keys;
}

function buildKeys(eventId: string) {
  const tag = eventTag(eventId);
  return {
    ...eventKeys(eventId),
    state: `ev:${tag}:wr`,
    line: `ev:${tag}:line`,
    pre: `ev:${tag}:pre`,
    seen: `ev:${tag}:seen`,
    preSeen: `ev:${tag}:preseen`,
    admissions: `ev:${tag}:adm`,
    lease: `ev:${tag}:lease`,
    fence: `ev:${tag}:fence`,
    rateLimit: (client: string) => `ev:${tag}:rl:${client}`,
    audit: `ev:${tag}:audit`,
    challenge: (challenge: string) => `ev:${tag}:ch:${challenge}`,
  };
}
export type WaitingRoomKeys = ReturnType<typeof buildKeys>;
/** Built once per event: joins and flushes would otherwise rebuild a dozen strings per request. */
const built = new Map<string, WaitingRoomKeys>();

/**
 * Failed ops logins of one client in the current window. Not an event's key: a client is locked out
 * of the whole ops API, and one key per client sits in one slot of its own.
 */
export function opsLoginFailuresKey(client: string): string {
  return `ops:login-failures:${client}`;
}

/** Marker in `seen`/`preSeen` for a fan who left; real values are unix seconds, far above 1. */
export const LEFT_MARKER = 1;
