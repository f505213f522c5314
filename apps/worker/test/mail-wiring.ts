import { randomBytes } from 'node:crypto';
import type { PurchaseIntent } from '@frequency/contracts';
import { makeIntent, uniqueName, type TestPubSub } from '@frequency/testing';
import type { Message, Subscription } from '@google-cloud/pubsub';
import type { ConfirmationNames } from '../src/mailer/topology.js';
import type { MailResult } from '../src/mailer/mailer.js';
import type { WorkerMetrics } from '../src/metrics.js';

/** A confirmed purchase as the consumer hands it to the ConfirmationPublisher. */
export function confirmedIntent(
  eventId: string,
  quantity: number,
  buyer = {
    name: 'Ada "the fan" <Löwe> & Co',
    email: `ada.${randomBytes(4).toString('hex')}@example.com`,
  },
): PurchaseIntent {
  return makeIntent(eventId, quantity, { buyer, ticketsTotal: undefined });
}

export interface ConfirmationTopics {
  names: ConfirmationNames;
  /** The mailer's subscription, created here so that it keeps acked messages (for seek). */
  subscription: Subscription;
  /** Everything that reached the dead-letter topic, with its attributes. */
  parked: Message[];
  cleanup(): Promise<void>;
}

/**
 * Uniquely named confirmations topology on the test file's emulator: the topic, the mailer's
 * subscription (retaining acked messages, so a test can seek back and have them delivered again),
 * and the dead-letter topic with a listener that records what is parked.
 */
export async function createConfirmationTopics(pubsub: TestPubSub): Promise<ConfirmationTopics> {
  const base = uniqueName('t');
  const names: ConfirmationNames = {
    topic: `${base}-confirmations`,
    subscription: `${base}-mailer`,
    deadLetterTopic: `${base}-confirmations-dead-letter`,
  };
  const [topic] = await pubsub.pubsub.createTopic(names.topic);
  const [deadLetter] = await pubsub.pubsub.createTopic(names.deadLetterTopic);
  const [subscription] = await topic.createSubscription(names.subscription, {
    ackDeadlineSeconds: 10,
    retainAckedMessages: true,
  });
  const [parkedSubscription] = await deadLetter.createSubscription(`${names.deadLetterTopic}-test`);
  const parked: Message[] = [];
  parkedSubscription.on('message', (message: Message) => {
    parked.push(message);
    message.ack();
  });
  return {
    names,
    subscription,
    parked,
    cleanup: async () => {
      await parkedSubscription.close().catch(() => undefined);
      for (const s of [subscription, parkedSubscription]) await s.delete().catch(() => undefined);
      await pubsub.pubsub
        .subscription(`${names.deadLetterTopic}-hold`)
        .delete()
        .catch(() => undefined);
      for (const t of [topic, deadLetter]) await t.delete().catch(() => undefined);
    },
  };
}

/** worker_mails_total{result} as it stands. */
export async function mailCount(
  metrics: Pick<WorkerMetrics, 'mails'>,
  result: MailResult,
): Promise<number> {
  const { values } = await metrics.mails.get();
  return values.find((v) => v.labels.result === result)?.value ?? 0;
}
