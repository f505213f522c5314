import { EventDefinitionSchema } from '@frequency/contracts';
import type { OrderStore } from '@frequency/db';
import type { Logger } from '@frequency/observability';
import type { Message, PubSub } from '@google-cloud/pubsub';
import type { WorkerMetrics } from '../metrics.js';
import { SubscriptionStream } from '../consumer/subscription-stream.js';

export interface DefinitionsOptions {
  pubsub: PubSub;
  names: { topic: string; subscription: string };
  store: OrderStore;
  metrics: WorkerMetrics;
  logger: Logger;
  shutdownTimeoutMs: number;
}

/**
 * Writes the event definitions the waiting room publishes (at creation, after every ops change,
 * and periodically) into the ledger, so the database knows every event, its ticketsTotal and its
 * current configuration: the ledger's cap and Redis's rebuild after a loss both read them from there.
 *
 * The store keeps the highest version per event, so redelivered, repeated and late messages are
 * harmless. A message that fails to parse is acked and logged: the next periodic publish carries
 * the same event again. A database error nacks: Pub/Sub delivers it again with backoff.
 */
export class EventDefinitions {
  private readonly stream: SubscriptionStream;

  constructor(private readonly options: DefinitionsOptions) {
    this.stream = new SubscriptionStream({
      ...options,
      maxMessages: 100,
      onMessage: (message) => {
        void this.receive(message);
      },
    });
  }

  get isOpen(): boolean {
    return this.stream.isOpen;
  }

  start(): void {
    this.stream.start();
  }

  stop(): Promise<void> {
    return this.stream.stop();
  }

  private async receive(message: Message): Promise<void> {
    const { metrics, logger, store } = this.options;
    let definition;
    try {
      definition = EventDefinitionSchema.parse(JSON.parse(message.data.toString('utf8')));
    } catch (err) {
      metrics.definitions.inc({ result: 'invalid' });
      logger.warn({ err, messageId: message.id }, 'not an event definition; dropped');
      message.ack();
      return;
    }
    try {
      const { stored } = await store.upsertEvent(definition);
      metrics.definitions.inc({ result: stored ? 'stored' : 'stale' });
      message.ack();
    } catch (err) {
      metrics.definitions.inc({ result: 'retried' });
      logger.warn({ err, eventId: definition.event.id }, 'cannot store an event definition yet');
      message.nack();
    }
  }
}
