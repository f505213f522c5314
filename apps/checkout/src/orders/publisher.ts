import { ensureTopology } from '@frequency/config/pubsub';
import type { PubSub, Topic } from '@google-cloud/pubsub';
import type { Logger } from '@frequency/observability';

export interface PublisherOptions {
  pubsub: PubSub;
  names: { topic: string; subscription: string; deadLetterTopic: string };
  logger: Logger;
}

/** gRPC NOT_FOUND: the topic is gone, e.g. an emulator that restarted and forgot its topology. */
const grpcNotFound = 5;
const retryDelaysMs = [50, 100, 200, 400, 800];

/**
 * Publishes purchase intents. Messages are batched by the client for up to 5 ms (or 500 messages):
 * at thousands of orders per second that is one RPC per few dozen orders, and 5 ms is small
 * against the order's own latency. Message ordering is off: each intent stands alone.
 *
 * Every call is bounded by a deadline: the order is already durable in the Redis outbox, so a slow
 * or absent broker delays delivery (the relay publishes again) instead of hanging the request.
 */
export class IntentPublisher {
  private readonly topic: Topic;
  private topology: Promise<void> | undefined;

  constructor(private readonly options: PublisherOptions) {
    this.topic = options.pubsub.topic(options.names.topic, {
      batching: { maxMessages: 500, maxMilliseconds: 5 },
      messageOrdering: false,
      // The library's own retry would go on for minutes; our deadline and the outbox take over.
      gaxOpts: { timeout: 5_000 },
    });
  }

  /**
   * Publishes one message with retries until `deadlineMs` passes. Resolves true when the broker
   * took it, false when the deadline passed; never rejects.
   */
  async publish(
    data: Buffer,
    attributes: Record<string, string>,
    deadlineMs: number,
  ): Promise<boolean> {
    const deadline = Date.now() + deadlineMs;
    for (let attempt = 0; ; attempt += 1) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      try {
        await withDeadline(this.topic.publishMessage({ data, attributes }), left);
        return true;
      } catch (err) {
        if (errorCode(err) === grpcNotFound) await this.ensureTopology();
        else this.options.logger.debug({ err }, 'publish failed, retrying');
      }
      const pause = retryDelaysMs[Math.min(attempt, retryDelaysMs.length - 1)] ?? 800;
      if (Date.now() + pause >= deadline) return false;
      await sleep(pause);
    }
  }

  /** Re-creates topic, subscription and dead-letter topic; concurrent callers share one attempt. */
  ensureTopology(): Promise<void> {
    this.topology ??= ensureTopology(this.options.pubsub, this.options.names)
      .then(() => {
        this.options.logger.warn(
          { topic: this.options.names.topic },
          'Pub/Sub topology re-created',
        );
      })
      .catch((err: unknown) => {
        this.options.logger.warn({ err }, 'cannot re-create the Pub/Sub topology yet');
      })
      .finally(() => {
        this.topology = undefined;
      });
    return this.topology;
  }

  async flush(): Promise<void> {
    await this.topic.flush().catch(() => undefined);
  }
}

function errorCode(err: unknown): unknown {
  return typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
}

function withDeadline<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      reject(new Error(`no answer within ${ms} ms`));
    }, ms);
  });
  // The abandoned publish may still settle later; its outcome no longer matters.
  promise.catch(() => undefined);
  return Promise.race([promise, timeout]).finally(() => {
    clearTimeout(timer);
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
