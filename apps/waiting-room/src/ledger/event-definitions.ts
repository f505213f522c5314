import {
  ensureTopic,
  grpcCode,
  grpcNotFound,
  withDeadline,
  type createPubSub,
} from '@frequency/config/pubsub';
import { type EventDefinition, EventDefinitionSchema } from '@frequency/contracts';
import type { Logger } from '@frequency/observability';
import type { EventCache, EventSnapshot } from '../events/event-cache.js';
import type { WaitingRoomMetrics } from '../metrics.js';

type PubSub = ReturnType<typeof createPubSub>;
type Topic = ReturnType<PubSub['topic']>;

/** What made a definition go out: a new event, an ops change, or the periodic resend. */
export type DefinitionTrigger = 'create' | 'patch' | 'sync';

export interface EventDefinitionPublisherOptions {
  pubsub: PubSub;
  topicName: string;
  cache: EventCache;
  metrics: WaitingRoomMetrics;
  logger: Logger;
  /** How long one publish may take before the caller goes on without it. */
  deadlineMs: number;
  /** How often every event is sent again. */
  intervalMs: number;
  /** Whether this replica sends the periodic copy of an event (its admission leader does). */
  sendsCopyOf: (eventId: string) => boolean;
}

/**
 * Carries event definitions to the ledger (no API process writes the database): one message after
 * an event is created, one after every ops change, and every event again each `intervalMs` from the
 * replica leading its admission, so a message the broker lost or a worker that was down only delays
 * the ledger. Each message carries the config's `version`; the worker keeps the highest it has, so
 * copies and late messages change nothing.
 *
 * A publish never holds an ops answer past `deadlineMs`: a failure is logged and counted, and the
 * next periodic copy delivers the same definition. The message carries the shuffle seed before it is
 * public: the ledger needs it to put shuffled places back after Redis forgot them, and it is kept
 * there with the same trust as in Redis.
 */
export class EventDefinitionPublisher {
  readonly #topic: Topic;
  /** When each event's current version was first seen here: its definition's `changedAt`. */
  readonly #changedAt = new Map<string, { version: number; at: string }>();
  #timer: NodeJS.Timeout | undefined;
  #syncing: Promise<void> | undefined;
  #creatingTopic: Promise<void> | undefined;

  constructor(private readonly options: EventDefinitionPublisherOptions) {
    this.#topic = options.pubsub.topic(options.topicName, {
      // A few definitions at a time: no reason to hold one back for a batch.
      batching: { maxMessages: 100, maxMilliseconds: 5 },
      // The library's own retries would go on for a minute; the deadline and the periodic copy
      // take their place.
      gaxOpts: { timeout: options.deadlineMs, maxRetries: 0 },
    });
  }

  start(): void {
    this.#timer = setInterval(() => {
      void this.sync();
    }, this.options.intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  /** The definition of an event as this snapshot has it; throws if the config breaks the contract. */
  definition(snapshot: EventSnapshot): EventDefinition {
    const { config } = snapshot;
    let changed = this.#changedAt.get(snapshot.id);
    if (changed?.version !== snapshot.version) {
      changed = { version: snapshot.version, at: new Date().toISOString() };
      this.#changedAt.set(snapshot.id, changed);
    }
    return EventDefinitionSchema.parse({
      v: 1,
      event: config,
      version: snapshot.version,
      shuffle:
        snapshot.seed && snapshot.commitment
          ? { seed: snapshot.seed, commitment: snapshot.commitment }
          : null,
      changedAt: changed.at,
    });
  }

  /**
   * Publishes the definitions of these snapshots within the deadline. Resolves true when the broker
   * took all of them; never rejects (a failure is logged and counted, the periodic copy follows).
   */
  async publish(snapshots: EventSnapshot[], trigger: DefinitionTrigger): Promise<boolean> {
    const definitions: EventDefinition[] = [];
    for (const snapshot of snapshots) {
      if (snapshot.stale) continue;
      try {
        definitions.push(this.definition(snapshot));
      } catch (err) {
        this.options.metrics.definitionsPublished.inc({ trigger, result: 'failed' });
        this.options.logger.error({ err, eventId: snapshot.id }, 'event definition is not valid');
      }
    }
    if (definitions.length === 0) return true;
    const deadline = Date.now() + this.options.deadlineMs;
    let failure: unknown;
    for (let attempt = 0; attempt < 2; attempt += 1) {
      try {
        await withDeadline(
          Promise.all(definitions.map((definition) => this.#send(definition))),
          deadline - Date.now(),
        );
        this.options.metrics.definitionsPublished.inc(
          { trigger, result: 'published' },
          definitions.length,
        );
        return true;
      } catch (err) {
        failure = err;
        if (grpcCode(err) !== grpcNotFound || Date.now() >= deadline) break;
        // Created here when missing; the worker creates its own subscription.
        await withDeadline(this.#createTopic(), deadline - Date.now()).catch(() => undefined);
      }
    }
    this.options.metrics.definitionsPublished.inc(
      { trigger, result: 'failed' },
      definitions.length,
    );
    this.options.logger.warn(
      { err: failure, trigger, events: definitions.map((d) => d.event.id) },
      'event definitions not published; the periodic copy will send them',
    );
    return false;
  }

  /** Sends every event this replica leads again; one round at a time. */
  sync(): Promise<void> {
    this.#syncing ??= (async () => {
      try {
        const snapshots = this.options.cache
          .ids()
          .filter((id) => this.options.sendsCopyOf(id))
          .map((id) => this.options.cache.get(id))
          .filter((snapshot): snapshot is EventSnapshot => snapshot !== undefined);
        await this.publish(snapshots, 'sync');
      } finally {
        this.#syncing = undefined;
      }
    })();
    return this.#syncing;
  }

  async #send(definition: EventDefinition): Promise<void> {
    await this.#topic.publishMessage({
      data: Buffer.from(JSON.stringify(definition)),
      attributes: { eventId: definition.event.id, version: String(definition.version) },
    });
  }

  #createTopic(): Promise<void> {
    this.#creatingTopic ??= ensureTopic(this.options.pubsub, this.options.topicName)
      .then(() => {
        this.options.logger.warn(
          { topic: this.options.topicName },
          'event definition topic created',
        );
      })
      .finally(() => {
        this.#creatingTopic = undefined;
      });
    return this.#creatingTopic;
  }
}
