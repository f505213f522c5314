import { z } from 'zod';

const resourceName = z
  .string()
  .regex(/^[A-Za-z][A-Za-z0-9._~+%-]{2,254}$/, 'not a valid Pub/Sub resource name');

export const pubsubEnv = z.object({
  PUBSUB_PROJECT_ID: z.string().min(1).default('frequency-local'),
  PUBSUB_EMULATOR_HOST: z
    .string()
    .regex(/^[^:\s]+:\d{1,5}$/, 'must be host:port')
    .optional(),
  PUBSUB_TOPIC: resourceName.default('purchase-intents'),
  PUBSUB_SUBSCRIPTION: resourceName.default('purchase-intents-worker'),
  PUBSUB_DEAD_LETTER_TOPIC: resourceName.default('purchase-intents-dead-letter'),
  /** Event definitions and ops changes on their way from the waiting room to the ledger. */
  PUBSUB_EVENTS_TOPIC: resourceName.default('event-definitions'),
  PUBSUB_EVENTS_SUBSCRIPTION: resourceName.default('event-definitions-worker'),
  /** Orders the ledger confirmed, for the mailer's own subscription. */
  PUBSUB_CONFIRMATIONS_TOPIC: resourceName.default('order-confirmations'),
  PUBSUB_CONFIRMATIONS_SUBSCRIPTION: resourceName.default('order-confirmations-mailer'),
});
