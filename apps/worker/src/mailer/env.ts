import { z } from 'zod';

/** `Name <address>` or a bare address, as a From header takes it. */
const mailbox = z
  .string()
  .trim()
  .regex(
    /^(?:[^<>\r\n]+<[^<>\s@]+@[^<>\s@]+>|[^<>\s@]+@[^<>\s@]+)$/,
    'must be `Name <address>` or an address',
  );

/** The mailer's part of the worker environment. */
export const mailerEnv = z.object({
  /**
   * The SMTP relay: smtp://[user:password@]host:port (STARTTLS when the relay offers it) or
   * smtps:// (TLS from the first byte). Unset: the mailer does not run in this process.
   */
  SMTP_URL: z.url({ protocol: /^smtps?$/, error: 'must be an smtp:// or smtps:// URL' }).optional(),
  MAIL_FROM: mailbox.default('Frequency Festival <tickets@frequency.local>'),
  /** Default: on when SMTP_URL is set. `false` keeps a worker that has SMTP_URL from mailing. */
  MAILER_ENABLED: z.stringbool().optional(),
  /** Confirmations the mailer can never send (not an OrderConfirmed) are parked here. */
  PUBSUB_CONFIRMATIONS_DEAD_LETTER_TOPIC: z
    .string()
    .regex(/^[A-Za-z][A-Za-z0-9._~+%-]{2,254}$/, 'not a valid Pub/Sub resource name')
    .default('order-confirmations-dead-letter'),
});

type MailerEnv = z.infer<typeof mailerEnv>;

/** Whether this process runs the mailer: MAILER_ENABLED, else whether SMTP_URL is set. */
export function mailerEnabled(env: Pick<MailerEnv, 'SMTP_URL' | 'MAILER_ENABLED'>): boolean {
  return env.MAILER_ENABLED ?? env.SMTP_URL !== undefined;
}

/** MAILER_ENABLED=true without a relay is a deployment mistake, reported with the other variables. */
export function requireSmtpUrlWhenEnabled(
  env: Pick<MailerEnv, 'SMTP_URL' | 'MAILER_ENABLED'>,
  ctx: z.RefinementCtx,
): void {
  if (env.MAILER_ENABLED === true && env.SMTP_URL === undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['SMTP_URL'],
      message: 'is required when MAILER_ENABLED=true',
    });
  }
}
