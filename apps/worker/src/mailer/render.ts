import type { OrderConfirmed } from '@frequency/contracts';
import QRCode from 'qrcode';

/** What an e-mail says, independent of how it is sent. */
export interface RenderedMail {
  to: { name: string; address: string };
  subject: string;
  text: string;
  html: string;
  /** One PNG per ticket, shown inline in the HTML by its Content-ID. */
  attachments: { filename: string; content: Buffer; contentType: string; cid: string }[];
}

export interface EventInfo {
  /** The event's name; its id when the config is not at hand. */
  name: string;
  venue: string | null;
}

/**
 * A ticket code's QR image, the same content the fan page draws (apps/web TicketQr): the code
 * itself, error correction M, so a scuffed phone screen still scans at the gate.
 */
export function ticketQrPng(code: string): Promise<Buffer> {
  return QRCode.toBuffer(code, { type: 'png', errorCorrectionLevel: 'M', margin: 1, width: 240 });
}

/**
 * The confirmation e-mail of one order: German first, then English, in the HTML and in the plain
 * text part alike, every ticket code spelled out, and a QR code per ticket inline. The buyer's
 * language is not known here, so both are always there. `cidDomain` makes the Content-IDs unique
 * to the sender.
 */
export async function renderConfirmation(
  order: OrderConfirmed,
  event: EventInfo,
  cidDomain: string,
): Promise<RenderedMail> {
  const count = order.tickets.length;
  const attachments = await Promise.all(
    order.tickets.map(async (ticket, index) => ({
      filename: `ticket-${index + 1}-${ticket.code}.png`,
      content: await ticketQrPng(ticket.code),
      contentType: 'image/png',
      cid: `${ticket.id}@${cidDomain}`,
    })),
  );
  const where = event.venue ? ` (${event.venue})` : '';
  const de = {
    greeting: `Hallo ${order.buyer.name},`,
    confirmed: `deine Bestellung für ${event.name}${where} ist bestätigt: ${count === 1 ? 'ein Ticket' : `${count} Tickets`}.`,
    order: 'Bestellnummer',
    ticket: (n: number) => `Ticket ${n} von ${count}`,
    entry: `Zeig den QR-Code am Einlass; jeder Code gilt für ein Ticket. Behalte diese E-Mail, bis das Festival vorbei ist.`,
    qrAlt: (code: string) => `QR-Code für Ticket ${code}`,
  };
  const en = {
    greeting: `Hello ${order.buyer.name},`,
    confirmed: `your order for ${event.name}${where} is confirmed: ${count === 1 ? 'one ticket' : `${count} tickets`}.`,
    order: 'Order number',
    ticket: (n: number) => `Ticket ${n} of ${count}`,
    entry: `Show the QR code at the entrance; each code is one ticket. Keep this e-mail until the festival is over.`,
  };
  const subject = `Deine Tickets für ${event.name} · Your tickets for ${event.name}`;

  const text = [
    de.greeting,
    '',
    de.confirmed,
    `${de.order}: ${order.orderId}`,
    '',
    ...order.tickets.map((t, i) => `${de.ticket(i + 1)}: ${t.code}`),
    '',
    de.entry,
    '',
    '— English —',
    '',
    en.greeting,
    '',
    en.confirmed,
    `${en.order}: ${order.orderId}`,
    '',
    ...order.tickets.map((t, i) => `${en.ticket(i + 1)}: ${t.code}`),
    '',
    en.entry,
    '',
    event.name,
    '',
  ].join('\n');

  const tickets = order.tickets
    .map(
      (ticket, i) => `
      <tr><td style="padding:16px 0;border-top:1px solid #ddd">
        <p style="margin:0 0 8px"><strong>${escapeHtml(de.ticket(i + 1))}</strong> · <span lang="en">${escapeHtml(en.ticket(i + 1))}</span></p>
        <img src="cid:${escapeHtml(attachments[i]?.cid ?? '')}" width="240" height="240" alt="${escapeHtml(de.qrAlt(ticket.code))}" style="display:block">
        <p style="margin:8px 0 0;font-family:monospace;font-size:16px;letter-spacing:1px">${escapeHtml(ticket.code)}</p>
      </td></tr>`,
    )
    .join('');
  const html = `<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>
<body style="margin:0;padding:24px;font-family:Arial,Helvetica,sans-serif;color:#111;background:#fff">
  <table role="presentation" style="max-width:560px;width:100%;border-collapse:collapse">
    <tr><td>
      <h1 style="font-size:22px;margin:0 0 16px">${escapeHtml(event.name)}</h1>
      <p style="margin:0 0 8px">${escapeHtml(de.greeting)}<br>${escapeHtml(de.confirmed)}</p>
      <p lang="en" style="margin:0 0 16px;color:#444">${escapeHtml(en.greeting)}<br>${escapeHtml(en.confirmed)}</p>
      <p style="margin:0 0 8px">${escapeHtml(de.order)} · <span lang="en">${escapeHtml(en.order)}</span>: <code>${escapeHtml(order.orderId)}</code></p>
    </td></tr>${tickets}
    <tr><td style="padding:16px 0;border-top:1px solid #ddd">
      <p style="margin:0 0 8px">${escapeHtml(de.entry)}</p>
      <p lang="en" style="margin:0;color:#444">${escapeHtml(en.entry)}</p>
    </td></tr>
  </table>
</body></html>
`;
  return {
    to: { name: order.buyer.name, address: order.buyer.email },
    subject,
    text,
    html,
    attachments,
  };
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}
