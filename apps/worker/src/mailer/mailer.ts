import { eventKeys, OrderConfirmedSchema, type OrderConfirmed } from '@frequency/contracts';
import { grpcCode, grpcNotFound } from '@frequency/config/pubsub';
import type { Logger } from '@frequency/observability';
import {
  Duration,
  type Message,
  type PubSub,
  type Subscription,
  type Topic,
} from '@google-cloud/pubsub';
import type { RedisClient } from '@frequency/config/redis';
import type { WorkerMetrics } from '../metrics.js';
import { MailClaims, type MailClaim } from './mail-claims.js';
import { renderConfirmation, type EventInfo } from './render.js';
import { ensureConfirmationTopology, type ConfirmationNames } from './topology.js';
import type { MailTransport } from './transport.js';

export interface MailerOptions {
  pubsub: PubSub;
  names: ConfirmationNames;
  redis: RedisClient;
  transport: MailTransport;
  metrics: Pick<WorkerMetrics, 'mails'>;
  logger: Logger;
  /** MAIL_FROM; its domain names the Message-IDs and Content-IDs. */
  from: string;
  /** Mails in hand at once (flow control): bounds what an SMTP outage holds leased. */
  maxMessages?: number;
  /** How long a claim holds an order's mail; longer than the transport's send bound. */
  claimTtlMs?: number;
  /** Wait before a nack after a failed send, doubling per failure in a row, up to the max. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Wait before a nack when another sender holds the order's claim. */
  heldRetryMs?: number;
  shutdownTimeoutMs?: number;
}

export type MailResult = 'sent' | 'failed' | 'duplicate' | 'dead_lettered';

const maxReopenBackoffMs = 5_000;

/**
 * Turns OrderConfirmed messages from the mailer's own subscription into confirmation e-mails.
 *
 * - One mail per order, whatever Pub/Sub redelivers or the worker publishes twice: the order's
 *   mail is claimed in Redis before it is sent (mail-claims.ts) and marked sent after. A mail
 *   already sent is acked as a duplicate; one whose claim another sender holds is nacked and
 *   comes back. The Message-ID is `<orderId@domain>`, so a mail client drops a repeat as well
 *   (the one window: a relay that took a mail whose send then timed out here).
 * - A relay that fails (down, refusing, slow) loses nothing: the claim is given back and the
 *   message nacked after a backoff that grows with the failures in a row, so an outage is
 *   retried calmly until it ends. Flow control holds at most `maxMessages` meanwhile.
 * - A message that is not an OrderConfirmed is parked on the dead-letter topic and acked once.
 * - Mail is not on the order path: nothing here touches readiness or orders; failures are
 *   logged and counted (worker_mails_total).
 * - A stream error (e.g. NOT_FOUND after an emulator restart) re-creates the topology and reopens.
 */
export class Mailer {
  private subscription: Subscription | undefined;
  private readonly deadLetter: Topic;
  private readonly claims: MailClaims;
  private readonly domain: string;
  private readonly active = new Set<Promise<void>>();
  /** Messages waiting out a backoff before their nack. */
  private readonly delayed = new Map<Message, NodeJS.Timeout>();
  private reopenTimer: NodeJS.Timeout | undefined;
  private reopenAttempts = 0;
  private failuresInARow = 0;
  private stopping = false;
  private readonly settings: Required<
    Pick<
      MailerOptions,
      | 'maxMessages'
      | 'claimTtlMs'
      | 'retryBaseMs'
      | 'retryMaxMs'
      | 'heldRetryMs'
      | 'shutdownTimeoutMs'
    >
  >;

  constructor(private readonly options: MailerOptions) {
    this.settings = {
      maxMessages: options.maxMessages ?? 16,
      claimTtlMs: options.claimTtlMs ?? 120_000,
      retryBaseMs: options.retryBaseMs ?? 1_000,
      retryMaxMs: options.retryMaxMs ?? 60_000,
      heldRetryMs: options.heldRetryMs ?? 2_000,
      shutdownTimeoutMs: options.shutdownTimeoutMs ?? 20_000,
    };
    this.claims = new MailClaims(options.redis, this.settings.claimTtlMs);
    this.domain = mailDomain(options.from);
    this.deadLetter = options.pubsub.topic(options.names.deadLetterTopic);
  }

  /** Ensures the topology, opens the stream, and says in the log whether the relay answers. */
  start(): void {
    this.stopping = false;
    void this.checkRelay();
    void ensureConfirmationTopology(this.options.pubsub, this.options.names)
      .catch((err: unknown) => {
        this.options.logger.warn({ err }, 'cannot ensure the confirmations topology yet');
      })
      .then(() => {
        if (!this.isStopping()) this.open();
      });
  }

  /**
   * The stream closes, mails waiting out a backoff are nacked at once, the sends in hand finish
   * (bounded by the shutdown timeout), and the relay's connections close.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.reopenTimer);
    for (const [message, timer] of this.delayed) {
      clearTimeout(timer);
      this.delayed.delete(message);
      message.nack();
    }
    const closing = this.subscription?.close();
    const deadline = new Promise<void>((resolve) =>
      setTimeout(resolve, this.settings.shutdownTimeoutMs).unref(),
    );
    await Promise.race([this.idle(), deadline]);
    await closing?.catch((err: unknown) => {
      this.options.logger.warn({ err }, 'confirmations subscription did not close cleanly');
    });
    this.subscription = undefined;
    this.options.transport.close();
  }

  /** True while the stream is open. */
  get isOpen(): boolean {
    return this.subscription?.isOpen ?? false;
  }

  private isStopping(): boolean {
    return this.stopping;
  }

  private async idle(): Promise<void> {
    while (this.active.size > 0) await Promise.allSettled([...this.active]);
  }

  private async checkRelay(): Promise<void> {
    const relay = this.options.transport.description;
    try {
      await this.options.transport.verify();
      this.options.logger.info({ relay }, `mailer sends confirmation e-mails through ${relay}`);
    } catch (err) {
      this.options.logger.warn(
        { err, relay },
        `the SMTP relay ${relay} does not answer: confirmation e-mails wait until it does (orders are not affected)`,
      );
    }
  }

  private open(): void {
    const subscription = this.options.pubsub.subscription(this.options.names.subscription, {
      flowControl: { maxMessages: this.settings.maxMessages, allowExcessMessages: false },
      closeOptions: {
        behavior: 'WAIT',
        timeout: Duration.from({ milliseconds: this.settings.shutdownTimeoutMs }),
      },
    });
    subscription.on('message', (message: Message) => {
      this.receive(message);
    });
    subscription.on('error', (err: unknown) => {
      this.onStreamError(subscription, err);
    });
    this.subscription = subscription;
  }

  private onStreamError(subscription: Subscription, err: unknown): void {
    if (this.stopping || subscription !== this.subscription) return;
    this.options.logger.warn({ err }, 'confirmations stream failed; reopening');
    this.subscription = undefined;
    void subscription.close().catch(() => undefined);
    const delay = Math.min(250 * 2 ** this.reopenAttempts, maxReopenBackoffMs);
    this.reopenAttempts += 1;
    this.reopenTimer = setTimeout(() => {
      void this.reopen(grpcCode(err) === grpcNotFound);
    }, delay);
  }

  private async reopen(recreate: boolean): Promise<void> {
    if (this.stopping) return;
    try {
      await ensureConfirmationTopology(this.options.pubsub, this.options.names);
      if (recreate) this.options.logger.warn('confirmations topology re-created');
      this.reopenAttempts = 0;
    } catch (err) {
      this.options.logger.warn({ err }, 'cannot ensure the confirmations topology yet');
    }
    if (!this.isStopping()) this.open();
  }

  private receive(message: Message): void {
    if (this.stopping) {
      message.nack();
      return;
    }
    const run: Promise<void> = this.handle(message)
      .catch((err: unknown) => {
        // Not expected (every step settles the message itself); never leave one unsettled.
        this.options.logger.error({ err, messageId: message.id }, 'mail handling failed');
        this.nackLater(message, this.backoff());
      })
      .finally(() => {
        this.active.delete(run);
      });
    this.active.add(run);
  }

  private async handle(message: Message): Promise<void> {
    let order: OrderConfirmed;
    try {
      order = OrderConfirmedSchema.parse(JSON.parse(message.data.toString('utf8')));
    } catch (err) {
      await this.deadLetterMessage(
        message,
        err instanceof SyntaxError ? 'not JSON' : 'not an order confirmation',
      );
      return;
    }
    const log = { orderId: order.orderId, eventId: order.eventId };

    let claim: MailClaim;
    try {
      const claimed = await this.claims.claim(order.eventId, order.orderId);
      if (claimed.result === 'sent') {
        this.count('duplicate');
        message.ack();
        return;
      }
      if (claimed.result === 'held') {
        this.nackLater(message, this.settings.heldRetryMs);
        return;
      }
      claim = claimed.claim;
    } catch (err) {
      this.options.logger.warn({ err, ...log }, 'cannot claim the mail in Redis; retrying later');
      this.nackLater(message, this.backoff());
      return;
    }

    try {
      const mail = await renderConfirmation(
        order,
        await this.eventInfo(order.eventId),
        this.domain,
      );
      await this.options.transport.send(mail, `<${order.orderId}@${this.domain}>`);
    } catch (err) {
      this.failuresInARow += 1;
      this.count('failed');
      const delay = this.backoff();
      this.options.logger.warn(
        { err, ...log, relay: this.options.transport.description, retryInMs: Math.round(delay) },
        'confirmation e-mail not sent; it is retried',
      );
      await this.claims.release(claim).catch(() => undefined);
      this.nackLater(message, delay);
      return;
    }
    if (this.failuresInARow > 0) {
      this.options.logger.info(
        { relay: this.options.transport.description, failures: this.failuresInARow },
        'the SMTP relay takes mail again',
      );
      this.failuresInARow = 0;
    }
    this.count('sent');
    this.options.logger.debug(log, 'confirmation e-mail sent');
    await this.markSent(claim, log);
    message.ack();
  }

  /**
   * The mail is out: mark it, with a few tries. Should Redis refuse all of them, the message is
   * acked still (the mail was sent); only a duplicate publish after the claim expired could then
   * send it again, and its Message-ID is the same.
   */
  private async markSent(claim: MailClaim, log: Record<string, string>): Promise<void> {
    for (let attempt = 0; attempt < 3; attempt += 1) {
      try {
        await this.claims.markSent(claim);
        return;
      } catch (err) {
        if (attempt === 2)
          this.options.logger.warn({ err, ...log }, 'mail sent but not marked sent');
        else await new Promise((resolve) => setTimeout(resolve, 100 * (attempt + 1)));
      }
    }
  }

  /** The event's name and venue from its config hash; its id when Redis has no config for it. */
  private async eventInfo(eventId: string): Promise<EventInfo> {
    try {
      const [name, venue] = await this.options.redis.hmget(
        eventKeys(eventId).config,
        'name',
        'venue',
      );
      return { name: name ?? eventId, venue: name ? (venue ?? null) : null };
    } catch {
      return { name: eventId, venue: null };
    }
  }

  private backoff(): number {
    const { retryBaseMs, retryMaxMs } = this.settings;
    const exponent = Math.min(Math.max(this.failuresInARow - 1, 0), 16);
    return Math.min(retryBaseMs * 2 ** exponent, retryMaxMs) * (0.75 + Math.random() / 4);
  }

  /**
   * Nack after `delayMs`: the client keeps extending the lease meanwhile, and Pub/Sub delivers the
   * message again after the nack (after its retry policy's backoff, where the broker applies one).
   */
  private nackLater(message: Message, delayMs: number): void {
    if (this.stopping) {
      message.nack();
      return;
    }
    const timer = setTimeout(() => {
      this.delayed.delete(message);
      message.nack();
    }, delayMs);
    this.delayed.set(message, timer);
  }

  private async deadLetterMessage(message: Message, reason: string): Promise<void> {
    try {
      await this.publishDeadLetter(message, reason).catch(async (err: unknown) => {
        if (grpcCode(err) !== grpcNotFound) throw err;
        await ensureConfirmationTopology(this.options.pubsub, this.options.names);
        await this.publishDeadLetter(message, reason);
      });
      this.count('dead_lettered');
      this.options.logger.warn(
        { messageId: message.id, reason, deadLetterTopic: this.options.names.deadLetterTopic },
        'confirmation dead-lettered',
      );
      message.ack();
    } catch (err) {
      this.options.logger.error(
        { err, messageId: message.id },
        'cannot dead-letter; retrying later',
      );
      this.nackLater(message, this.backoff());
    }
  }

  private async publishDeadLetter(message: Message, reason: string): Promise<void> {
    await this.deadLetter.publishMessage({
      data: message.data,
      attributes: {
        ...message.attributes,
        deadLetterReason: reason.slice(0, 500),
        sourceSubscription: this.options.names.subscription,
        sourceMessageId: message.id,
      },
    });
  }

  private count(result: MailResult): void {
    this.options.metrics.mails.inc({ result });
  }
}

/** The domain of MAIL_FROM's address (`Name <tickets@example.com>` -> example.com). */
export function mailDomain(from: string): string {
  const address = /<([^>]+)>/.exec(from)?.[1] ?? from;
  return address.slice(address.lastIndexOf('@') + 1).trim() || 'localhost';
}
