import { sql } from 'drizzle-orm';
import {
  check,
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
 * Only portable column types are used (text, integer, timestamp) for the same reason.
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
    createdAt: timestamp('created_at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
  },
  (t) => [check('events_tickets_total_positive', sql`${t.ticketsTotal} > 0`)],
);

/**
 * One row per order. `admission_id` is unique: an admission yields at most one order, so a replay
 * of the same purchase intent (redelivery, outbox republish) cannot create a second one.
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
    status: text('status', { enum: ['confirmed'] }).notNull(),
    reservedAt: timestamp('reserved_at', { withTimezone: true, mode: 'date' }).notNull(),
    persistedAt: timestamp('persisted_at', { withTimezone: true, mode: 'date' })
      .notNull()
      .defaultNow(),
  },
  (t) => [
    unique('orders_admission_id_unique').on(t.admissionId),
    index('orders_event_id_idx').on(t.eventId),
    check('orders_quantity_positive', sql`${t.quantity} > 0`),
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
export type OrderRow = typeof orders.$inferSelect;
export type NewOrderRow = typeof orders.$inferInsert;
export type TicketRow = typeof tickets.$inferSelect;
export type NewTicketRow = typeof tickets.$inferInsert;
