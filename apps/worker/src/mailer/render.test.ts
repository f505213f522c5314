import { describe, expect, it } from 'vitest';
import { confirmedIntent } from '../../test/mail-wiring.js';
import { orderConfirmed } from './confirmations.js';
import { renderConfirmation, ticketQrPng } from './render.js';

const pngSignature = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

describe('the confirmation e-mail', () => {
  it('says it in German, then English, in both parts, for one ticket', async () => {
    const order = orderConfirmed(
      confirmedIntent('solo-fest', 1, { name: 'Zoë', email: 'zoe@example.com' }),
      '2026-12-01T10:00:00.000Z',
    );
    const mail = await renderConfirmation(order, { name: 'Solo Fest', venue: null }, 'example.org');
    expect(mail.to).toEqual({ name: 'Zoë', address: 'zoe@example.com' });
    expect(mail.subject).toBe('Deine Tickets für Solo Fest · Your tickets for Solo Fest');
    const code = order.tickets[0]?.code ?? '?';
    for (const part of [mail.text, mail.html]) {
      expect(part).toContain('deine Bestellung für Solo Fest ist bestätigt: ein Ticket.');
      expect(part).toContain('your order for Solo Fest is confirmed: one ticket.');
      expect(part).toContain('Zeig den QR-Code am Einlass');
      expect(part).toContain('Show the QR code at the entrance');
      expect(part).toContain(code);
    }
    expect(mail.text.indexOf('Hallo Zoë,')).toBeLessThan(mail.text.indexOf('Hello Zoë,'));
    expect(mail.html).toContain('<html lang="de">');
    expect(mail.attachments).toEqual([
      {
        filename: `ticket-1-${code}.png`,
        content: expect.any(Buffer),
        contentType: 'image/png',
        cid: `${order.tickets[0]?.id ?? '?'}@example.org`,
      },
    ]);
    expect(mail.attachments[0]?.content.subarray(0, 8).equals(pngSignature)).toBe(true);
  });

  it('escapes everything it puts into the HTML', async () => {
    const order = orderConfirmed(
      confirmedIntent('x-fest', 2, { name: '<script>alert(1)</script>', email: 'x@example.com' }),
      '2026-12-01T10:00:00.000Z',
    );
    const mail = await renderConfirmation(
      order,
      { name: 'Fest "&" <b>', venue: "O'Hall" },
      'example.org',
    );
    expect(mail.html).not.toMatch(/<script>|<b>/);
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).toContain('Fest &quot;&amp;&quot; &lt;b&gt; (O&#39;Hall)');
    // The plain text part is text: it carries the names as they are.
    expect(mail.text).toContain('Hallo <script>alert(1)</script>,');
  });

  it('draws the same QR image for the same code, and another for another code', async () => {
    const [a, b] = confirmedIntent('qr-fest', 2).tickets.map((t) => t.code);
    expect((await ticketQrPng(a ?? '')).equals(await ticketQrPng(a ?? ''))).toBe(true);
    expect((await ticketQrPng(a ?? '')).equals(await ticketQrPng(b ?? ''))).toBe(false);
  });
});
