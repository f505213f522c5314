import { z } from 'zod';
import { AdmissionIdSchema, OrderIdSchema, QueueEntryIdSchema } from './ids.js';
import { EventIdSchema } from './events.js';
import { BuyerSchema, TicketSchema } from './orders.js';

/**
 * The purchase intent checkout publishes to Pub/Sub after reserving stock in Redis. It carries the
 * ticket ids and codes chosen at reservation, so persisting it is a pure, idempotent insert: a replay
 * writes the same rows or nothing.
 */
export const PurchaseIntentSchema = z
  .object({
    v: z.literal(1),
    orderId: OrderIdSchema,
    eventId: EventIdSchema,
    admissionId: AdmissionIdSchema,
    entryId: QueueEntryIdSchema,
    quantity: z.number().int().min(1).max(20),
    buyer: BuyerSchema,
    tickets: z.array(TicketSchema).min(1).max(20),
    reservedAt: z.iso.datetime({ offset: true }),
    /**
     * The event's ticketsTotal when the order was placed, so the ledger can enforce its cap for an
     * order that arrives before the event's definition does. Absent in intents from before it existed.
     */
    ticketsTotal: z.number().int().min(1).optional(),
  })
  .refine((intent) => intent.tickets.length === intent.quantity, {
    message: 'one ticket per unit of quantity',
    path: ['tickets'],
  });
export type PurchaseIntent = z.infer<typeof PurchaseIntentSchema>;
