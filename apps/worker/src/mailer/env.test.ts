import { ConfigError, parseEnv } from '@frequency/config';
import { describe, expect, it } from 'vitest';
import { envSchema } from '../env.js';
import { mailerEnabled } from './env.js';
import { mailDomain } from './mailer.js';

const base = { DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/frequency' };

function problems(vars: Record<string, string>): string[] {
  try {
    parseEnv(envSchema, { ...base, ...vars });
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => `${p.variable}: ${p.message}`);
    throw err;
  }
  return [];
}

describe('the mailer environment', () => {
  it('runs the mailer when SMTP_URL is set, unless MAILER_ENABLED=false', () => {
    const off = parseEnv(envSchema, base);
    expect(mailerEnabled(off)).toBe(false);
    expect(off.MAIL_FROM).toBe('Frequency Festival <tickets@frequency.local>');
    expect(off.PUBSUB_CONFIRMATIONS_TOPIC).toBe('order-confirmations');
    expect(off.PUBSUB_CONFIRMATIONS_SUBSCRIPTION).toBe('order-confirmations-mailer');
    expect(off.PUBSUB_CONFIRMATIONS_DEAD_LETTER_TOPIC).toBe('order-confirmations-dead-letter');

    const on = parseEnv(envSchema, { ...base, SMTP_URL: 'smtp://127.0.0.1:2525' });
    expect(mailerEnabled(on)).toBe(true);
    const tls = parseEnv(envSchema, { ...base, SMTP_URL: 'smtps://u:p@relay.example.com:465' });
    expect(mailerEnabled(tls)).toBe(true);
    const held = parseEnv(envSchema, {
      ...base,
      SMTP_URL: 'smtp://127.0.0.1:2525',
      MAILER_ENABLED: 'false',
    });
    expect(mailerEnabled(held)).toBe(false);
  });

  it('names every bad mail variable at once', () => {
    expect(problems({ MAILER_ENABLED: 'true' })).toEqual([
      'SMTP_URL: is required when MAILER_ENABLED=true',
    ]);
    expect(
      problems({ SMTP_URL: 'http://127.0.0.1:2525', MAIL_FROM: 'nobody', MAILER_ENABLED: 'maybe' }),
    ).toEqual([
      'SMTP_URL: must be an smtp:// or smtps:// URL',
      'MAIL_FROM: must be `Name <address>` or an address',
      expect.stringMatching(/^MAILER_ENABLED: /),
    ]);
    expect(problems({ MAIL_FROM: 'Tickets <tickets@example.com>\r\nBcc: x@example.com' })).toEqual([
      'MAIL_FROM: must be `Name <address>` or an address',
    ]);
  });

  it('takes the Message-ID domain from MAIL_FROM', () => {
    expect(mailDomain('Frequency Festival <tickets@frequency.at>')).toBe('frequency.at');
    expect(mailDomain('tickets@mail.frequency.at')).toBe('mail.frequency.at');
  });
});
