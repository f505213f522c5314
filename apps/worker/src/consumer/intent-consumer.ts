import { PurchaseIntentSchema, type PurchaseIntent } from '@frequency/contracts';
import type { OrderStore } from '@frequency/db';
import type { Logger } from '@frequency/observability';
import type { Message, PubSub } from '@google-cloud/pubsub';
import type { RedisClient } from '@frequency/config/redis';
import type { WorkerMetrics } from '../metrics.js';
import { DeadLetters } from './dead-letters.js';
import { OutcomeWriter, type Item } from './outcomes.js';
import { SubscriptionStream } from './subscription-stream.js';

export interface ConsumerOptions {
  pubsub: PubSub;
  names: { topic: string; subscription: string; deadLetterTopic: string };
  store: OrderStore;
  redis: RedisClient;
  metrics: WorkerMetrics;
  logger: Logger;
  maxMessages: number;
  batchSize: number;
  batchWaitMs: number;
  concurrentBatches: number;
  shutdownTimeoutMs: number;
  /** Attempts at an order the database refuses for good before it is rejected as FAILED. */
  permanentAttempts: number;
  /** Called with the orders the ledger confirmed, before their messages are acked. */
  onConfirmed?: (intents: PurchaseIntent[]) => Promise<void>;
}

/**
 * Streams purchase intents from Pub/Sub into the ledger, in batches.
 *
 * - Flow control holds at most `maxMessages` unacked messages; batches of up to `batchSize` (or
 *   whatever arrived within `batchWaitMs`) are persisted in one transaction each, at most
 *   `concurrentBatches` at once.
 * - A message is acked only once its order's outcome (confirmed or rejected) is in the ledger and in
 *   Redis (outcomes.ts). Any crash before that leaves it unacked: Pub/Sub delivers it again and the
 *   idempotent ledger makes it harmless.
 * - A message that is not a purchase intent is dead-lettered and acked: never retried forever. If it
 *   still names an order, that order is rejected as INVALID so its tickets go back on sale.
 */
export class IntentConsumer {
  private readonly stream: SubscriptionStream;
  private readonly writer: OutcomeWriter;
  private readonly deadLetters: DeadLetters;
  private buffer: Item[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly active = new Set<Promise<void>>();
  private stopping = false;
  private readonly settled = new WeakSet<Message>();

  constructor(private readonly options: ConsumerOptions) {
    this.deadLetters = new DeadLetters(options);
    this.writer = new OutcomeWriter({
      ...options,
      deadLetters: this.deadLetters,
      settle: (message, how) => {
        this.settle(message, how);
      },
      isStopping: () => this.stopping,
    });
    this.stream = new SubscriptionStream({
      ...options,
      onMessage: (message) => {
        this.receive(message);
      },
    });
  }

  start(): void {
    this.stopping = false;
    this.stream.start();
  }

  /**
   * Graceful stop: the stream closes at once (nothing new arrives), the batch in hand is written,
   * confirmed and acked, then the client flushes its acks. Messages still unacked at the deadline
   * are nacked and come back to another worker.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    const closing = this.stream.stop();
    this.drain();
    const deadline = new Promise<void>((resolve) =>
      setTimeout(resolve, this.options.shutdownTimeoutMs).unref(),
    );
    await Promise.race([this.idle(), deadline]);
    await closing;
  }

  /** True while the stream is open; for readiness. */
  get isOpen(): boolean {
    return this.stream.isOpen;
  }

  /** Resolves when no batch is running (batches started meanwhile included). */
  private async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active]);
  }

  private receive(message: Message): void {
    this.options.metrics.inflight.inc();
    if (this.stopping) {
      this.settle(message, 'nack');
      return;
    }
    let raw: unknown;
    try {
      raw = JSON.parse(message.data.toString('utf8'));
    } catch {
      void this.deadLetters.park(message, 'not JSON', (how) => {
        this.settle(message, how);
      });
      return;
    }
    const parsed = PurchaseIntentSchema.safeParse(raw);
    if (!parsed.success) {
      void this.writer.rejectMalformed(message, raw, parsed.error.message);
      return;
    }
    this.buffer.push({ message, intent: parsed.data, attempts: 0 });
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
      const run: Promise<void> = this.writer
        .write(items)
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

  /** Acks or nacks a message once; a batch that fails after a part of it settled leaves that part. */
  private settle(message: Message, how: 'ack' | 'nack'): void {
    if (this.settled.has(message)) return;
    this.settled.add(message);
    if (how === 'ack') message.ack();
    else message.nack();
    this.options.metrics.inflight.dec();
  }
}
