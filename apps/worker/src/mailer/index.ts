import type { Logger } from '@frequency/observability';
import type { PubSub } from '@google-cloud/pubsub';
import type { RedisClient } from '@frequency/config/redis';
import type { Env } from '../env.js';
import type { WorkerMetrics } from '../metrics.js';
import { ConfirmationPublisher } from './confirmations.js';
import { mailerEnabled } from './env.js';
import { Mailer } from './mailer.js';
import type { ConfirmationNames } from './topology.js';
import { createSmtpTransport } from './transport.js';

export { ConfirmationPublisher } from './confirmations.js';
export { Mailer } from './mailer.js';

export function confirmationNames(env: Env): ConfirmationNames {
  return {
    topic: env.PUBSUB_CONFIRMATIONS_TOPIC,
    subscription: env.PUBSUB_CONFIRMATIONS_SUBSCRIPTION,
    deadLetterTopic: env.PUBSUB_CONFIRMATIONS_DEAD_LETTER_TOPIC,
  };
}

/**
 * The worker's confirmation side: the publisher the intent consumer calls after confirming a batch
 * (always there: another worker may be the one that mails), and the mailer, when this process
 * runs one (MAILER_ENABLED, by default when SMTP_URL is set). server.ts starts the mailer.
 */
export function createMailerServices(
  env: Env,
  deps: { pubsub: PubSub; redis: RedisClient; metrics: WorkerMetrics; logger: Logger },
): { confirmations: ConfirmationPublisher; mailer: Mailer | undefined } {
  const names = confirmationNames(env);
  const confirmations = new ConfirmationPublisher({
    pubsub: deps.pubsub,
    names,
    logger: deps.logger,
  });
  if (!mailerEnabled(env) || env.SMTP_URL === undefined) {
    deps.logger.info(
      env.SMTP_URL === undefined
        ? 'mailer off: SMTP_URL is not set, this worker sends no confirmation e-mails'
        : 'mailer off: MAILER_ENABLED=false, this worker sends no confirmation e-mails',
    );
    return { confirmations, mailer: undefined };
  }
  const mailer = new Mailer({
    pubsub: deps.pubsub,
    names,
    redis: deps.redis,
    transport: createSmtpTransport({ url: env.SMTP_URL, from: env.MAIL_FROM }),
    metrics: deps.metrics,
    logger: deps.logger,
    from: env.MAIL_FROM,
    shutdownTimeoutMs: env.WORKER_SHUTDOWN_TIMEOUT_MS,
  });
  return { confirmations, mailer };
}
