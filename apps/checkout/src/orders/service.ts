import {
  AppError,
  eventKeys,
  isFinalOrderStatus,
  newId,
  newTicketCode,
  orderRecordKeys,
  orderRecordReader,
  placeOrderArgs,
  type AdmissionTokenClaims,
  type CreateOrderBody,
  type OrderAccepted,
  type OrderRecordStatus,
  type OrderView,
  type PurchaseIntent,
  type ReceiptTokenClaims,
} from '@frequency/contracts';
import type { RedisClient } from '@frequency/config/redis';
import { z } from 'zod';
import type { CheckoutMetrics } from '../metrics.js';
import type { ReceiptTokens } from '../receipts/receipt-tokens.js';
import type { IntentPublisher } from './publisher.js';
import type { ReplicaAcks } from './replica-acks.js';
import { checkoutCommands, type CheckoutCommands } from './scripts.js';

export interface OrderServiceOptions {
  /** Reads (order views, lookups). */
  redis: RedisClient;
  /** The connection the reservation scripts run on (the one ReplicaAcks waits on); default redis. */
  writes?: RedisClient;
  publisher: IntentPublisher;
  metrics: CheckoutMetrics;
  receipts: ReceiptTokens;
  replicaAcks: ReplicaAcks;
  publishTimeoutMs: number;
  republishAfterMs: number;
}

/** Who reads an order: the admission that placed it (while valid), or a receipt for that order. */
export type OrderReader =
  | { kind: 'admission'; claims: AdmissionTokenClaims }
  | { kind: 'receipt'; claims: ReceiptTokenClaims };

/** What each read of the order record needs of it. */
const retryRead = orderRecordReader('quantity', 'intent');
const lookupRead = orderRecordReader('quantity');
const viewRead = orderRecordReader('quantity', 'admissionId', 'tickets', 'reason');
const StoredIntentSchema = z.object({ reservedAt: z.string(), quantity: z.number().int() });

/** Answer of an order whose intent could not be published: nothing is reserved, try again. */
const retryAfterSeconds = '2';
function publishUnavailable(): AppError {
  return new AppError('UNAVAILABLE', 'the order could not be sent, try again', {
    'retry-after': retryAfterSeconds,
  });
}

function tokenExpired(): AppError {
  return new AppError('TOKEN_EXPIRED', 'the admission has expired', {
    'www-authenticate': 'Bearer error="invalid_token"',
  });
}

/**
 * Placing and reading orders. The reservation is one Lua script (scripts.ts); everything random
 * (order id, ticket ids, 160-bit ticket codes) is drawn before it, so the script stays a pure
 * check-and-write and the intent it stores is exactly what the worker will persist.
 *
 * A 202 means the intent is in Pub/Sub: the publish is bounded by publishTimeoutMs, and past it the
 * reservation is undone (withdrawOrder) and the fan answered 503. A retry with the same admission
 * or Idempotency-Key reserves that same order again (reReserveOrder) and publishes its stored
 * intent. A publish that did reach the broker after all carries the same order id, which the
 * ledger stores once.
 */
export class OrderService {
  private readonly writes: RedisClient;
  /** The reservation scripts, on `writes`. */
  private readonly scripts: CheckoutCommands;

  constructor(private readonly options: OrderServiceOptions) {
    this.writes = options.writes ?? options.redis;
    this.scripts = checkoutCommands(this.writes);
  }

  async place(
    eventId: string,
    admission: AdmissionTokenClaims,
    body: CreateOrderBody,
    idempotencyKey: string | undefined,
    ticketsTotal?: number,
  ): Promise<OrderAccepted> {
    const { metrics } = this.options;
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
      ...(ticketsTotal === undefined ? {} : { ticketsTotal }),
    };
    const intentJson = JSON.stringify(intent);
    const {
      outcome,
      id,
      number: figure,
      expiresAt,
    } = await this.reserve(() =>
      this.scripts.placeOrder(
        orderRecordKeys(eventId, orderId),
        placeOrderArgs(intent, {
          intentJson,
          idempotencyKey,
          republishAt: Date.now() + this.options.republishAfterMs,
          iat: admission.iat,
          exp: admission.exp,
        }),
      ),
    );
    if (outcome === 'duplicate') return this.again(eventId, admission, id, body.quantity);
    if (outcome !== 'accepted') throw this.refusal(eventId, outcome, figure);
    metrics.orders.inc({ event: eventId, result: 'accepted' });
    metrics.ticketsRemaining.set({ event: eventId }, figure);
    await this.publishOrWithdraw(eventId, orderId, intentJson, expiresAt);
    return this.accepted(eventId, orderId, body.quantity);
  }

  /**
   * The admission (or its Idempotency-Key) placed `orderId` before. Pending, confirmed or rejected:
   * that order again. Withdrawn (its publish failed): reserved again, the same checks as a first
   * placement, and published again. Reads and scripts are separate steps; a concurrent retry that
   * changes the order in between is seen by the script, and the loop reads it once more.
   */
  private async again(
    eventId: string,
    admission: AdmissionTokenClaims,
    orderId: string,
    fallbackQuantity: number,
  ): Promise<OrderAccepted> {
    const { redis, metrics } = this.options;
    const keys = eventKeys(eventId);
    for (let round = 0; round < 3; round += 1) {
      const values = await redis.hmget(keys.order(orderId), ...retryRead.fields).catch(() => {
        throw new AppError('UNAVAILABLE', 'orders cannot be placed right now, try again', {
          'retry-after': '1',
        });
      });
      const record = retryRead.parse(values);
      const status = record?.status;
      const intent = record?.intent;
      const count = record?.quantity ?? fallbackQuantity;
      if (status !== 'withdrawn') {
        metrics.orders.inc({ event: eventId, result: 'duplicate' });
        if (status === 'pending' && intent) await this.republishIfFresh(eventId, orderId, intent);
        return this.accepted(eventId, orderId, count);
      }
      const {
        outcome,
        number: figure,
        expiresAt,
      } = await this.reserve(() =>
        this.scripts.reReserveOrder(orderRecordKeys(eventId, orderId), {
          admissionId: admission.jti,
          orderId,
          republishAt: Date.now() + this.options.republishAfterMs,
          admissionIat: admission.iat,
          admissionExp: admission.exp,
        }),
      );
      // Changed since the read (a concurrent retry reserved it): read it once more.
      if (outcome === 'unchanged') continue;
      if (outcome === 'not_yours') throw notFound(orderId);
      if (outcome !== 'accepted') throw this.refusal(eventId, outcome, figure);
      metrics.orders.inc({ event: eventId, result: 'accepted' });
      metrics.ticketsRemaining.set({ event: eventId }, figure);
      if (!intent) throw new Error(`withdrawn order ${orderId} has no intent`);
      await this.publishOrWithdraw(eventId, orderId, intent, expiresAt);
      return this.accepted(eventId, orderId, count);
    }
    throw publishUnavailable();
  }

  /**
   * A retry of a pending order may arrive while the request that reserved it is still publishing,
   * and that publish may yet fail and withdraw the order. So a retry within that window publishes
   * the stored intent itself before its 202 (a second copy is harmless: same order id); after it,
   * the order is past its inline publish and the outbox guards it. A failure here answers 503 and
   * leaves the reservation to the request that made it.
   */
  private async republishIfFresh(
    eventId: string,
    orderId: string,
    intentJson: string,
  ): Promise<void> {
    const stored = StoredIntentSchema.safeParse(JSON.parse(intentJson));
    const reservedAt = stored.success ? Date.parse(stored.data.reservedAt) : Number.NaN;
    // Clocks of replicas differ a little: a margin on top of the publish bound.
    const window = this.options.publishTimeoutMs + 1_000;
    if (!(Date.now() - reservedAt < window)) return;
    const published = await this.options.publisher.publish(
      Buffer.from(intentJson),
      { eventId, orderId },
      this.options.publishTimeoutMs,
    );
    if (!published) {
      this.options.metrics.publishFailures.inc();
      throw publishUnavailable();
    }
  }

  /**
   * The order is reserved in Redis before this runs. Its intent is published inline, bounded; the
   * replicas' acknowledgement (when configured) is awaited alongside. A 202 follows only if the
   * broker took the intent. Otherwise the reservation is undone unless the worker settled the order
   * meanwhile (then the intent did arrive), and the fan gets 503 to retry.
   *
   * Fewer replicas than asked still end in 202: the intent is in Pub/Sub by then, so a failover
   * that loses the reservation loses no order (the worker persists it, and the ledger, not Redis,
   * decides whether its tickets exist); refusing would only turn a placed order into an error.
   */
  private async publishOrWithdraw(
    eventId: string,
    orderId: string,
    intentJson: string,
    admissionExpiresAt: number,
  ): Promise<void> {
    const { publisher, metrics, replicaAcks } = this.options;
    const [published] = await Promise.all([
      publisher.publish(
        Buffer.from(intentJson),
        { eventId, orderId },
        this.options.publishTimeoutMs,
      ),
      replicaAcks.wait(),
    ]);
    if (published) return;
    metrics.publishFailures.inc();
    const keys = orderRecordKeys(eventId, orderId);
    let before: OrderRecordStatus | undefined;
    try {
      before = await this.scripts.withdrawOrder(keys, { orderId, admissionExpiresAt });
    } catch {
      // Redis cannot undo it now: the order stays reserved, due in the outbox at once, so the relay
      // publishes it; the fan's retry finds it and gets its 202.
      await this.writes.zadd(keys.outbox, 'XX', Date.now(), orderId).catch(() => undefined);
      throw publishUnavailable();
    }
    if (isFinalOrderStatus(before)) return;
    metrics.orders.inc({ event: eventId, result: 'withdrawn' });
    throw publishUnavailable();
  }

  /**
   * For an admission past its expiry (signature checked): the order its Idempotency-Key names, so a
   * retry whose answer was lost still learns its order. Never reserves anything; no order (or one
   * that was withdrawn, i.e. never answered 202) is the usual 401 TOKEN_EXPIRED.
   */
  async lookup(
    eventId: string,
    admission: AdmissionTokenClaims,
    idempotencyKey: string,
  ): Promise<OrderAccepted> {
    const { redis, metrics } = this.options;
    const keys = eventKeys(eventId);
    const held = await redis.hget(keys.idempotency, idempotencyKey).catch(() => {
      throw new AppError('UNAVAILABLE', 'orders cannot be read right now, try again', {
        'retry-after': '1',
      });
    });
    const sep = held?.indexOf(' ') ?? -1;
    if (!held || sep <= 0 || held.slice(0, sep) !== admission.jti) throw tokenExpired();
    const orderId = held.slice(sep + 1);
    const values = await redis.hmget(keys.order(orderId), ...lookupRead.fields).catch(() => {
      throw new AppError('UNAVAILABLE', 'orders cannot be read right now, try again', {
        'retry-after': '1',
      });
    });
    const record = lookupRead.parse(values);
    if (!record || record.status === 'withdrawn' || record.quantity === undefined)
      throw tokenExpired();
    metrics.orders.inc({ event: eventId, result: 'duplicate' });
    return this.accepted(eventId, orderId, record.quantity);
  }

  private async accepted(
    eventId: string,
    orderId: string,
    quantity: number,
  ): Promise<OrderAccepted> {
    return {
      orderId,
      status: 'pending',
      quantity,
      receiptToken: await this.options.receipts.issue(orderId, eventId),
    };
  }

  /** The error (and metric) of a reservation that was refused. */
  private refusal(eventId: string, outcome: string, figure: number): AppError | Error {
    const { metrics } = this.options;
    switch (outcome) {
      case 'sold_out':
        metrics.orders.inc({ event: eventId, result: 'sold_out' });
        metrics.ticketsRemaining.set({ event: eventId }, 0);
        return new AppError('SOLD_OUT', 'the event is sold out');
      case 'insufficient':
        metrics.orders.inc({ event: eventId, result: 'insufficient' });
        metrics.ticketsRemaining.set({ event: eventId }, figure);
        return new AppError('INSUFFICIENT_TICKETS', `only ${figure} tickets are left`);
      case 'revoked':
        metrics.orders.inc({ event: eventId, result: 'revoked' });
        return new AppError(
          'ADMISSION_REVOKED',
          'this admission was given up by leaving the queue',
        );
      case 'expired':
        metrics.orders.inc({ event: eventId, result: 'expired' });
        return tokenExpired();
      case 'buyer_limit':
        metrics.orders.inc({ event: eventId, result: 'buyer_limit' });
        return new AppError(
          'BUYER_LIMIT',
          figure > 0
            ? `this buyer may order ${figure} more ${figure === 1 ? 'ticket' : 'tickets'} for this event`
            : 'this buyer has ordered the most tickets allowed for this event',
        );
      case 'too_many':
        return new AppError('VALIDATION_FAILED', `at most ${figure} tickets per order`, {}, [
          { path: 'body.quantity', message: `must be at most ${figure}` },
        ]);
      case 'idempotency_conflict':
        return new AppError(
          'VALIDATION_FAILED',
          'this Idempotency-Key belongs to another admission',
          {},
          [{ path: 'headers.idempotency-key', message: 'already used by another admission' }],
        );
      case 'not_found':
        return new AppError('NOT_FOUND', `no event ${eventId}`);
      default:
        return new Error(`unexpected reservation outcome ${outcome}`);
    }
  }

  /**
   * Runs a reservation script, again after a timeout or a dropped connection: such a failure is
   * ambiguous (the script may have run), and running it again is safe because the admission is
   * the key: if the first run took effect, the second returns that order instead of a new one
   * (placeOrder), or finds it pending and changes nothing (reReserveOrder).
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
   * An order as its buyer sees it: readable with the admission that placed it, or with a receipt
   * for it. "Not yours", "does not exist" and "withdrawn" (answered 503, so its id was never
   * given out) all answer 404 alike, so order ids cannot be probed.
   */
  async get(reader: OrderReader, orderId: string): Promise<OrderView> {
    const eventId = reader.claims.evt;
    if (reader.kind === 'receipt' && reader.claims.sub !== orderId) throw notFound(orderId);
    const values = await this.options.redis
      .hmget(eventKeys(eventId).order(orderId), ...viewRead.fields)
      .catch(() => {
        throw new AppError('UNAVAILABLE', 'orders cannot be read right now, try again', {
          'retry-after': '1',
        });
      });
    const record = viewRead.parse(values);
    if (reader.kind === 'admission' && record?.admissionId !== reader.claims.jti)
      throw notFound(orderId);
    if (!record || record.status === 'withdrawn' || record.quantity === undefined)
      throw notFound(orderId);
    const view: OrderView = {
      orderId,
      status: record.status,
      quantity: record.quantity,
      tickets: record.status === 'confirmed' ? (record.tickets ?? []) : [],
    };
    if (record.status === 'rejected') view.reason = record.reason ?? null;
    return view;
  }
}

function notFound(orderId: string): AppError {
  return new AppError('NOT_FOUND', `no order ${orderId} for this token`);
}
