import {
  grpcCode,
  grpcNotFound,
  grpcPermissionDenied,
  withDeadline,
} from '@frequency/config/pubsub';
import type { OrderConfirmed, PurchaseIntent } from '@frequency/contracts';
import type { Logger } from '@frequency/observability';
import type { PubSub, Topic } from '@google-cloud/pubsub';
import { ensureConfirmationTopology, type ConfirmationNames } from './topology.js';

export interface ConfirmationPublisherOptions {
  pubsub: PubSub;
  names: ConfirmationNames;
  logger: Logger;
  /** Bound of one publish() call, retries included. */
  deadlineMs?: number;
}

/** Deadline of one Publish RPC; the library's own retries would go on for minutes. */
const rpcTimeoutMs = 5_000;
const retryDelaysMs = [50, 100, 200, 400, 800];

/**
 * Publishes one OrderConfirmed per confirmed order to the confirmations topic, for the mailer.
 *
 * - publish() resolves once the broker holds every confirmation of the batch, and throws when the
 *   deadline passes first: the caller retries before it acks the intents, so a confirmation is
 *   never lost. A retry may publish some confirmations twice; the mailer sends one mail per order.
 * - Before its first publish it makes sure the mailer's subscription exists (a topic without a
 *   subscription drops what it receives), and again after NOT_FOUND (an emulator that restarted).
 *   Where it may not create topics (GCP, where Terraform owns them) it publishes regardless.
 */
export class ConfirmationPublisher {
  private readonly topic: Topic;
  private readonly deadlineMs: number;
  private topologyReady = false;
  private topology: Promise<void> | undefined;

  constructor(private readonly options: ConfirmationPublisherOptions) {
    this.deadlineMs = options.deadlineMs ?? 10_000;
    this.topic = options.pubsub.topic(options.names.topic, {
      // A worker batch (up to 500 orders) goes out in one or two Publish RPCs.
      batching: { maxMessages: 500, maxMilliseconds: 10 },
      gaxOpts: { timeout: rpcTimeoutMs, maxRetries: 0 },
    });
  }

  async publish(intents: PurchaseIntent[]): Promise<void> {
    if (intents.length === 0) return;
    const deadline = Date.now() + this.deadlineMs;
    const confirmedAt = new Date().toISOString();
    let pending = intents.map((intent) => ({
      data: Buffer.from(JSON.stringify(orderConfirmed(intent, confirmedAt))),
      attributes: { eventId: intent.eventId, orderId: intent.orderId },
    }));
    if (!this.topologyReady) await this.ensureTopology(deadline);
    for (let attempt = 0; ; attempt += 1) {
      const results = await Promise.allSettled(
        pending.map((message) =>
          withDeadline(this.topic.publishMessage(message), deadline - Date.now()),
        ),
      );
      const failures: unknown[] = results.flatMap((r) =>
        r.status === 'rejected' ? [r.reason as unknown] : [],
      );
      pending = pending.filter((_, i) => results[i]?.status === 'rejected');
      if (pending.length === 0) return;
      const pause = retryDelaysMs[Math.min(attempt, retryDelaysMs.length - 1)] ?? 800;
      if (Date.now() + pause >= deadline) {
        throw new Error(
          `${pending.length} of ${intents.length} order confirmations not published within ${this.deadlineMs} ms`,
          { cause: failures[0] },
        );
      }
      if (failures.some((err) => grpcCode(err) === grpcNotFound)) {
        this.topologyReady = false;
        await this.ensureTopology(deadline);
      } else await sleep(pause);
    }
  }

  /** Sends what the client still batches. */
  async close(): Promise<void> {
    await this.topic.flush().catch(() => undefined);
  }

  /** Concurrent callers share one attempt; a failure is logged, and the publish tries anyway. */
  private async ensureTopology(deadline: number): Promise<void> {
    this.topology ??= ensureConfirmationTopology(this.options.pubsub, this.options.names)
      .then(() => {
        this.topologyReady = true;
      })
      .catch((err: unknown) => {
        // Not ours to create: publish into what exists, and do not ask again.
        if (grpcCode(err) === grpcPermissionDenied) this.topologyReady = true;
        this.options.logger.warn({ err }, 'cannot ensure the confirmations topology');
      })
      .finally(() => {
        this.topology = undefined;
      });
    await withDeadline(this.topology, deadline - Date.now()).catch(() => undefined);
  }
}

/** The message the mailer turns into the confirmation e-mail. */
export function orderConfirmed(intent: PurchaseIntent, confirmedAt: string): OrderConfirmed {
  return {
    v: 1,
    orderId: intent.orderId,
    eventId: intent.eventId,
    quantity: intent.quantity,
    buyer: intent.buyer,
    tickets: intent.tickets,
    confirmedAt,
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
