import { eventKeys, eventsIndexKey, orderRecordReader } from '@frequency/contracts';
import type { Logger } from '@frequency/observability';
import type { RedisClient } from '@frequency/config/redis';
import type { CheckoutMetrics } from '../metrics.js';
import type { IntentPublisher } from './publisher.js';
import { checkoutCommands, type CheckoutCommands } from './scripts.js';

/** The relay publishes a pending order's stored intent. */
const relayRead = orderRecordReader('intent');

export interface OutboxRelayOptions {
  redis: RedisClient;
  publisher: IntentPublisher;
  metrics: CheckoutMetrics;
  logger: Logger;
  intervalMs: number;
  republishAfterMs: number;
  /** Entries claimed per event per round; bounds the work (and memory) of one round. */
  batchSize?: number;
  publishTimeoutMs?: number;
}

/**
 * Publishes again every order that is reserved but not confirmed by the worker after
 * `republishAfterMs`: a publish that timed out, a message a restarted broker forgot, a message
 * dead-lettered by a hiccup. Runs on every checkout replica without a leader: claiming is atomic
 * (claimOutbox), and a republish is harmless anyway since the worker persists idempotently.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = true;
  private readonly scripts: CheckoutCommands;

  constructor(private readonly options: OutboxRelayOptions) {
    this.scripts = checkoutCommands(options.redis);
  }

  start(): void {
    if (this.options.intervalMs <= 0 || !this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then(() => undefined)
        .catch((err: unknown) => {
          this.options.logger.warn({ err }, 'outbox relay round failed');
        })
        .finally(() => {
          this.running = undefined;
          this.schedule();
        });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** One round over every event; returns how many orders were published again. */
  async runOnce(): Promise<number> {
    const { redis, metrics } = this.options;
    const eventIds = await redis.smembers(eventsIndexKey);
    let pending = 0;
    let republished = 0;
    for (const eventId of eventIds) {
      const keys = eventKeys(eventId);
      const now = Date.now();
      const due = await this.scripts.claimOutbox(keys, {
        now,
        leaseUntil: now + this.options.republishAfterMs,
        limit: this.options.batchSize ?? 1_000,
      });
      if (due.length > 0) republished += await this.republish(eventId, due);
      pending += await redis.zcard(keys.outbox);
    }
    metrics.outboxPending.set(pending);
    return republished;
  }

  private async republish(eventId: string, orderIds: string[]): Promise<number> {
    const { redis, publisher, metrics } = this.options;
    const keys = eventKeys(eventId);
    const records = await Promise.all(
      orderIds.map(async (orderId) =>
        relayRead.parse(await redis.hmget(keys.order(orderId), ...relayRead.fields)),
      ),
    );
    const results = await Promise.all(
      orderIds.map(async (orderId, index) => {
        const record = records[index];
        const intent = record?.intent;
        // Settled meanwhile (the worker drops the intent when it confirms or rejects): nothing
        // left to send.
        if (!intent) {
          await redis.zrem(keys.outbox, orderId);
          return false;
        }
        // Withdrawn (its publish failed, the fan was answered 503): never published from here.
        // Its entry is left alone: withdrawing removed it, and a retry that reserves the order
        // again has just added it back.
        if (record.status !== 'pending') return false;
        const ok = await publisher.publish(
          Buffer.from(intent),
          { eventId, orderId, republished: '1' },
          this.options.publishTimeoutMs ?? 5_000,
        );
        if (!ok) {
          metrics.publishFailures.inc();
          // Due again soon rather than after a full lease: the broker may be back in seconds.
          await redis.zadd(keys.outbox, 'XX', Date.now() + this.options.intervalMs, orderId);
        }
        return ok;
      }),
    );
    const count = results.filter(Boolean).length;
    if (count > 0) this.options.logger.info({ eventId, count }, 'republished unconfirmed orders');
    return count;
  }
}
