import { z } from 'zod';
import { EventConfigSchema, EventIdSchema } from './events.js';
import { OrderIdSchema } from './ids.js';
import { BuyerSchema, TicketSchema } from './orders.js';

/**
 * Why the ledger did not take an order: RejectReasonSchema, defined beside the order view that shows
 * it (orders.ts), since this module builds on orders.ts and the view cannot import back from here.
 */
export { RejectReasonSchema, type RejectReason } from './orders.js';

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
