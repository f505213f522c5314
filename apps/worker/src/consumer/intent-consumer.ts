import { ensureTopology } from '@frequency/config/pubsub';
import { PurchaseIntentSchema, type PurchaseIntent } from '@frequency/contracts';
import type { OrderStore } from '@frequency/db';
import type { Logger } from '@frequency/observability';
import {
  Duration,
  type Message,
  type PubSub,
  type Subscription,
  type Topic,
} from '@google-cloud/pubsub';
import type { Redis } from 'ioredis';
import type { WorkerMetrics } from '../metrics.js';
import { confirmOrders } from './confirm.js';

export interface ConsumerOptions {
  pubsub: PubSub;
  names: { topic: string; subscription: string; deadLetterTopic: string };
  store: OrderStore;
  redis: Redis;
  metrics: WorkerMetrics;
  logger: Logger;
  maxMessages: number;
  batchSize: number;
  batchWaitMs: number;
  concurrentBatches: number;
  shutdownTimeoutMs: number;
}

interface Item {
  message: Message;
  intent: PurchaseIntent;
}

/** Why a message could never succeed: it goes to the dead-letter topic instead of being retried. */
class PoisonMessage extends Error {
  override readonly name = 'PoisonMessage';
}

const grpcNotFound = 5;
const maxBackoffMs = 5_000;

/**
 * Streams purchase intents from Pub/Sub into the OrderStore.
 *
 * - Flow control holds at most `maxMessages` unacked messages; batches of up to `batchSize` (or
 *   whatever arrived within `batchWaitMs`) are persisted in one transaction each.
 * - A message is acked only after its batch is committed and confirmed in Redis. Any crash before
 *   that leaves it unacked: Pub/Sub delivers it again and the idempotent insert makes it harmless.
 * - Transient database or Redis errors are retried in process with capped exponential backoff while
 *   the messages stay leased (the client extends their deadline), so an outage pauses the pipeline
 *   rather than churning redeliveries. Flow control stops the pull meanwhile.
 * - A message that fails validation, or that the database refuses for good (found by splitting the
 *   batch), is published to the dead-letter topic and acked: never retried forever.
 * - A stream error (e.g. NOT_FOUND after an emulator restart) re-creates the topology and reopens.
 */
export class IntentConsumer {
  private subscription: Subscription | undefined;
  private deadLetter: Topic;
  private buffer: Item[] = [];
  private timer: NodeJS.Timeout | undefined;
  private reopenTimer: NodeJS.Timeout | undefined;
  private readonly active = new Set<Promise<void>>();
  private stopping = false;
  private reopenAttempts = 0;

  constructor(private readonly options: ConsumerOptions) {
    this.deadLetter = options.pubsub.topic(options.names.deadLetterTopic, {
      batching: { maxMessages: 100, maxMilliseconds: 10 },
    });
  }

  start(): void {
    this.stopping = false;
    this.open();
  }

  /**
   * Graceful stop: the stream closes at once (nothing new arrives), the batch in hand is written,
   * confirmed and acked, then the client flushes its acks. Messages still unacked at the deadline
   * are nacked and come back to another worker.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.reopenTimer);
    const closing = this.subscription?.close();
    this.drain();
    const deadline = new Promise<void>((resolve) =>
      setTimeout(resolve, this.options.shutdownTimeoutMs).unref(),
    );
    await Promise.race([this.idle(), deadline]);
    await closing?.catch((err: unknown) => {
      this.options.logger.warn({ err }, 'subscription did not close cleanly');
    });
    this.subscription = undefined;
  }

  /** Resolves when no batch is running (batches started meanwhile included). */
  private async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active]);
  }

  /** True while the stream is open; for readiness. */
  get isOpen(): boolean {
    return this.subscription?.isOpen ?? false;
  }

  private open(): void {
    const { pubsub, names, maxMessages, shutdownTimeoutMs } = this.options;
    const subscription = pubsub.subscription(names.subscription, {
      flowControl: { maxMessages, allowExcessMessages: false },
      // Acks are sent in groups: one RPC per 1,000 acks or 20 ms.
      batching: { maxMessages: 1_000, maxMilliseconds: 20 },
      closeOptions: {
        behavior: 'WAIT',
        timeout: Duration.from({ milliseconds: shutdownTimeoutMs }),
      },
    });
    subscription.on('message', (message: Message) => {
      this.receive(message);
    });
    subscription.on('error', (err: unknown) => {
      this.onStreamError(subscription, err);
    });
    this.subscription = subscription;
  }

  private onStreamError(subscription: Subscription, err: unknown): void {
    if (this.stopping || subscription !== this.subscription) return;
    this.options.logger.warn({ err }, 'subscription stream failed; reopening');
    this.subscription = undefined;
    void subscription.close().catch(() => undefined);
    const delay = Math.min(250 * 2 ** this.reopenAttempts, maxBackoffMs);
    this.reopenAttempts += 1;
    this.reopenTimer = setTimeout(() => {
      void this.reopen(errorCode(err) === grpcNotFound);
    }, delay);
  }

  private async reopen(recreate: boolean): Promise<void> {
    if (this.stopping) return;
    try {
      // NOT_FOUND: the broker forgot the subscription (an emulator restart). Any other error may
      // hide the same cause behind a retry, so the topology is ensured either way; it is idempotent.
      await ensureTopology(this.options.pubsub, this.options.names);
      if (recreate) this.options.logger.warn('Pub/Sub topology re-created');
      this.reopenAttempts = 0;
    } catch (err) {
      this.options.logger.warn({ err }, 'cannot ensure the Pub/Sub topology yet');
    }
    // stop() may have been called while the topology was being ensured.
    if (!this.isStopping()) this.open();
  }

  private isStopping(): boolean {
    return this.stopping;
  }

  private receive(message: Message): void {
    this.options.metrics.inflight.inc();
    if (this.stopping) {
      this.settle(message, 'nack');
      return;
    }
    let intent: PurchaseIntent;
    try {
      intent = PurchaseIntentSchema.parse(JSON.parse(message.data.toString('utf8')));
    } catch (err) {
      void this.deadLetterMessage(
        message,
        err instanceof SyntaxError ? 'not JSON' : 'not a purchase intent',
      );
      return;
    }
    this.buffer.push({ message, intent });
    if (this.buffer.length >= this.options.batchSize) this.drain();
    else
      this.timer ??= setTimeout(() => {
        this.drain();
      }, this.options.batchWaitMs);
  }

  /** Starts batches from the buffer while there is room for one more concurrent batch. */
  private drain(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    while (this.buffer.length > 0 && this.active.size < this.options.concurrentBatches) {
      const items = this.buffer.splice(0, this.options.batchSize);
      const run: Promise<void> = this.processBatch(items)
        .catch((err: unknown) => {
          this.options.logger.error({ err }, 'batch failed; its messages will be redelivered');
          for (const item of items) this.settle(item.message, 'nack');
        })
        .finally(() => {
          this.active.delete(run);
          // Full batches start at once; a partial one waits for the timer or the next message.
          if (
            this.buffer.length >= this.options.batchSize ||
            (this.stopping && this.buffer.length > 0)
          )
            this.drain();
          else if (this.buffer.length > 0)
            this.timer ??= setTimeout(() => {
              this.drain();
            }, this.options.batchWaitMs);
        });
      this.active.add(run);
    }
  }

  private async processBatch(items: Item[]): Promise<void> {
    const { metrics, store } = this.options;
    const started = process.hrtime.bigint();
    let result;
    try {
      result = await this.retrying('persist', () =>
        store.persist(items.map((item) => item.intent)),
      );
    } catch (err) {
      if (!(err instanceof PoisonMessage)) throw err;
      // The database refused the batch for good: split it until the culprit is alone.
      if (items.length === 1 && items[0]) {
        await this.deadLetterMessage(items[0].message, `refused by the database: ${err.message}`);
        return;
      }
      const half = Math.ceil(items.length / 2);
      await this.processBatch(items.slice(0, half));
      await this.processBatch(items.slice(half));
      return;
    }
    await this.retrying('confirm', () =>
      confirmOrders(
        this.options.redis,
        items.map(({ intent }) => ({ eventId: intent.eventId, orderId: intent.orderId })),
      ),
    );
    const now = Date.now();
    for (const { message } of items) {
      metrics.lag.observe(Math.max(0, now - message.publishTime.getTime()) / 1000);
      this.settle(message, 'ack');
    }
    metrics.messages.inc({ result: 'persisted' }, result.ordersInserted);
    metrics.messages.inc({ result: 'duplicate' }, items.length - result.ordersInserted);
    metrics.batchSize.observe(items.length);
    metrics.batchDuration.observe(Number(process.hrtime.bigint() - started) / 1e9);
  }

  /**
   * Runs `work` until it succeeds, backing off on transient errors. Gives up with the error when
   * the consumer stops (the messages are then nacked) and turns a permanent database error into a
   * PoisonMessage.
   */
  private async retrying<T>(what: string, work: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt += 1) {
      try {
        return await work();
      } catch (err) {
        const transient = what === 'confirm' || this.options.store.isTransientError(err);
        if (!transient) throw new PoisonMessage(err instanceof Error ? err.message : String(err));
        if (this.stopping && attempt >= 2) throw err;
        this.options.metrics.messages.inc({ result: 'retried' });
        const delay = Math.min(50 * 2 ** attempt, maxBackoffMs) * (0.5 + Math.random() / 2);
        this.options.logger.warn({ err, attempt, delay }, `${what} failed, retrying`);
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async deadLetterMessage(message: Message, reason: string): Promise<void> {
    const { deadLetterTopic } = this.options.names;
    try {
      await this.publishDeadLetter(message, reason).catch(async (err: unknown) => {
        if (errorCode(err) !== grpcNotFound) throw err;
        await ensureTopology(this.options.pubsub, this.options.names);
        await this.publishDeadLetter(message, reason);
      });
      this.options.metrics.messages.inc({ result: 'dead_lettered' });
      this.options.logger.warn(
        { messageId: message.id, reason, deadLetterTopic },
        'message dead-lettered',
      );
      this.settle(message, 'ack');
    } catch (err) {
      // Not parked yet: let Pub/Sub deliver it again (its own dead-letter policy caps the attempts).
      this.options.logger.error({ err, messageId: message.id }, 'cannot dead-letter; nacking');
      this.settle(message, 'nack');
    }
  }

  private async publishDeadLetter(message: Message, reason: string): Promise<void> {
    await this.deadLetter.publishMessage({
      data: message.data,
      attributes: {
        ...message.attributes,
        deadLetterReason: reason.slice(0, 500),
        sourceSubscription: this.options.names.subscription,
        sourceMessageId: message.id,
      },
    });
  }

  private settle(message: Message, how: 'ack' | 'nack'): void {
    if (how === 'ack') message.ack();
    else message.nack();
    this.options.metrics.inflight.dec();
  }
}

function errorCode(err: unknown): unknown {
  return typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
}
