// A Redis that stops answering (frozen with SIGSTOP: a stalled primary, a failover in progress) is
// not a bug: every request that needed it gets 503 UNAVAILABLE with Retry-After, never a 500, and
// the same request succeeds once Redis answers again.
import { createRedisClient } from '@frequency/config/redis';
import type { ErrorBody } from '@frequency/contracts';
import type { HttpApp } from '@frequency/observability';
import { afterAll, describe, expect, freePort, startRedisServer, test } from '@frequency/testing';
import { createTestEvent, join, startApp } from './helpers.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

describe('a Redis that stops answering', () => {
  test('a join meanwhile gets 503 UNAVAILABLE with Retry-After, and succeeds once Redis is back', async () => {
    const server = await startRedisServer(await freePort());
    const pid = server.child.pid ?? 0;
    const resume = () => process.kill(pid, 'SIGCONT');
    cleanups.push(() => server.stop());
    const client = createRedisClient({ url: server.url, name: 'test' });
    cleanups.push(() => client.quit());
    const app: HttpApp = await startApp({ client, url: server.url, keyPrefix: 'stall:' });
    cleanups.push(() => app.close());
    const event = await createTestEvent(app);
    await join(app, event.id);

    process.kill(pid, 'SIGSTOP');
    cleanups.push(() => Promise.resolve(resume()));
    const stalled = await app.inject({
      method: 'POST',
      url: `/v1/events/${event.id}/queue`,
      remoteAddress: '10.20.30.40',
    });
    expect(stalled.statusCode).toBe(503);
    expect(stalled.headers['retry-after']).toBe('1');
    expect(stalled.json<ErrorBody>().error.code).toBe('UNAVAILABLE');

    resume();
    const again = await app.inject({
      method: 'POST',
      url: `/v1/events/${event.id}/queue`,
      remoteAddress: '10.20.30.40',
    });
    expect(again.statusCode).toBe(201);
  }, 30_000);
});
