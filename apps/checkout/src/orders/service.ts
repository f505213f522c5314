import {
  AppError,
  buyerCapField,
  eventKeys,
  newId,
  newTicketCode,
  OrderStatusSchema,
  TicketSchema,
  type AdmissionTokenClaims,
  type CreateOrderBody,
  type OrderAccepted,
  type OrderView,
  type PurchaseIntent,
} from '@frequency/contracts';
import type { Redis } from 'ioredis';
import { z } from 'zod';
import type { CheckoutMetrics } from '../metrics.js';
import type { IntentPublisher } from './publisher.js';

export interface OrderServiceOptions {
  redis: Redis;
  publisher: IntentPublisher;
  metrics: CheckoutMetrics;
  publishTimeoutMs: number;
  republishAfterMs: number;
}

const StoredTicketsSchema = z.array(TicketSchema);

/**
 * Placing and reading orders. The reservation is one Lua script (scripts.ts); everything random
 * (order id, ticket ids, 160-bit ticket codes) is drawn before it, so the script stays a pure
 * check-and-write and the intent it stores is exactly what the worker will persist.
 */
export class OrderService {
  constructor(private readonly options: OrderServiceOptions) {}

  async place(
    eventId: string,
    admission: AdmissionTokenClaims,
    body: CreateOrderBody,
    idempotencyKey: string | undefined,
  ): Promise<OrderAccepted> {
    const { redis, metrics } = this.options;
    const keys = eventKeys(eventId);
    const orderId = newId('order');
    const tickets = Array.from({ length: body.quantity }, () => ({
      id: newId('ticket'),
      code: newTicketCode(),
    }));
    const intent: PurchaseIntent = {
      v: 1,
      orderId,
      eventId,
      admissionId: admission.jti,
      entryId: admission.sub,
      quantity: body.quantity,
      buyer: body.buyer,
      tickets,
      reservedAt: new Date().toISOString(),
    };
    const intentJson = JSON.stringify(intent);
    const [outcome, id, figure] = await this.reserve(() =>
      redis.placeOrder(
        keys.config,
        keys.stock,
        keys.sold,
        keys.active,
        keys.admissionOrders,
        keys.idempotency,
        keys.outbox,
        keys.order(orderId),
        keys.revoked,
        keys.buyers,
        admission.jti,
        idempotencyKey ?? '',
        orderId,
        body.quantity,
        intentJson,
        JSON.stringify(tickets),
        admission.jti,
        Date.now() + this.options.republishAfterMs,
        buyerCapField(body.buyer.email),
      ),
    );
    switch (outcome) {
      case 'accepted':
        metrics.orders.inc({ event: eventId, result: 'accepted' });
        metrics.ticketsRemaining.set({ event: eventId }, figure);
        await this.publishOrDefer(eventId, orderId, intentJson);
        return { orderId, status: 'pending', quantity: body.quantity };
      case 'duplicate': {
        metrics.orders.inc({ event: eventId, result: 'duplicate' });
        const quantity = await redis.hget(keys.order(id), 'quantity');
        return { orderId: id, status: 'pending', quantity: Number(quantity ?? body.quantity) };
      }
      case 'sold_out':
        metrics.orders.inc({ event: eventId, result: 'sold_out' });
        metrics.ticketsRemaining.set({ event: eventId }, 0);
        throw new AppError('SOLD_OUT', 'the event is sold out');
      case 'insufficient':
        metrics.orders.inc({ event: eventId, result: 'insufficient' });
        metrics.ticketsRemaining.set({ event: eventId }, figure);
        throw new AppError('INSUFFICIENT_TICKETS', `only ${figure} tickets are left`);
      case 'revoked':
        metrics.orders.inc({ event: eventId, result: 'revoked' });
        throw new AppError('ADMISSION_REVOKED', 'this admission was given up by leaving the queue');
      case 'expired':
        metrics.orders.inc({ event: eventId, result: 'expired' });
        throw new AppError('TOKEN_EXPIRED', 'the admission has expired', {
          'www-authenticate': 'Bearer error="invalid_token"',
        });
      case 'buyer_limit':
        metrics.orders.inc({ event: eventId, result: 'buyer_limit' });
        throw new AppError(
          'BUYER_LIMIT',
          figure > 0
            ? `this buyer may order ${figure} more ${figure === 1 ? 'ticket' : 'tickets'} for this event`
            : 'this buyer has ordered the most tickets allowed for this event',
        );
      case 'too_many':
        throw new AppError('VALIDATION_FAILED', `at most ${figure} tickets per order`, {}, [
          { path: 'body.quantity', message: `must be at most ${figure}` },
        ]);
      case 'idempotency_conflict':
        throw new AppError(
          'VALIDATION_FAILED',
          'this Idempotency-Key belongs to another admission',
          {},
          [{ path: 'headers.idempotency-key', message: 'already used by another admission' }],
        );
      case 'not_found':
        throw new AppError('NOT_FOUND', `no event ${eventId}`);
      default:
        throw new Error(`unexpected reservation outcome ${outcome}`);
    }
  }

  /**
   * Runs the reservation, again after a timeout or a dropped connection: such a failure is
   * ambiguous (the script may have run), and running it again is safe because the admission is
   * the key: if the first run took effect, the second returns that order instead of a new one.
   */
  private async reserve<T>(run: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await run();
      } catch {
        if (attempt >= 2) {
          throw new AppError('UNAVAILABLE', 'orders cannot be placed right now, try again', {
            'retry-after': '1',
          });
        }
      }
    }
  }

  /**
   * The order is durable in Redis before this runs. Publishing is attempted inline, bounded; if it
   * does not succeed in time the outbox entry is made due at once, so the relay takes over.
   */
  private async publishOrDefer(
    eventId: string,
    orderId: string,
    intentJson: string,
  ): Promise<void> {
    const published = await this.options.publisher.publish(
      Buffer.from(intentJson),
      { eventId, orderId },
      this.options.publishTimeoutMs,
    );
    if (published) return;
    this.options.metrics.publishFailures.inc();
    await this.options.redis
      .zadd(eventKeys(eventId).outbox, 'XX', Date.now(), orderId)
      .catch(() => undefined);
  }

  /** An order as its buyer sees it; only the admission that placed it may read it. */
  async get(admission: AdmissionTokenClaims, orderId: string): Promise<OrderView> {
    const [status, quantity, admissionId, tickets] = await this.options.redis
      .hmget(
        eventKeys(admission.evt).order(orderId),
        'status',
        'quantity',
        'admissionId',
        'tickets',
      )
      .catch(() => {
        throw new AppError('UNAVAILABLE', 'orders cannot be read right now, try again', {
          'retry-after': '1',
        });
      });
    // "Not yours" and "does not exist" answer the same, so order ids cannot be probed.
    if (admissionId !== admission.jti || status === null || quantity === null) {
      throw new AppError('NOT_FOUND', `no order ${orderId} for this admission`);
    }
    const parsedStatus = OrderStatusSchema.parse(status);
    return {
      orderId,
      status: parsedStatus,
      quantity: Number(quantity),
      tickets:
        parsedStatus === 'confirmed' && tickets
          ? StoredTicketsSchema.parse(JSON.parse(tickets))
          : [],
    };
  }
}
