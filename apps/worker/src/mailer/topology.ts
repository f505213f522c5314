import { ensureTopology, ignoreAlreadyExists } from '@frequency/config/pubsub';
import type { PubSub } from '@google-cloud/pubsub';

export interface ConfirmationNames {
  /** PUBSUB_CONFIRMATIONS_TOPIC */
  topic: string;
  /** PUBSUB_CONFIRMATIONS_SUBSCRIPTION: the mailer's. */
  subscription: string;
  /** PUBSUB_CONFIRMATIONS_DEAD_LETTER_TOPIC */
  deadLetterTopic: string;
}

/**
 * Creates the confirmations topology if it is missing: the topic, the dead-letter topic (with a
 * subscription that holds what is parked there), and the mailer's subscription. Idempotent; run by
 * the publisher before its first publish (a topic without a subscription drops what it gets), by
 * the mailer when it starts or its stream fails, and by the local stack.
 *
 * Unlike the intents' subscription, the mailer's has no dead-letter policy: it nacks every mail the
 * relay does not take, so delivery attempts count an SMTP outage, and a cap on them would park good
 * confirmations after a long one. The mailer parks what it can never send itself. The retry policy
 * spaces out redeliveries of nacked mails (the mailer also waits before it nacks).
 */
export async function ensureConfirmationTopology(
  pubsub: PubSub,
  names: ConfirmationNames,
): Promise<void> {
  await ensureTopology(pubsub, { topic: names.topic, deadLetterTopic: names.deadLetterTopic });
  const subscription = pubsub.topic(names.topic).subscription(names.subscription);
  const [exists] = await subscription.exists();
  if (exists) return;
  await subscription
    .create({
      ackDeadlineSeconds: 60,
      retryPolicy: { minimumBackoff: { seconds: 5 }, maximumBackoff: { seconds: 300 } },
    })
    .catch(ignoreAlreadyExists);
}
