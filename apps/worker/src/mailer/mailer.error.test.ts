import { createPubSub } from '@frequency/config/pubsub';
import { OrderConfirmedSchema, type OrderConfirmed } from '@frequency/contracts';
import { createLogger } from '@frequency/observability';
import { afterAll, describe, expect, freePort, test } from '@frequency/testing';
import { startMailSink, type MailSink } from '@frequency/testing/mail-sink';
import type { Message } from '@google-cloud/pubsub';
import { confirmedIntent, createConfirmationTopics, mailCount } from '../../test/mail-wiring.js';
import { createWorkerMetrics } from '../metrics.js';
import { ConfirmationPublisher, orderConfirmed } from './confirmations.js';
import { Mailer } from './mailer.js';
import { createSmtpTransport } from './transport.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

const logger = createLogger({ service: 'worker', level: process.env.TEST_LOG_LEVEL ?? 'silent' });
const from = 'Frequency Festival <tickets@frequency.test>';

describe('the mailer when things go wrong', () => {
  test('keeps a mail the relay does not take and sends it, once, when the relay is back', async ({
    redis,
    pubsub,
  }) => {
    let sink: MailSink = await startMailSink();
    cleanups.push(() => sink.stop());
    const { smtpPort, httpPort, smtpUrl } = sink;
    await sink.stop();

    const topics = await createConfirmationTopics(pubsub);
    cleanups.push(() => topics.cleanup());
    const metrics = createWorkerMetrics();
    const mailer = new Mailer({
      pubsub: pubsub.pubsub,
      names: topics.names,
      redis: redis.client,
      transport: createSmtpTransport({ url: smtpUrl, from, sendTimeoutMs: 5_000 }),
      metrics,
      logger,
      from,
      retryBaseMs: 100,
      retryMaxMs: 500,
    });
    cleanups.push(() => mailer.stop());
    mailer.start();

    const intent = confirmedIntent('outage-fest', 2);
    await new ConfirmationPublisher({ pubsub: pubsub.pubsub, names: topics.names, logger }).publish(
      [intent],
    );
    // The relay refused it more than once; the mail was neither dropped nor parked.
    await expect.poll(() => mailCount(metrics, 'failed'), { timeout: 30_000 }).toBeGreaterThan(1);
    expect(topics.parked).toEqual([]);

    sink = await startMailSink({ smtpPort, httpPort });
    const mail = await sink.waitFor((m) => m.to.includes(intent.buyer.email), 30_000);
    expect(mail.attachments).toHaveLength(2);
    await expect.poll(() => mailCount(metrics, 'sent'), { timeout: 10_000 }).toBe(1);
    expect(sink.messages()).toHaveLength(1);
    expect(topics.parked).toEqual([]);
  }, 90_000);

  test('parks what is not an order confirmation once, and goes on mailing', async ({
    redis,
    pubsub,
  }) => {
    const sink = await startMailSink();
    cleanups.push(() => sink.stop());
    const topics = await createConfirmationTopics(pubsub);
    cleanups.push(() => topics.cleanup());
    const metrics = createWorkerMetrics();
    const mailer = new Mailer({
      pubsub: pubsub.pubsub,
      names: topics.names,
      redis: redis.client,
      transport: createSmtpTransport({ url: sink.smtpUrl, from }),
      metrics,
      logger,
      from,
    });
    cleanups.push(() => mailer.stop());
    mailer.start();

    const topic = pubsub.pubsub.topic(topics.names.topic);
    const good = confirmedIntent('poison-fest', 1);
    await topic.publishMessage({ data: Buffer.from('{not json') });
    await topic.publishMessage({ json: { v: 2, hello: 'world' } });
    await topic.publishMessage({
      json: {
        ...orderConfirmed(good, new Date().toISOString()),
        tickets: [{ id: 'x', code: 'y' }],
      },
      attributes: { orderId: good.orderId },
    });
    await topic.publishMessage({ json: orderConfirmed(good, new Date().toISOString()) });

    await sink.waitFor((m) => m.to.includes(good.buyer.email), 20_000);
    await expect.poll(() => topics.parked.length, { timeout: 20_000 }).toBe(3);
    expect(topics.parked.map((m) => m.attributes.deadLetterReason).sort()).toEqual([
      'not JSON',
      'not an order confirmation',
      'not an order confirmation',
    ]);
    expect(
      topics.parked.every((m) => m.attributes.sourceSubscription === topics.names.subscription),
    ).toBe(true);
    expect(topics.parked.find((m) => m.attributes.orderId === good.orderId)).toBeDefined();
    expect(await mailCount(metrics, 'dead_lettered')).toBe(3);
    // The sink holds the mail a moment before the relay's answer reaches the mailer.
    await expect.poll(() => mailCount(metrics, 'sent'), { timeout: 10_000 }).toBe(1);
    expect(sink.messages()).toHaveLength(1);
  }, 60_000);
});

describe('the confirmation publisher', () => {
  test('creates the mailer subscription before its first publish, so nothing published is dropped', async ({
    pubsub,
  }) => {
    const topics = await createConfirmationTopics(pubsub);
    cleanups.push(() => topics.cleanup());
    // A broker that has never seen these names (a fresh or restarted emulator).
    const names = {
      topic: `${topics.names.topic}-fresh`,
      subscription: `${topics.names.subscription}-fresh`,
      deadLetterTopic: `${topics.names.deadLetterTopic}-fresh`,
    };
    cleanups.push(async () => {
      await pubsub.pubsub
        .subscription(names.subscription)
        .delete()
        .catch(() => undefined);
      await pubsub.pubsub
        .subscription(`${names.deadLetterTopic}-hold`)
        .delete()
        .catch(() => undefined);
      await pubsub.pubsub
        .topic(names.topic)
        .delete()
        .catch(() => undefined);
      await pubsub.pubsub
        .topic(names.deadLetterTopic)
        .delete()
        .catch(() => undefined);
    });
    const intents = [confirmedIntent('fresh-fest', 2), confirmedIntent('fresh-fest', 1)];
    await new ConfirmationPublisher({ pubsub: pubsub.pubsub, names, logger }).publish(intents);

    const [exists] = await pubsub.pubsub.subscription(names.subscription).exists();
    expect(exists).toBe(true);
    const received: OrderConfirmed[] = [];
    const subscription = pubsub.pubsub.subscription(names.subscription);
    subscription.on('message', (message: Message) => {
      // Every message is a valid OrderConfirmed, or parse throws and the test fails.
      received.push(OrderConfirmedSchema.parse(JSON.parse(message.data.toString('utf8'))));
      message.ack();
    });
    cleanups.push(() => subscription.close());
    await expect.poll(() => received.length, { timeout: 20_000 }).toBe(2);
    for (const intent of intents) {
      expect(received.find((r) => r.orderId === intent.orderId)).toMatchObject({
        v: 1,
        eventId: 'fresh-fest',
        quantity: intent.quantity,
        buyer: intent.buyer,
        tickets: intent.tickets,
      });
    }
  });

  test('throws once its deadline passes when the broker does not answer', async () => {
    const nowhere = createPubSub({
      projectId: 'frequency-test',
      emulatorHost: `127.0.0.1:${await freePort()}`,
    });
    cleanups.push(() => nowhere.close());
    const publisher = new ConfirmationPublisher({
      pubsub: nowhere,
      names: { topic: 'confirmations', subscription: 'mailer', deadLetterTopic: 'parked' },
      logger,
      deadlineMs: 1_000,
    });
    await expect(publisher.publish([confirmedIntent('down-fest', 1)])).rejects.toThrow(
      '1 of 1 order confirmations not published within 1000 ms',
    );
  });
});
