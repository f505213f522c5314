import { ensureDeadLetterTopic, grpcCode, grpcNotFound } from '@frequency/config/pubsub';
import type { Logger } from '@frequency/observability';
import type { Message, PubSub, Topic } from '@google-cloud/pubsub';
import type { WorkerMetrics } from '../metrics.js';

export interface DeadLetterOptions {
  pubsub: PubSub;
  names: { topic: string; subscription: string; deadLetterTopic: string };
  metrics: WorkerMetrics;
  logger: Logger;
}

/**
 * The dead-letter topic: where a message goes, once, for ops to look at, when the worker has
 * decided it can never be stored as it is (not an intent, or an order the ledger rejected). The
 * original data and attributes travel with the reason.
 */
export class DeadLetters {
  private readonly topic: Topic;

  constructor(private readonly options: DeadLetterOptions) {
    this.topic = options.pubsub.topic(options.names.deadLetterTopic, {
      batching: { maxMessages: 100, maxMilliseconds: 10 },
    });
  }

  /**
   * Publishes a copy of `message` with `reason`; the topic is re-created if the broker forgot it.
   * Rejects if the broker cannot take it.
   */
  async publish(message: Message, reason: string): Promise<void> {
    await this.send(message, reason).catch(async (err: unknown) => {
      if (grpcCode(err) !== grpcNotFound) throw err;
      await ensureDeadLetterTopic(this.options.pubsub, this.options.names.deadLetterTopic);
      await this.send(message, reason);
    });
    this.options.metrics.messages.inc({ result: 'dead_lettered' });
    this.options.logger.warn(
      { messageId: message.id, reason, deadLetterTopic: this.options.names.deadLetterTopic },
      'message dead-lettered',
    );
  }

  /**
   * For a message that carries nothing to store: parks it and acks it, or nacks it when it cannot be
   * parked yet (the subscription's own dead-letter policy caps the attempts).
   */
  async park(
    message: Message,
    reason: string,
    settle: (how: 'ack' | 'nack') => void,
  ): Promise<void> {
    try {
      await this.publish(message, reason);
      settle('ack');
    } catch (err) {
      this.options.logger.error({ err, messageId: message.id }, 'cannot dead-letter; nacking');
      settle('nack');
    }
  }

  private async send(message: Message, reason: string): Promise<void> {
    await this.topic.publishMessage({
      data: message.data,
      attributes: {
        ...message.attributes,
        deadLetterReason: reason.slice(0, 500),
        sourceSubscription: this.options.names.subscription,
        sourceMessageId: message.id,
      },
    });
  }
}
