import { z } from 'zod';
import { EventConfigSchema, EventIdSchema } from './events.js';
import { OrderIdSchema } from './ids.js';
import { BuyerSchema, TicketSchema } from './orders.js';

/**
 * Why the ledger did not take an order (GET /v1/orders/{orderId} shows it as `reason`):
 * - SOLD_OUT: the database already holds ticketsTotal tickets for the event, whatever Redis said;
 * - INVALID:  the intent is not one the ledger can store (it slipped past the API's checks, or its
 *             admission already holds another order);
 * - FAILED:   the database refused it for good after a bounded number of attempts.
 */
export const RejectReasonSchema = z.enum(['SOLD_OUT', 'INVALID', 'FAILED']);
export type RejectReason = z.infer<typeof RejectReasonSchema>;

/**
 * An event definition on its way to the ledger: published by the waiting room when an event is
 * created and after every ops change, and again periodically, so a broker that forgets a message
 * delays the ledger and never leaves it behind. `version` increases with every change of one event;
 * the worker keeps the highest it has seen, so a late or repeated message never rolls a change back.
 */
export const EventDefinitionSchema = z.object({
  v: z.literal(1),
  event: EventConfigSchema.extend({
    checkoutWindowSeconds: z.number().int().min(1),
  }),
  version: z.number().int().min(1),
  /** The pre-queue shuffle, so a waiting room that lost Redis can recompute the shuffled places. */
  shuffle: z.object({ seed: z.string(), commitment: z.string() }).nullable(),
  changedAt: z.iso.datetime({ offset: true }),
});
export type EventDefinition = z.infer<typeof EventDefinitionSchema>;

/**
 * Published by the worker once an order is confirmed in the ledger; the mailer's own subscription
 * turns it into the confirmation e-mail. Redelivered or published twice, it still yields one mail.
 */
export const OrderConfirmedSchema = z.object({
  v: z.literal(1),
  orderId: OrderIdSchema,
  eventId: EventIdSchema,
  quantity: z.number().int().min(1),
  buyer: BuyerSchema,
  tickets: z.array(TicketSchema).min(1),
  confirmedAt: z.iso.datetime({ offset: true }),
});
export type OrderConfirmed = z.infer<typeof OrderConfirmedSchema>;
