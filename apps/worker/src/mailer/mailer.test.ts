import { parseEnv } from '@frequency/config';
import { eventKeys } from '@frequency/contracts';
import { createLogger } from '@frequency/observability';
import { afterAll, describe, expect, test } from '@frequency/testing';
import { startMailSink, type SinkMessage } from '@frequency/testing/mail-sink';
import { confirmedIntent, createConfirmationTopics, mailCount } from '../../test/mail-wiring.js';
import { envSchema } from '../env.js';
import { createWorkerServices, type WorkerServices } from '../services.js';
import { mailKey } from './mail-claims.js';
import { ticketQrPng } from './render.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('the mailer', () => {
  test('sends one mail per order, with every ticket code and a QR code per ticket, however often the confirmation comes', async ({
    redis,
    pubsub,
    database,
  }) => {
    const sink = await startMailSink();
    cleanups.push(() => sink.stop());
    const topics = await createConfirmationTopics(pubsub);
    cleanups.push(() => topics.cleanup());
    const env = parseEnv(envSchema, {
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      DATABASE_URL: database.url,
      PUBSUB_PROJECT_ID: pubsub.projectId,
      PUBSUB_EMULATOR_HOST: pubsub.emulatorHost,
      PUBSUB_TOPIC: pubsub.names.topic,
      PUBSUB_SUBSCRIPTION: pubsub.names.subscription,
      PUBSUB_DEAD_LETTER_TOPIC: pubsub.names.deadLetterTopic,
      PUBSUB_CONFIRMATIONS_TOPIC: topics.names.topic,
      PUBSUB_CONFIRMATIONS_SUBSCRIPTION: topics.names.subscription,
      PUBSUB_CONFIRMATIONS_DEAD_LETTER_TOPIC: topics.names.deadLetterTopic,
      SMTP_URL: sink.smtpUrl,
      MAIL_FROM: 'Frequency Festival <tickets@frequency.test>',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    });
    const services: WorkerServices = createWorkerServices(
      env,
      createLogger({ service: 'worker', level: env.LOG_LEVEL }),
    );
    cleanups.push(() => services.close());
    expect(services.mailer).toBeDefined();
    services.mailer?.start();

    await redis.client.hset(eventKeys('mail-fest').config, {
      name: 'Mail Fest 20XX',
      venue: 'St. Pölten, Austria',
    });
    const intent = confirmedIntent('mail-fest', 3);
    const published = new Date();
    // The consumer's retry after a publish it thought had failed: the same order twice, at once.
    await Promise.all([
      services.confirmations.publish([intent]),
      services.confirmations.publish([intent]),
    ]);

    const mail = await sink.waitFor((m) => m.to.includes(intent.buyer.email), 20_000);
    await expect.poll(() => mailCount(services.metrics, 'duplicate'), { timeout: 20_000 }).toBe(1);

    // Delivered again after it was acked (seek replays the subscription): still no second mail.
    await topics.subscription.seek(new Date(published.getTime() - 1_000));
    await expect.poll(() => mailCount(services.metrics, 'duplicate'), { timeout: 20_000 }).toBe(3);
    expect(await mailCount(services.metrics, 'sent')).toBe(1);
    expect(await mailCount(services.metrics, 'failed')).toBe(0);
    expect(mailsOf(sink.messages(), intent.orderId)).toHaveLength(1);

    expect(mail.envelope.to).toEqual([intent.buyer.email]);
    expect(mail.from).toBe('tickets@frequency.test');
    expect(mail.messageId).toBe(`<${intent.orderId}@frequency.test>`);
    expect(mail.subject).toBe('Deine Tickets für Mail Fest 20XX · Your tickets for Mail Fest 20XX');
    expect(mail.text).toContain(`Hallo ${intent.buyer.name},`);
    expect(mail.text).toContain(`Hello ${intent.buyer.name},`);
    expect(mail.text).toContain(`Bestellnummer: ${intent.orderId}`);
    expect(mail.text).toContain(`Order number: ${intent.orderId}`);
    expect(mail.text).toContain('Mail Fest 20XX (St. Pölten, Austria)');
    // The buyer's name reaches the HTML escaped, never as markup.
    expect(mail.html).toContain('Ada &quot;the fan&quot; &lt;Löwe&gt; &amp; Co');
    expect(mail.html).not.toContain('<Löwe>');

    const qrCodes = mail.attachments.filter((a) => a.contentType === 'image/png');
    expect(qrCodes).toHaveLength(intent.tickets.length);
    for (const [index, ticket] of intent.tickets.entries()) {
      expect(mail.text).toContain(`Ticket ${index + 1} von 3: ${ticket.code}`);
      expect(mail.text).toContain(`Ticket ${index + 1} of 3: ${ticket.code}`);
      expect(mail.html).toContain(ticket.code);
      const qr = qrCodes.find((a) => a.filename === `ticket-${index + 1}-${ticket.code}.png`);
      expect(qr, `QR code of ${ticket.code}`).toBeDefined();
      // The image is this ticket's code, and the HTML shows it inline by its Content-ID.
      expect(qr?.content.equals(await ticketQrPng(ticket.code))).toBe(true);
      expect(mail.html).toContain(`src="cid:${qr?.cid ?? '?'}"`);
    }

    expect(await redis.client.get(mailKey('mail-fest', intent.orderId))).toBe('sent');
    expect(await redis.client.ttl(mailKey('mail-fest', intent.orderId))).toBeGreaterThan(
      29 * 24 * 3600,
    );

    // An event Redis knows nothing of (it lost its config) is named by its id.
    const unknown = confirmedIntent('forgotten-fest', 1);
    await services.confirmations.publish([unknown]);
    const named = await sink.waitFor((m) => m.to.includes(unknown.buyer.email), 20_000);
    expect(named.subject).toBe(
      'Deine Tickets für forgotten-fest · Your tickets for forgotten-fest',
    );
    expect(named.text).toContain(`Ticket 1 von 1: ${unknown.tickets[0]?.code ?? '?'}`);
  }, 90_000);
});

function mailsOf(messages: SinkMessage[], orderId: string): SinkMessage[] {
  return messages.filter((m) => m.messageId === `<${orderId}@frequency.test>`);
}
