import {
  eventKeys,
  EventIdSchema,
  isFinalOrderStatus,
  OrderIdSchema,
  orderRecordReader,
  type PurchaseIntent,
  type RejectReason,
} from '@frequency/contracts';
import type { ErrorClass, OrderOutcome, OrderStore } from '@frequency/db';
import type { Logger } from '@frequency/observability';
import type { Message } from '@google-cloud/pubsub';
import type { RedisClient } from '@frequency/config/redis';
import type { WorkerMetrics } from '../metrics.js';
import type { DeadLetters } from './dead-letters.js';
import { confirmOrders, rejectOrders, type Rejection } from './order-records.js';

const statusRead = orderRecordReader();

export interface Item {
  message: Message;
  intent: PurchaseIntent;
  /** Attempts the database refused for good so far. */
  attempts: number;
}

export interface OutcomeOptions {
  store: OrderStore;
  redis: RedisClient;
  metrics: WorkerMetrics;
  logger: Logger;
  deadLetters: DeadLetters;
  permanentAttempts: number;
  onConfirmed?: ((intents: PurchaseIntent[]) => Promise<void>) | undefined;
  settle(message: Message, how: 'ack' | 'nack'): void;
  isStopping(): boolean;
}

/** Why a step gave up: the consumer is stopping and the messages go back to Pub/Sub. */
class Stopping extends Error {
  override readonly name = 'Stopping';
}

/** A database error that retrying the same write will not cure. */
class Refused extends Error {
  override readonly name = 'Refused';
  constructor(
    readonly kind: 'invalid' | 'permanent',
    override readonly cause: unknown,
  ) {
    super(cause instanceof Error ? cause.message : String(cause));
  }
}

const maxBackoffMs = 5_000;

/**
 * Takes a batch of intents to their final outcome and acks them. Every accepted order ends in one of
 * two states, in the ledger first and then in Redis:
 *
 * - confirmed: the ledger wrote its order and ticket rows under its own id (now or before). Only
 *   then does Redis mark it confirmed and the mailer hear of it.
 * - rejected, with a reason: SOLD_OUT when the ledger's own cap refused it, INVALID when the
 *   database refused its data or its admission already holds another order, FAILED when the
 *   database refused it for good `permanentAttempts` times. Its tickets go back on sale in Redis, it
 *   leaves the outbox (so nothing publishes it again), it is counted and dead-lettered once; a
 *   redelivery finds it rejected in the ledger and changes nothing.
 *
 * Errors are told apart by kind, not by where they happened: transient ones (a connection lost, a
 * serialization failure, Redis away) are retried in process with capped backoff while the messages
 * stay leased, so an outage pauses the pipeline rather than churning redeliveries; refused ones are
 * isolated by splitting the batch until the order at fault is alone.
 */
export class OutcomeWriter {
  private readonly storeErrors: (err: unknown) => ErrorClass;

  constructor(private readonly options: OutcomeOptions) {
    this.storeErrors = (err) => options.store.classifyError(err);
  }

  async write(items: Item[]): Promise<void> {
    const started = process.hrtime.bigint();
    const { metrics } = this.options;
    let result;
    try {
      result = await this.retrying(
        'persist',
        () => this.options.store.persist(items.map((item) => item.intent)),
        this.storeErrors,
      );
    } catch (err) {
      if (!(err instanceof Refused)) throw err;
      await this.isolate(items, err);
      return;
    }
    await this.apply(items, result.outcomes);
    metrics.batchSize.observe(items.length);
    metrics.batchDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
  }

  /** Halves a refused batch until the order at fault is alone, then retries or rejects it. */
  private async isolate(items: Item[], err: Refused): Promise<void> {
    const [only] = items;
    if (items.length > 1 || !only) {
      const half = Math.ceil(items.length / 2);
      await this.write(items.slice(0, half));
      await this.write(items.slice(half));
      return;
    }
    only.attempts += 1;
    if (err.kind === 'permanent' && only.attempts < this.options.permanentAttempts) {
      this.options.logger.warn(
        { err: err.cause, orderId: only.intent.orderId, attempt: only.attempts },
        'the database refused an order; trying again',
      );
      await sleep(backoff(only.attempts));
      await this.write([only]);
      return;
    }
    const reason: RejectReason = err.kind === 'invalid' ? 'INVALID' : 'FAILED';
    this.options.logger.warn(
      { err: err.cause, orderId: only.intent.orderId, reason },
      'the database refused an order; rejecting it',
    );
    await this.retrying(
      'record the rejection',
      () => this.options.store.recordRejected([{ intent: only.intent, reason }]),
      this.storeErrors,
    ).catch((recordErr: unknown) => {
      if (recordErr instanceof Stopping) throw recordErr;
      // Not even a rejected row fits: Redis still learns the outcome, and the message is parked.
      this.options.logger.error(
        { err: recordErr, orderId: only.intent.orderId },
        'cannot record the rejection',
      );
    });
    await this.reject([only], [rejectionOf(only.intent, reason)], [`${reason}: ${err.message}`]);
  }

  /** Brings the ledger's outcomes into Redis, tells the mailer, dead-letters new rejections, acks. */
  private async apply(items: Item[], outcomes: readonly OrderOutcome[]): Promise<void> {
    const byId = new Map(outcomes.map((outcome) => [outcome.orderId, outcome]));
    const confirmed: Item[] = [];
    const rejected: { item: Item; rejection: Rejection; fresh: boolean }[] = [];
    const left = await this.ledgerLeft(outcomes, items);
    const unknown: Item[] = [];
    for (const item of items) {
      const outcome = byId.get(item.intent.orderId);
      if (!outcome) unknown.push(item);
      else if (outcome.status === 'confirmed') confirmed.push(item);
      else if (outcome.status === 'rejected')
        rejected.push({
          item,
          rejection: {
            ...rejectionOf(item.intent, outcome.reason),
            ledgerLeft: outcome.reason === 'SOLD_OUT' ? left.get(item.intent.eventId) : undefined,
          },
          fresh: outcome.written,
        });
      else rejected.push({ item, rejection: rejectionOf(item.intent, 'INVALID'), fresh: true });
    }
    if (unknown.length > 0) {
      // The store answers every order it was given; one it did not is retried, never guessed.
      this.options.logger.error(
        { orders: unknown.map((i) => i.intent.orderId) },
        'no outcome; redelivering',
      );
      for (const item of unknown) this.options.settle(item.message, 'nack');
    }
    if (confirmed.length > 0) {
      const intents = confirmed.map((item) => item.intent);
      await this.retrying('confirm', () => confirmOrders(this.options.redis, intents));
      if (this.options.onConfirmed) {
        const notify = this.options.onConfirmed;
        await this.retrying('announce the confirmations', () => notify(intents));
      }
      const now = Date.now();
      for (const { message } of confirmed) {
        this.options.metrics.lag.observe(Math.max(0, now - message.publishTime.getTime()) / 1000);
        this.options.settle(message, 'ack');
      }
      const written = outcomes.filter((o) => o.status === 'confirmed' && o.written).length;
      this.options.metrics.messages.inc({ result: 'persisted' }, written);
      this.options.metrics.messages.inc({ result: 'duplicate' }, confirmed.length - written);
    }
    if (rejected.length > 0) {
      const fresh = rejected.filter((r) => r.fresh);
      const stale = rejected.filter((r) => !r.fresh);
      await this.reject(
        fresh.map((r) => r.item),
        fresh.map((r) => r.rejection),
        fresh.map((r) => `${r.rejection.reason}: refused by the ledger`),
      );
      // Rejected before (a redelivery): Redis may not know yet, nothing is parked again.
      if (stale.length > 0) {
        await this.retrying('reject', () =>
          rejectOrders(
            this.options.redis,
            stale.map((r) => r.rejection),
          ),
        );
        for (const { item } of stale) this.options.settle(item.message, 'ack');
        this.options.metrics.messages.inc({ result: 'duplicate' }, stale.length);
      }
    }
  }

  /**
   * Rejects orders in Redis, and for each whose record this changed (not a redelivery of one
   * rejected before) counts it and parks its message; acks them all.
   */
  private async reject(items: Item[], rejections: Rejection[], reasons: string[]): Promise<void> {
    if (items.length === 0) return;
    const changed = await this.retrying('reject', () =>
      rejectOrders(this.options.redis, rejections),
    );
    await Promise.all(
      items.map(async (item, index) => {
        const rejection = rejections[index];
        if (!changed[index] || !rejection) {
          this.options.settle(item.message, 'ack');
          return;
        }
        this.options.metrics.rejected.inc({ reason: rejection.reason });
        // Parked for ops to look at; the outcome is already final, so a broker that cannot take
        // the copy right now costs the copy, never the order.
        await this.options.deadLetters
          .publish(item.message, reasons[index] ?? 'rejected')
          .catch((err: unknown) => {
            this.options.logger.error(
              { err, orderId: item.intent.orderId },
              'cannot dead-letter a rejected order',
            );
          });
        this.options.settle(item.message, 'ack');
      }),
    );
    this.options.metrics.messages.inc({ result: 'rejected' }, items.length);
  }

  /**
   * A message that is not a valid intent. When it still names an order (a corrupted or foreign
   * message for an order checkout reserved), that order is rejected as INVALID so its tickets go back
   * on sale; either way the message is parked and acked.
   */
  async rejectMalformed(message: Message, raw: unknown, problem: string): Promise<void> {
    const named = namedOrder(raw);
    if (named) {
      try {
        const changed = await this.retrying('reject', () =>
          rejectOrders(this.options.redis, [{ ...named, reason: 'INVALID', fromLedger: false }]),
        );
        if (!changed[0] && (await this.isFinal(named))) {
          // Rejected (or confirmed) before: a redelivery, already parked once.
          this.options.settle(message, 'ack');
          return;
        }
        if (changed[0]) this.options.metrics.rejected.inc({ reason: 'INVALID' });
      } catch (err) {
        this.options.logger.error(
          { err, messageId: message.id },
          'cannot reject a malformed order; nacking',
        );
        this.options.settle(message, 'nack');
        return;
      }
    }
    this.options.logger.warn({ messageId: message.id, problem }, 'not a purchase intent');
    await this.options.deadLetters.park(message, 'not a purchase intent', (how) => {
      this.options.settle(message, how);
    });
  }

  /** True when Redis holds a final outcome (confirmed or rejected) for the order. */
  private async isFinal(order: { eventId: string; orderId: string }): Promise<boolean> {
    const values = await this.retrying('read the order', () =>
      this.options.redis.hmget(eventKeys(order.eventId).order(order.orderId), ...statusRead.fields),
    );
    return isFinalOrderStatus(statusRead.parse(values)?.status);
  }

  /** Tickets the ledger has left per event, for the events with a SOLD_OUT rejection in the batch. */
  private async ledgerLeft(
    outcomes: readonly OrderOutcome[],
    items: Item[],
  ): Promise<Map<string, number>> {
    const soldOut = new Set(
      outcomes
        .filter((o) => o.status === 'rejected' && o.reason === 'SOLD_OUT')
        .map((o) => o.orderId),
    );
    const events = new Set(
      items.filter((i) => soldOut.has(i.intent.orderId)).map((i) => i.intent.eventId),
    );
    const left = new Map<string, number>();
    for (const eventId of events) {
      const inventory = await this.retrying(
        'read the ledger',
        () => this.options.store.readInventory(eventId),
        this.storeErrors,
      );
      if (inventory) left.set(eventId, Math.max(0, inventory.ticketsTotal - inventory.ticketsSold));
    }
    return left;
  }

  /**
   * Runs `work` until it succeeds, backing off on transient errors. Gives up with Stopping when the
   * consumer stops (the messages are then nacked) and with Refused on an error retrying cannot cure.
   * `kindOf` tells them apart; the default, transient, fits Redis and Pub/Sub: their steps are
   * idempotent and the data is valid by then, so only their availability can fail.
   */
  private async retrying<T>(
    what: string,
    work: () => Promise<T>,
    kindOf: (err: unknown) => ErrorClass = () => 'transient',
  ): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await work();
      } catch (err) {
        const kind = kindOf(err);
        if (kind !== 'transient') throw new Refused(kind, err);
        if (this.options.isStopping() && attempt >= 2)
          throw new Stopping(`${what} failed while stopping`);
        this.options.metrics.messages.inc({ result: 'retried' });
        const delay = backoff(attempt);
        this.options.logger.warn({ err, attempt, delay }, `${what} failed, retrying`);
        await sleep(delay);
      }
    }
  }
}

function rejectionOf(intent: PurchaseIntent, reason: RejectReason): Rejection {
  return {
    eventId: intent.eventId,
    orderId: intent.orderId,
    reason,
    quantity: intent.quantity,
    admissionId: intent.admissionId,
    buyerEmail: intent.buyer.email,
    fromLedger: true,
  };
}

/** The order a malformed message still names, if both ids are well formed. */
function namedOrder(raw: unknown): { eventId: string; orderId: string } | null {
  if (typeof raw !== 'object' || raw === null) return null;
  const record = raw as Record<string, unknown>;
  const eventId = EventIdSchema.safeParse(record.eventId);
  const orderId = OrderIdSchema.safeParse(record.orderId);
  return eventId.success && orderId.success
    ? { eventId: eventId.data, orderId: orderId.data }
    : null;
}

function backoff(attempt: number): number {
  return Math.min(50 * 2 ** attempt, maxBackoffMs) * (0.5 + Math.random() / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
