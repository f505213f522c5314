import type { RejectReason } from '@frequency/contracts';
import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  doublePrecision,
  index,
  integer,
  pgTable,
  smallint,
  text,
  timestamp,
  unique,
} from 'drizzle-orm/pg-core';

/**
 * Keys are random prefixed text ids (`ord_…`, `tkt_…`): no serial, no sequence, so the same schema
 * carries over to Spanner without hot-spotting a split, and ids are not guessable on the web.
 * Only portable column types are used (text, integer, double precision, boolean, timestamp) for the
 * same reason.
 */

/**
 * One row per event: the whole definition the waiting room publishes (EventDefinition), so Redis can
 * be rebuilt from here. `version` grows with every change of one event and a definition is stored
 * only when its version is newer than the row's. Rows from before definitions existed migrated with
 * version 0 and the defaults below: any definition replaces them.
 */
export const events = pgTable(
  'events',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    venue: text('venue').notNull(),
    ticketsTotal: integer('tickets_total').notNull(),
    maxPerOrder: integer('max_per_order').notNull(),
    opensAt: timestamp('opens_at', { withTimezone: true, mode: 'date' }).notNull(),
    admissionRatePerSecond: doublePrecision('admission_rate_per_second').notNull().default(0),
    maxActiveCheckouts: integer('max_active_checkouts').notNull().default(1),
    paused: boolean('paused').notNull().default(false),
    joinChallengeBits: integer('join_challenge_bits').notNull().default(0),
    // Migrated rows take their max_per_order (the contract's default), set by the migration.
    maxPerBuyer: integer('max_per_buyer').notNull().default(1),
    checkoutWindowSeconds: integer('checkout_window_seconds').notNull().default(300),
    version: integer('version').notNull().default(0),
    /** The pre-queue shuffle: null until the waiting room has drawn it. */
    shuffleSeed: text('shuffle_seed'),
    shuffleCommitment: text('shuffle_commitment'),
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [check('events_tickets_total_positive', sql`${t.ticketsTotal} > 0`)],
);

/**
 * The ledger's cap, one row per event: the database itself refuses to hold more confirmed tickets
 * than `tickets_total`, whatever Redis says. Every write of a confirmed order adds its quantity to
 * `tickets_sold` in the same transaction, so tickets_sold = the event's ticket rows, and the CHECK
 * makes a write that would pass tickets_total fail whole. `tickets_total` never changes once the row
 * exists. No foreign key to events: the row is also created from a purchase intent's ticketsTotal,
 * when an order arrives before its event's definition.
 */
export const eventInventory = pgTable(
  'event_inventory',
  {
    eventId: text('event_id').primaryKey(),
    ticketsTotal: integer('tickets_total').notNull(),
    ticketsSold: integer('tickets_sold').notNull().default(0),
  },
  (t) => [
    check('event_inventory_tickets_total_positive', sql`${t.ticketsTotal} > 0`),
    check('event_inventory_sold_not_negative', sql`${t.ticketsSold} >= 0`),
    check('event_inventory_sold_within_total', sql`${t.ticketsSold} <= ${t.ticketsTotal}`),
  ],
);

export const orderStatuses = ['confirmed', 'rejected'] as const;
// A Record, so a reason added to the contracts fails to compile here until the ledger (and the
// orders_status_reason check below) knows it.
const everyReason: Record<RejectReason, true> = { SOLD_OUT: true, INVALID: true, FAILED: true };
export const rejectReasons = Object.keys(everyReason) as [RejectReason, ...RejectReason[]];

/**
 * One row per order. `admission_id` is unique: an admission yields at most one order, so a replay
 * of the same purchase intent (redelivery, outbox republish) cannot create a second one.
 * A `confirmed` order has one ticket row per unit of quantity and no reason; a `rejected` one has a
 * reason and no tickets (its tickets went back on sale), and stays so a redelivery answers the same.
 */
export const orders = pgTable(
  'orders',
  {
    id: text('id').primaryKey(),
    // No foreign key to events: events are created through the ops API into Redis first, and the
    // worker must be able to persist an order whatever order the messages arrive in.
    eventId: text('event_id').notNull(),
    admissionId: text('admission_id').notNull(),
    entryId: text('entry_id').notNull(),
    quantity: smallint('quantity').notNull(),
    buyerName: text('buyer_name').notNull(),
    buyerEmail: text('buyer_email').notNull(),
    status: text('status', { enum: orderStatuses }).notNull(),
    reason: text('reason', { enum: rejectReasons }),
    reservedAt: timestamp('reserved_at', { withTimezone: true, mode: 'date' }).notNull(),
    persistedAt: timestamp('persisted_at', { withTimezone: true, mode: 'date' })
      .notNull()
      .defaultNow(),
  },
  (t) => [
    unique('orders_admission_id_unique').on(t.admissionId),
    // (event_id, id): an event's orders in id order, the pages Redis is rebuilt from.
    index('orders_event_id_idx').on(t.eventId, t.id),
    check('orders_quantity_positive', sql`${t.quantity} > 0`),
    check(
      'orders_status_reason',
      sql`(${t.status} = 'confirmed' and ${t.reason} is null) or (${t.status} = 'rejected' and ${t.reason} in ('SOLD_OUT', 'INVALID', 'FAILED'))`,
    ),
  ],
);

/**
 * One row per ticket. (order_id, ordinal) is unique, so a replayed order cannot add tickets, and the
 * code is unique so no code is ever issued twice.
 */
export const tickets = pgTable(
  'tickets',
  {
    id: text('id').primaryKey(),
    orderId: text('order_id')
      .notNull()
      .references(() => orders.id),
    eventId: text('event_id').notNull(),
    ordinal: smallint('ordinal').notNull(),
    code: text('code').notNull(),
  },
  (t) => [
    unique('tickets_order_ordinal_unique').on(t.orderId, t.ordinal),
    unique('tickets_code_unique').on(t.code),
    index('tickets_event_id_idx').on(t.eventId),
  ],
);

export type EventRow = typeof events.$inferSelect;
export type NewEventRow = typeof events.$inferInsert;
export type EventInventoryRow = typeof eventInventory.$inferSelect;
export type OrderRow = typeof orders.$inferSelect;
export type NewOrderRow = typeof orders.$inferInsert;
export type TicketRow = typeof tickets.$inferSelect;
export type NewTicketRow = typeof tickets.$inferInsert;
