import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, test } from '@frequency/testing';
import { clientFrom, type HttpClient, loopbackAddress } from '@frequency/testing/clients';
import { createTestEvent, listen, startApp } from './helpers.js';

/**
 * Who a client is, over real connections: a join is charged to the address the connection comes
 * from (or, behind our own proxies, to the hop the outermost one appended), never to anything the
 * client writes. Clients are played by distinct loopback source addresses.
 */

const LIMIT = 10;
// Far longer than a test runs, so no window rolls over mid-test and the counts are exact.
const limitEnv = { JOIN_RATE_LIMIT_MAX: String(LIMIT), JOIN_RATE_LIMIT_WINDOW_SECONDS: '600' };

const madeUpAddress = () => {
  const b = randomBytes(4);
  return `${((b[0] ?? 0) % 223) + 1}.${b[1] ?? 0}.${b[2] ?? 0}.${b[3] ?? 0}`;
};

const opened: { close(): unknown }[] = [];
afterEach(async () => {
  for (const thing of opened.splice(0).reverse()) await thing.close();
});

function client(address: string, baseUrl: string): HttpClient {
  const c = clientFrom(address, baseUrl);
  opened.push(c);
  return c;
}

function joinAs(c: HttpClient, eventId: string, headers: Record<string, string> = {}) {
  return c.request({ method: 'POST', path: `/v1/events/${eventId}/queue`, headers });
}

/**
 * A reverse proxy of our own, as a load balancer is: it appends the address it saw the client come
 * from to X-Forwarded-For (keeping what the client wrote) and forwards from its own address.
 */
async function appendingProxy(upstream: string, sourceAddress: string): Promise<string> {
  const target = new URL(upstream);
  const server: Server = createServer((req, res) => {
    const seen = req.socket.remoteAddress ?? '';
    const written = req.headers['x-forwarded-for'];
    const forwarded = written === undefined ? seen : `${[written].flat().join(', ')}, ${seen}`;
    const out = httpRequest(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        localAddress: sourceAddress,
        headers: { ...req.headers, 'x-forwarded-for': forwarded },
      },
      (upstreamRes) => {
        res.writeHead(upstreamRes.statusCode ?? 502, upstreamRes.headers);
        upstreamRes.pipe(res);
      },
    );
    out.on('error', () => res.writeHead(502).end());
    req.pipe(out);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  opened.push({
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(resolve);
      }),
  });
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('the join limit is charged to the connecting client, never to a header it writes', () => {
  test('one client sending 30 joins, each with a different made-up X-Forwarded-For, gets only the limit', async ({
    redis,
  }) => {
    const app = await startApp(redis, limitEnv);
    opened.push(app);
    const event = await createTestEvent(app);
    const bot = client(loopbackAddress(10), await listen(app));

    const responses = [];
    for (let i = 0; i < 30; i += 1) {
      responses.push(await joinAs(bot, event.id, { 'x-forwarded-for': madeUpAddress() }));
    }

    expect(responses.filter((r) => r.status === 201)).toHaveLength(LIMIT);
    const refused = responses.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(30 - LIMIT);
    for (const response of refused) {
      expect(response.status).toBe(429);
      expect(response.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
      expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
  });

  test('clients from distinct source addresses each get their own budget', async ({ redis }) => {
    const app = await startApp(redis, limitEnv);
    opened.push(app);
    const event = await createTestEvent(app);
    const baseUrl = await listen(app);
    const fans = Array.from({ length: 5 }, (_, i) => client(loopbackAddress(20 + i), baseUrl));

    for (const fan of fans) {
      for (let i = 0; i < LIMIT; i += 1) expect((await joinAs(fan, event.id)).status).toBe(201);
    }
    for (const fan of fans) expect((await joinAs(fan, event.id)).status).toBe(429);
  });

  test('behind one trusted proxy the limit follows the hop the proxy appended, not the first hop the client wrote', async ({
    redis,
  }) => {
    const app = await startApp(redis, { ...limitEnv, TRUSTED_PROXY_HOPS: '1' });
    opened.push(app);
    const event = await createTestEvent(app);
    const proxy = await appendingProxy(await listen(app), loopbackAddress(30));
    const rotating = client(loopbackAddress(31), proxy);
    const neighbour = client(loopbackAddress(32), proxy);

    const statuses = [];
    for (let i = 0; i < 30; i += 1) {
      const firstHop = madeUpAddress();
      statuses.push((await joinAs(rotating, event.id, { 'x-forwarded-for': firstHop })).status);
    }
    expect(statuses.filter((s) => s === 201)).toHaveLength(LIMIT);
    expect(statuses.filter((s) => s === 429)).toHaveLength(30 - LIMIT);

    // Charged to the client the proxy saw, not to the proxy itself: another fan behind the same
    // proxy still has its whole budget.
    for (let i = 0; i < LIMIT; i += 1) expect((await joinAs(neighbour, event.id)).status).toBe(201);
    expect((await joinAs(neighbour, event.id)).status).toBe(429);
  });
});
