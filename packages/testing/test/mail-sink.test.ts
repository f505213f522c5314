import { createTransport } from 'nodemailer';
import { afterAll, describe, expect, it } from 'vitest';
import { startMailSink, type MailSink } from '../src/mail-sink.js';

const sinks: MailSink[] = [];
afterAll(async () => {
  for (const sink of sinks) await sink.stop().catch(() => undefined);
});

async function sendThrough(sink: MailSink, to: string, subject: string): Promise<void> {
  const transport = createTransport({ url: sink.smtpUrl });
  try {
    await transport.sendMail({
      from: 'Frequency <tickets@frequency.test>',
      to: { name: 'Ada <Fan>', address: to },
      subject,
      text: 'plain words',
      html: '<p>rich <img src="cid:qr-1@frequency.test"></p>',
      messageId: '<ord_1@frequency.test>',
      attachments: [
        {
          filename: 'ticket-1.png',
          content: Buffer.from([0x89, 0x50, 0x4e, 0x47]),
          contentType: 'image/png',
          cid: 'qr-1@frequency.test',
        },
      ],
    });
  } finally {
    transport.close();
  }
}

describe('the mail sink', () => {
  it('keeps what arrives over SMTP and serves it as JSON, filtered by recipient, and as HTML', async () => {
    const sink = await startMailSink();
    sinks.push(sink);
    expect(sink.smtpUrl).toMatch(/^smtp:\/\/127\.0\.0\.1:\d+$/);
    await sendThrough(sink, 'Ada@Example.com', 'Deine Tickets <b>');
    await sendThrough(sink, 'bob@example.com', 'Second');

    const first = await sink.waitFor((m) => m.to.includes('ada@example.com'), 10_000);
    expect(first).toMatchObject({
      from: 'tickets@frequency.test',
      to: ['ada@example.com'],
      envelope: { from: 'tickets@frequency.test', to: ['Ada@example.com'] },
      subject: 'Deine Tickets <b>',
      messageId: '<ord_1@frequency.test>',
      text: 'plain words',
    });
    expect(first.html).toContain('cid:qr-1@frequency.test');
    expect(first.attachments).toHaveLength(1);
    expect(first.attachments[0]).toMatchObject({
      filename: 'ticket-1.png',
      contentType: 'image/png',
      cid: 'qr-1@frequency.test',
      size: 4,
    });
    await sink.waitFor((m) => m.subject === 'Second', 10_000);
    expect(sink.messages().map((m) => m.id)).toEqual([1, 2]);

    const all = await (await fetch(`${sink.inboxUrl}/api/messages`)).json();
    expect(all).toHaveLength(2);
    const filtered = (await (
      await fetch(`${sink.inboxUrl}/api/messages?to=${encodeURIComponent('ADA@example.com')}`)
    ).json()) as { subject: string; attachments: { filename: string; content?: unknown }[] }[];
    expect(filtered.map((m) => m.subject)).toEqual(['Deine Tickets <b>']);
    expect(filtered[0]?.attachments).toEqual([
      { filename: 'ticket-1.png', contentType: 'image/png', size: 4, cid: 'qr-1@frequency.test' },
    ]);

    const inbox = await fetch(`${sink.inboxUrl}/`);
    expect(inbox.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await inbox.text();
    expect(page).toContain('Deine Tickets &lt;b&gt;');
    expect(page).not.toContain('Deine Tickets <b>');

    // One mail's page shows its HTML with the inline image resolved, under a CSP.
    const view = await fetch(`${sink.inboxUrl}/messages/${first.id}`);
    expect(view.headers.get('content-security-policy')).toMatch(/default-src 'none'/);
    expect(await view.text()).toContain('src="data:image/png;base64,iVBORw=="');
    expect((await fetch(`${sink.inboxUrl}/messages/99`)).status).toBe(404);
    expect((await fetch(`${sink.inboxUrl}/api/messages`, { method: 'POST' })).status).toBe(405);
  });

  it('waitFor rejects naming what did arrive, and stop() frees both ports', async () => {
    const sink = await startMailSink();
    await sendThrough(sink, 'carol@example.com', 'Only one');
    await expect(sink.waitFor((m) => m.to.includes('nobody@example.com'), 200)).rejects.toThrow(
      /no matching mail within 200 ms; the sink holds 1:\n {2}#1 to carol@example.com: Only one/,
    );
    await sink.stop();
    await expect(fetch(`${sink.inboxUrl}/api/messages`)).rejects.toThrow();
    // The same ports can be taken again at once, as a test that restarts its relay does.
    const again = await startMailSink({ smtpPort: sink.smtpPort, httpPort: sink.httpPort });
    sinks.push(again);
    expect(again.smtpUrl).toBe(sink.smtpUrl);
    expect(again.messages()).toEqual([]);
  });

  it('keeps only the newest maxMessages', async () => {
    const sink = await startMailSink({ maxMessages: 2 });
    sinks.push(sink);
    for (const subject of ['a', 'b', 'c']) await sendThrough(sink, 'dan@example.com', subject);
    await sink.waitFor((m) => m.subject === 'c', 10_000);
    expect(sink.messages().map((m) => m.subject)).toEqual(['b', 'c']);
  });

  it('names the port it cannot take', async () => {
    const sink = await startMailSink();
    sinks.push(sink);
    await expect(startMailSink({ smtpPort: sink.smtpPort })).rejects.toThrow(
      `the mail sink cannot listen for SMTP on 127.0.0.1:${sink.smtpPort}`,
    );
    await expect(startMailSink({ httpPort: sink.httpPort })).rejects.toThrow(
      `the mail sink cannot serve its inbox on 127.0.0.1:${sink.httpPort}`,
    );
  });
});
