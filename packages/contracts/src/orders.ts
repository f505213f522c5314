import { z } from 'zod';
import { BuyerEmailSchema, BuyerNameSchema } from './buyers.js';
import { OrderIdSchema, TicketCodeSchema, TicketIdSchema } from './ids.js';

/** 7. GET /v1/events/{eventId}/availability */
export const AvailabilitySchema = z
  .object({ ticketsRemaining: z.number().int().min(0), soldOut: z.boolean() })
  .meta({ id: 'Availability' });
export type Availability = z.infer<typeof AvailabilitySchema>;

/** Checked at the API, so the worker and the ledger never see a control character in a buyer. */
export const BuyerSchema = z.strictObject({
  name: BuyerNameSchema,
  email: BuyerEmailSchema,
});
export type Buyer = z.infer<typeof BuyerSchema>;

/** 8. POST /v1/events/{eventId}/orders */
export const CreateOrderBodySchema = z
  .strictObject({
    quantity: z.number().int().min(1).max(20),
    buyer: BuyerSchema,
  })
  .meta({ id: 'CreateOrder' });
export type CreateOrderBody = z.infer<typeof CreateOrderBodySchema>;

export const OrderHeadersSchema = z.object({
  authorization: z.string().optional(),
  'idempotency-key': z.string().min(1).max(200).optional(),
});

export const OrderStatusSchema = z.enum(['pending', 'confirmed', 'rejected']);
export type OrderStatus = z.infer<typeof OrderStatusSchema>;

/**
 * Why the ledger did not take an order (GET /v1/orders/{orderId} shows it as `reason`):
 * - SOLD_OUT: the database already holds ticketsTotal tickets for the event, whatever Redis said;
 * - INVALID:  the intent is not one the ledger can store (it slipped past the API's checks, or its
 *             admission already holds another order);
 * - FAILED:   the database refused it for good after a bounded number of attempts.
 */
export const RejectReasonSchema = z.enum(['SOLD_OUT', 'INVALID', 'FAILED']);
export type RejectReason = z.infer<typeof RejectReasonSchema>;

export const OrderAcceptedSchema = z
  .object({
    orderId: OrderIdSchema,
    status: z.literal('pending'),
    quantity: z.number().int(),
    receiptToken: z
      .string()
      .describe(
        'Extension: reads this one order (GET /v1/orders/{orderId}, Authorization: Bearer) for ' +
          'RECEIPT_TTL_SECONDS (30 days by default), long after the admission has expired',
      ),
  })
  .meta({ id: 'OrderAccepted' });
export type OrderAccepted = z.infer<typeof OrderAcceptedSchema>;

export const TicketSchema = z.object({ id: TicketIdSchema, code: TicketCodeSchema });
export type Ticket = z.infer<typeof TicketSchema>;

/** 9. GET /v1/orders/{orderId} */
export const OrderViewSchema = z
  .object({
    orderId: OrderIdSchema,
    status: OrderStatusSchema,
    quantity: z.number().int(),
    tickets: z.array(TicketSchema),
    reason: RejectReasonSchema.nullable()
      .optional()
      .describe('Extension: why the ledger refused the order; present once it is rejected'),
  })
  .meta({ id: 'Order' });
export type OrderView = z.infer<typeof OrderViewSchema>;

export const OrderParamsSchema = z.strictObject({ orderId: OrderIdSchema });
