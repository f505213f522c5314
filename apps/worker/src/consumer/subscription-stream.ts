import { ensureSubscription, grpcCode, grpcNotFound } from '@frequency/config/pubsub';
import type { Logger } from '@frequency/observability';
import { Duration, type Message, type PubSub, type Subscription } from '@google-cloud/pubsub';

export interface StreamOptions {
  pubsub: PubSub;
  /** The subscription ensured before reopening: an emulator that restarted forgot it. */
  names: { topic: string; subscription: string; deadLetterTopic?: string };
  logger: Logger;
  /** Unacked messages held at most. */
  maxMessages: number;
  shutdownTimeoutMs: number;
  onMessage(message: Message): void;
}

const maxBackoffMs = 5_000;

/**
 * One subscription's streaming pull, kept open: a stream error (NOT_FOUND after an emulator restart,
 * a broker that went away) closes it, ensures the subscription again and reopens with capped backoff.
 * Acks are sent in groups (one RPC per 1,000 acks or 20 ms).
 */
export class SubscriptionStream {
  private subscription: Subscription | undefined;
  private reopenTimer: NodeJS.Timeout | undefined;
  private reopenAttempts = 0;
  private stopping = false;

  constructor(private readonly options: StreamOptions) {}

  /** True while the stream is open; for readiness. */
  get isOpen(): boolean {
    return this.subscription?.isOpen ?? false;
  }

  start(): void {
    this.stopping = false;
    this.open();
  }

  /** Stops the pull at once; the returned promise settles once the client flushed its acks. */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.reopenTimer);
    const subscription = this.subscription;
    this.subscription = undefined;
    await subscription?.close().catch((err: unknown) => {
      this.options.logger.warn({ err }, 'subscription did not close cleanly');
    });
  }

  private open(): void {
    const { pubsub, names, maxMessages, shutdownTimeoutMs } = this.options;
    const subscription = pubsub.subscription(names.subscription, {
      flowControl: { maxMessages, allowExcessMessages: false },
      batching: { maxMessages: 1_000, maxMilliseconds: 20 },
      closeOptions: {
        behavior: 'WAIT',
        timeout: Duration.from({ milliseconds: shutdownTimeoutMs }),
      },
    });
    subscription.on('message', (message: Message) => {
      this.options.onMessage(message);
    });
    subscription.on('error', (err: unknown) => {
      this.onStreamError(subscription, err);
    });
    this.subscription = subscription;
  }

  private onStreamError(subscription: Subscription, err: unknown): void {
    if (this.stopping || subscription !== this.subscription) return;
    this.options.logger.warn(
      { err, subscription: this.options.names.subscription },
      'subscription stream failed; reopening',
    );
    this.subscription = undefined;
    void subscription.close().catch(() => undefined);
    const delay = Math.min(250 * 2 ** this.reopenAttempts, maxBackoffMs);
    this.reopenAttempts += 1;
    this.reopenTimer = setTimeout(() => {
      void this.reopen(grpcCode(err) === grpcNotFound);
    }, delay);
  }

  private async reopen(recreate: boolean): Promise<void> {
    if (this.stopping) return;
    try {
      // NOT_FOUND: the broker forgot the subscription (an emulator restart). Any other error may
      // hide the same cause behind a retry, so it is ensured either way; that is idempotent. The
      // topic is the publisher's to re-create: until it has, this fails and the next try waits longer.
      await ensureSubscription(this.options.pubsub, this.options.names);
      if (recreate) this.options.logger.warn('Pub/Sub subscription re-created');
      this.reopenAttempts = 0;
    } catch (err) {
      this.options.logger.warn({ err }, 'cannot ensure the Pub/Sub subscription yet');
    }
    // stop() may have been called while the topology was being ensured.
    if (!this.isStopping()) this.open();
  }

  private isStopping(): boolean {
    return this.stopping;
  }
}
