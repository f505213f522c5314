import type { EventConfig } from './events.js';

/**
 * The Redis keys more than one service reads or writes. Every key of one event carries the hash tag
 * `{eventId}` so all of them live in one cluster slot and one Lua script may touch them atomically.
 * Keys private to one service are built by that service from the same `eventTag`.
 *
 * Written by the waiting room (event creation, ops API):
 * - config  hash: name, venue, ticketsTotal, maxPerOrder, opensAt (epoch ms), admissionRatePerSecond,
 *           maxActiveCheckouts, paused ("1"/"0"), joinChallengeBits, maxPerBuyer, checkoutWindowSeconds
 * - stock   integer: tickets remaining. Set to ticketsTotal at creation, then only decremented by
 *           checkout's reservation script. Never below 0.
 * - sold    integer: tickets reserved by accepted orders (stock + sold = ticketsTotal, always).
 * - active  sorted set: admission id (jti) -> expiry (epoch ms), written at admission. An admission
 *           is an active checkout until checkout removes it when its order is placed, the fan leaves,
 *           or its expiry passes (by Redis TIME). Checkout accepts an order only for an admission
 *           that is in it with a score in the future, so a slot the waiting room has given again
 *           can never be used twice.
 * - revoked sorted set: admission id -> expiry (epoch ms) of admissions whose fan left the queue
 *           (the leave script moves them here from `active`), so checkout answers
 *           ADMISSION_REVOKED rather than "expired". Trimmed by expiry by the leave script.
 * Written by checkout (reservation script), read by the worker and the GET order route:
 * - admissionOrders  hash: admission id -> order id (one order per admission)
 * - idempotency      hash: Idempotency-Key -> order id
 * - buyers           hash: buyerCapField(e-mail) (a hash of the normalised address) -> tickets
 *                    reserved by that buyer for the event, checked against maxPerBuyer
 * - order(orderId)   hash: the order record; its fields, states and the scripts that change them
 *                    are in order-record.ts, its one owner.
 * - outbox           sorted set: order id -> next publish attempt (epoch ms); removed when the worker
 *                    has confirmed or rejected the order.
 * Written by the worker when it rebuilds an event from the ledger after Redis lost it:
 * - config field restoredAt (epoch ms): admissions signed before it may have been forgotten, so
 *   checkout trusts their signature and expiry instead of `active`.
 */
export function eventTag(eventId: string): string {
  return `{${eventId}}`;
}

export function eventKeys(eventId: string) {
  const tag = eventTag(eventId);
  return {
    config: `ev:${tag}:config`,
    stock: `ev:${tag}:stock`,
    sold: `ev:${tag}:sold`,
    active: `ev:${tag}:active`,
    revoked: `ev:${tag}:revoked`,
    admissionOrders: `ev:${tag}:admission-orders`,
    idempotency: `ev:${tag}:idempotency`,
    buyers: `ev:${tag}:buyers`,
    outbox: `ev:${tag}:outbox`,
    order: (orderId: string) => `ev:${tag}:order:${orderId}`,
  };
}

/** Set of all event ids, so background loops (admission, outbox relay) find every event. */
export const eventsIndexKey = 'events';

/**
 * The config hash's fields as [field, value, …], written by the waiting room when it creates an event
 * and by the worker when it rebuilds one from the ledger: one layout for both.
 */
export function eventConfigFields(config: EventConfig, checkoutWindowSeconds: number): string[] {
  return [
    'name',
    config.name,
    'venue',
    config.venue,
    'ticketsTotal',
    String(config.ticketsTotal),
    'maxPerOrder',
    String(config.maxPerOrder),
    'opensAt',
    String(Date.parse(config.opensAt)),
    'admissionRatePerSecond',
    String(config.admissionRatePerSecond),
    'maxActiveCheckouts',
    String(config.maxActiveCheckouts),
    'paused',
    config.paused ? '1' : '0',
    'joinChallengeBits',
    String(config.joinChallengeBits),
    'maxPerBuyer',
    String(config.maxPerBuyer),
    'checkoutWindowSeconds',
    String(checkoutWindowSeconds),
  ];
}
