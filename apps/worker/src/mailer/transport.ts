import { redactUrl } from '@frequency/config/redis';
import { createTransport } from 'nodemailer';
import type { RenderedMail } from './render.js';

/** What the mailer needs from a mail relay. */
export interface MailTransport {
  /** Resolves once the relay has accepted the mail; rejects on any failure or after the bound. */
  send(mail: RenderedMail, messageId: string): Promise<void>;
  /** Connects and greets the relay once, for a clear log line at start. */
  verify(): Promise<void>;
  close(): void;
  /** The relay's URL without its password, for logs. */
  readonly description: string;
}

export interface SmtpTransportOptions {
  url: string;
  /** MAIL_FROM: `Name <address>` or an address. */
  from: string;
  /** Bound of one send, connecting included. */
  sendTimeoutMs?: number;
}

/**
 * SMTP through nodemailer's pool: a few connections kept open and reused, since a sale confirms
 * thousands of orders a minute and a handshake per mail would be most of the work.
 * - connectionTimeout / greetingTimeout 10 s: a relay that does not answer fails the send soon,
 *   and the mail is retried later, rather than holding a connection slot for minutes (the
 *   defaults are 2 minutes and 30 s).
 * - socketTimeout 30 s of silence in the middle of a session.
 * - every send is also cut by an AbortSignal after `sendTimeoutMs`, so one send never outlives
 *   the mailer's claim on the order (a cut send may still have been accepted: the claim's TTL
 *   covers that window, and the Message-ID lets mail clients drop a repeat).
 */
export function createSmtpTransport(options: SmtpTransportOptions): MailTransport {
  const sendTimeoutMs = options.sendTimeoutMs ?? 30_000;
  const transporter = createTransport({
    url: options.url,
    pool: true,
    maxConnections: 4,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
    socketCloseTimeout: 1_000,
  });
  return {
    description: redactUrl(options.url),
    send: async (mail, messageId) => {
      await transporter.sendMail({
        from: options.from,
        to: mail.to,
        subject: mail.subject,
        text: mail.text,
        html: mail.html,
        attachments: mail.attachments,
        messageId,
        headers: {
          // RFC 3834: an automatic message, so vacation responders do not answer it.
          'Auto-Submitted': 'auto-generated',
        },
        signal: AbortSignal.timeout(sendTimeoutMs),
      });
    },
    verify: async () => {
      await transporter.verify();
    },
    close: () => {
      transporter.close();
    },
  };
}
