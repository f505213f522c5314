import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, test } from '@frequency/testing';
import { clientFrom, loopbackAddress } from '@frequency/testing/clients';
import {
  createHttpApp,
  createLogger,
  createMetrics,
  type HttpServerSettings,
} from '../src/index.js';

const closers: (() => unknown)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

/** A listening service with the shared options, a JSON echo route and a "who am I" route. */
async function listening(http: HttpServerSettings) {
  const app = await createHttpApp({
    logger: createLogger({ service: 'test', level: 'silent' }),
    metrics: createMetrics('test'),
    readiness: {},
    http,
  });
  app.post('/echo', (request) => ({ got: request.body }));
  app.get('/whoami', (request) => ({ ip: request.ip }));
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  closers.push(() => app.close());
  return { url, port: Number(new URL(url).port) };
}

interface Dribbled {
  /** What the server answered before the connection ended (empty if it just closed). */
  answer: string;
  /** Bytes of the request we had sent when the connection ended. */
  sent: number;
}

/**
 * Sends `head` at once, then `rest` one byte every `everyMs`, until the server ends the connection.
 * A server that never does leaves the promise pending: the test fails by its own timeout.
 */
function dribble(port: number, head: string, rest: string, everyMs: number): Promise<Dribbled> {
  return new Promise((resolve, reject) => {
    const socket: Socket = connect(port, '127.0.0.1');
    let answer = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A reset while we keep writing is the server cutting us off, too.
      if (err.code !== 'ECONNRESET' && err.code !== 'EPIPE') reject(err);
    });
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, sent });
    });
    socket.on('connect', () => {
      socket.write(head);
      sent = head.length;
      timer = setInterval(() => {
        if (sent - head.length >= rest.length || socket.destroyed) return;
        socket.write(rest.charAt(sent - head.length));
        sent += 1;
      }, everyMs);
    });
    closers.push(() => socket.destroy());
  });
}

describe('slow clients are cut off and the server keeps serving', () => {
  test('a client that sends its headers and then dribbles the body gets 408 or a closed connection', async () => {
    const { url, port } = await listening({ requestTimeoutMs: 500 });
    const body = JSON.stringify({ padding: 'x'.repeat(900) });
    const head =
      'POST /echo HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n' +
      `Content-Length: ${body.length}\r\n\r\n`;

    // 20 bytes a second: the whole body would need ~45 s, far beyond the 500 ms bound.
    const slow = dribble(port, head, body, 50);
    // Meanwhile an honest client is served.
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const { answer, sent } = await slow;

    expect(sent).toBeLessThan(head.length + body.length);
    if (answer !== '') expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const echoed = await fetch(`${url}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    expect(echoed.status).toBe(200);
  });

  test('a client that dribbles its headers (slowloris) is cut off too', async () => {
    const { url, port } = await listening({ requestTimeoutMs: 500 });
    const headers = 'Host: 127.0.0.1\r\n' + 'X-Padding: ' + 'y'.repeat(2_000) + '\r\n\r\n';

    const { answer, sent } = await dribble(port, 'GET /healthz HTTP/1.1\r\n', headers, 20);

    expect(sent).toBeLessThan('GET /healthz HTTP/1.1\r\n'.length + headers.length);
    if (answer !== '') expect(answer).toMatch(/^HTTP\/1\.1 408 /);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
  });
});

describe('who the client is', () => {
  const whoami = async (http: HttpServerSettings, forwardedFor?: string) => {
    const { url } = await listening(http);
    const client = clientFrom(loopbackAddress(7), url);
    closers.push(() => {
      client.close();
    });
    const response = await client.request({
      path: '/whoami',
      headers: forwardedFor === undefined ? {} : { 'x-forwarded-for': forwardedFor },
    });
    return response.json();
  };

  test('with no trusted proxy it is the connecting address, whatever X-Forwarded-For says', async () => {
    expect(await whoami({})).toEqual({ ip: loopbackAddress(7) });
    expect(await whoami({}, '203.0.113.9')).toEqual({ ip: loopbackAddress(7) });
    expect(await whoami({ trustedProxyHops: 0 }, '203.0.113.9, 198.51.100.4')).toEqual({
      ip: loopbackAddress(7),
    });
  });

  test('behind N trusted proxies it is the hop the outermost one appended, never one further left', async () => {
    const chain = '203.0.113.9, 198.51.100.4, 192.0.2.33';
    expect(await whoami({ trustedProxyHops: 1 }, chain)).toEqual({ ip: '192.0.2.33' });
    expect(await whoami({ trustedProxyHops: 2 }, chain)).toEqual({ ip: '198.51.100.4' });
    // A client that writes no header of its own: the proxy's entry is the only one.
    expect(await whoami({ trustedProxyHops: 1 }, '192.0.2.33')).toEqual({ ip: '192.0.2.33' });
  });
});
