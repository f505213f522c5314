import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Server as NetServer } from 'node:net';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';

/**
 * A real SMTP server that keeps every mail it receives in memory and shows them in a small web
 * inbox: what the local stack hands the worker as its mail relay, and what tests read mails back
 * from. Nothing leaves the machine. Free of vitest, so scripts use it too.
 */

export interface SinkAttachment {
  filename: string | null;
  contentType: string;
  size: number;
  /** Content-ID without brackets, for parts the HTML shows inline (`cid:`). */
  cid: string | null;
  content: Buffer;
}

export interface SinkMessage {
  /** Sequence number in this sink, 1 for the first mail it received. */
  id: number;
  receivedAt: string;
  /** The envelope: MAIL FROM and every RCPT TO, as the sender gave them. */
  envelope: { from: string | null; to: string[] };
  /** Header addresses (From, To), only the address parts, lower-cased. */
  from: string | null;
  to: string[];
  subject: string;
  messageId: string | null;
  text: string;
  html: string | null;
  attachments: SinkAttachment[];
}

export interface MailSinkOptions {
  /** 0 (default) picks a free port. */
  smtpPort?: number;
  httpPort?: number;
  host?: string;
  /** The oldest mails are dropped beyond it, so a long-running stack's sink stays small. */
  maxMessages?: number;
}

export interface MailSink {
  smtpUrl: string;
  inboxUrl: string;
  smtpPort: number;
  httpPort: number;
  /** Every mail kept, oldest first. */
  messages(): SinkMessage[];
  /** The first mail (kept or arriving) that matches; rejects after `timeoutMs`, listing what came. */
  waitFor(predicate: (message: SinkMessage) => boolean, timeoutMs?: number): Promise<SinkMessage>;
  /** Closes both servers; connections still open are cut after a second. */
  stop(): Promise<void>;
}

/** Largest mail accepted (an order's mail with four QR codes is ~20 KB). */
const maxMailBytes = 10 * 1024 * 1024;

export async function startMailSink(options: MailSinkOptions = {}): Promise<MailSink> {
  const host = options.host ?? '127.0.0.1';
  const maxMessages = options.maxMessages ?? 1_000;
  const kept: SinkMessage[] = [];
  const waiters = new Set<(message: SinkMessage) => void>();
  let sequence = 0;

  const smtp = new SMTPServer({
    // A sink for local mail: no TLS, any sender, no login.
    disabledCommands: ['STARTTLS', 'AUTH'],
    authOptional: true,
    size: maxMailBytes,
    banner: 'frequency mail sink',
    logger: false,
    closeTimeout: 1_000,
    onData(stream, session, callback) {
      // Inline images keep their cid: references, as a mail client receives them.
      simpleParser(stream, { skipImageLinks: true })
        .then((parsed) => {
          if (stream.sizeExceeded) {
            callback(Object.assign(new Error('message too large'), { responseCode: 552 }));
            return;
          }
          sequence += 1;
          const mailFrom = session.envelope.mailFrom;
          const message: SinkMessage = {
            id: sequence,
            receivedAt: new Date().toISOString(),
            envelope: {
              from: mailFrom === false ? null : mailFrom.address,
              to: session.envelope.rcptTo.map((r) => r.address),
            },
            from: addresses(parsed.from)[0] ?? null,
            to: addresses(parsed.to),
            subject: parsed.subject ?? '',
            messageId: parsed.messageId ?? null,
            text: parsed.text ?? '',
            html: parsed.html === false || parsed.html === undefined ? null : parsed.html,
            attachments: parsed.attachments.map((a) => ({
              filename: a.filename ?? null,
              contentType: a.contentType,
              size: a.size,
              cid: a.cid ?? null,
              content: a.content,
            })),
          };
          kept.push(message);
          if (kept.length > maxMessages) kept.splice(0, kept.length - maxMessages);
          for (const waiter of waiters) waiter(message);
          callback();
        })
        .catch((err: unknown) => {
          callback(err instanceof Error ? err : new Error(String(err)));
        });
    },
  });
  // Connection errors (a client that hangs up mid-mail) arrive here; the sink carries on.
  smtp.on('error', () => undefined);
  const http = createServer((request, response) => {
    serveInbox(request, response, kept);
  });

  const smtpPort = await listen(
    (port, done) => smtp.listen(port, host, done),
    (listener) => smtp.once('error', listener),
    options.smtpPort ?? 0,
  ).catch((err: unknown) => {
    throw new Error(`the mail sink cannot listen for SMTP on ${host}:${options.smtpPort ?? 0}`, {
      cause: err,
    });
  });
  const httpPort = await listen(
    (port, done) => http.listen(port, host, done),
    (listener) => http.once('error', listener),
    options.httpPort ?? 0,
  ).catch(async (err: unknown) => {
    await new Promise<void>((resolve) => {
      smtp.close(resolve);
    });
    throw new Error(`the mail sink cannot serve its inbox on ${host}:${options.httpPort ?? 0}`, {
      cause: err,
    });
  });

  return {
    smtpUrl: `smtp://${host}:${smtpPort}`,
    inboxUrl: `http://${host}:${httpPort}`,
    smtpPort,
    httpPort,
    messages: () => [...kept],
    waitFor: (predicate, timeoutMs = 30_000) =>
      new Promise<SinkMessage>((resolve, reject) => {
        const found = kept.find(predicate);
        if (found) {
          resolve(found);
          return;
        }
        const waiter = (message: SinkMessage) => {
          if (!predicate(message)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(message);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          const seen = kept.map((m) => `#${m.id} to ${m.to.join(',')}: ${m.subject}`);
          reject(
            new Error(
              `no matching mail within ${timeoutMs} ms; the sink holds ${kept.length}` +
                (seen.length > 0 ? `:\n  ${seen.join('\n  ')}` : ''),
            ),
          );
        }, timeoutMs);
        waiters.add(waiter);
      }),
    stop: async () => {
      await Promise.all([
        new Promise<void>((resolve) => {
          smtp.close(resolve);
        }),
        new Promise<void>((resolve) => {
          http.closeAllConnections();
          http.close(() => {
            resolve();
          });
        }),
      ]);
    },
  };
}

/** Starts a server on `port` (0: any free one) and resolves with the port it got. */
function listen(
  start: (port: number, done: () => void) => NetServer,
  onError: (listener: (err: Error) => void) => unknown,
  port: number,
): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    onError(reject);
    const server = start(port, () => {
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

function addresses(header: AddressObject | AddressObject[] | undefined): string[] {
  if (header === undefined) return [];
  return (Array.isArray(header) ? header : [header])
    .flatMap((h) => h.value)
    .flatMap((v) => (v.address ? [v.address.toLowerCase()] : []));
}

/** The JSON shape of a message: everything but attachment bytes. */
function summary(message: SinkMessage) {
  return {
    ...message,
    attachments: message.attachments.map(({ content: _content, ...rest }) => rest),
  };
}

function serveInbox(request: IncomingMessage, response: ServerResponse, kept: SinkMessage[]) {
  const url = new URL(request.url ?? '/', 'http://sink');
  if (request.method !== 'GET') {
    send(response, 405, 'application/json', JSON.stringify({ error: 'GET only' }));
    return;
  }
  const to = url.searchParams.get('to')?.trim().toLowerCase();
  const matching = to
    ? kept.filter((m) => m.to.includes(to) || m.envelope.to.some((r) => r.toLowerCase() === to))
    : kept;
  if (url.pathname === '/api/messages') {
    send(response, 200, 'application/json', JSON.stringify(matching.map(summary)));
    return;
  }
  const view = /^\/messages\/(\d+)$/.exec(url.pathname);
  if (view) {
    const message = kept.find((m) => m.id === Number(view[1]));
    if (!message) {
      send(
        response,
        404,
        'text/plain; charset=utf-8',
        'no such message (the sink may have dropped it)',
      );
      return;
    }
    response.setHeader(
      'content-security-policy',
      "default-src 'none'; img-src data:; style-src 'unsafe-inline'",
    );
    send(response, 200, 'text/html; charset=utf-8', messagePage(message));
    return;
  }
  if (url.pathname === '/') {
    send(response, 200, 'text/html; charset=utf-8', inboxPage(matching, to));
    return;
  }
  send(response, 404, 'application/json', JSON.stringify({ error: 'not found' }));
}

function send(response: ServerResponse, status: number, type: string, body: string): void {
  response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
  response.end(body);
}

function escapeHtml(text: string): string {
  return text
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

function inboxPage(messages: SinkMessage[], to: string | undefined): string {
  const rows = [...messages]
    .reverse()
    .map(
      (m) =>
        `<tr><td>${m.id}</td><td>${escapeHtml(m.receivedAt)}</td><td>${escapeHtml(m.to.join(', '))}</td>` +
        `<td><a href="/messages/${m.id}">${escapeHtml(m.subject || '(no subject)')}</a></td>` +
        `<td>${m.attachments.length}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Mail sink</title>
<style>body{font-family:system-ui,sans-serif;margin:2rem}table{border-collapse:collapse}td,th{padding:.3rem .6rem;border-bottom:1px solid #ddd;text-align:left}</style>
</head><body>
<h1>Mail sink</h1>
<p>${messages.length} mail${messages.length === 1 ? '' : 's'}${to ? ` to ${escapeHtml(to)}` : ''}, newest first. JSON: <a href="/api/messages">/api/messages</a> (<code>?to=address</code> filters). Reload for new mail.</p>
<table><thead><tr><th>#</th><th>received</th><th>to</th><th>subject</th><th>attachments</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</body></html>`;
}

/** One mail: its HTML part with inline images resolved to data URLs, or its text. */
function messagePage(message: SinkMessage): string {
  let body: string;
  if (message.html !== null) {
    body = message.html.replace(/(["'])cid:([^"']+)\1/g, (whole, quote: string, cid: string) => {
      const part = message.attachments.find((a) => a.cid === cid);
      return part
        ? `${quote}data:${part.contentType};base64,${part.content.toString('base64')}${quote}`
        : whole;
    });
  } else body = `<pre>${escapeHtml(message.text)}</pre>`;
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(message.subject)}</title></head><body>
<p><a href="/">inbox</a> · from ${escapeHtml(message.from ?? '?')} to ${escapeHtml(message.to.join(', '))} · ${escapeHtml(message.messageId ?? '')}</p>
<hr>
${body}
</body></html>`;
}
