import { randomBytes } from 'node:crypto';
import { createRedisClient } from '@frequency/config/redis';
import type { HttpApp } from '@frequency/observability';
import { describe, expect, freePort, startRedisServer, test } from '@frequency/testing';
import { clientFrom, type HttpClient, loopbackAddress } from '@frequency/testing/clients';
import type { Redis } from 'ioredis';
import { createTestEvent, eventually, listen, ops, startApp } from './helpers.js';

const REQUESTS = 10_000;
const CLIENTS = 20;
/** What one refresh round sends: SMEMBERS of the index, then one pipeline of these per event. */
const REFRESH_PIPELINE = ['hgetall', 'hgetall', 'get', 'get', 'zcount', 'zcard'];

/** Calls per command since the server started, from INFO commandstats. */
async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info('commandstats');
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
    calls.set(match[1] ?? '', Number(match[2]));
  }
  return calls;
}

function delta(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const changed = new Map<string, number>();
  for (const [command, calls] of after) {
    const d = calls - (before.get(command) ?? 0);
    // Our own INFO calls are not the waiting room's.
    if (d > 0 && command !== 'info') changed.set(command, d);
  }
  return changed;
}

const ghostId = () => `ghost-${randomBytes(6).toString('hex')}`;

/**
 * One of the public routes that take an event id, for a made-up id; all of them answer 404 for it.
 * The ops routes are left out: they sit on the internal ops host, and every ops request checks its
 * client's failed-login lockout in Redis before anything else, whatever the event.
 */
function ghostRequest(client: HttpClient, i: number) {
  const id = ghostId();
  switch (i % 3) {
    case 0:
      return client.request({ path: `/v1/events/${id}` });
    case 1:
      return client.request({ method: 'POST', path: `/v1/events/${id}/queue` });
    default:
      return client.request({ method: 'POST', path: `/v1/events/${id}/challenge` });
  }
}

describe('unknown event ids are answered from memory', () => {
  test('10,000 requests for random unknown ids all get 404 and send Redis nothing beyond the background refresh', async () => {
    // A Redis of its own: on the shared server, other test files' commands would be counted too.
    const server = await startRedisServer(await freePort());
    const keyPrefix = 'unknown-events:';
    const client = createRedisClient({ url: server.url, keyPrefix, name: 'test' });
    const stats = createRedisClient({ url: server.url, name: 'test-stats' });
    let app: HttpApp | undefined;
    const fans: HttpClient[] = [];
    try {
      app = await startApp({ client, url: server.url, keyPrefix }, { EVENT_REFRESH_MS: '250' });
      await createTestEvent(app);
      const events = 1;
      // Admission and last-seen batches never touch an unknown id; stopped, every command left is
      // either the cache's refresh or caused by the flood.
      await app.waitingRoom.admission.stop({ releaseLeases: false });
      app.waitingRoom.recorder.stop();
      const baseUrl = await listen(app);
      for (let i = 0; i < CLIENTS; i += 1) fans.push(clientFrom(loopbackAddress(100 + i), baseUrl));

      const before = await commandCalls(stats);
      const results = await Promise.all(
        fans.map(async (fan, f) => {
          const seen: { status: number; code: unknown }[] = [];
          for (let i = f; i < REQUESTS; i += CLIENTS) {
            const response = await ghostRequest(fan, i);
            const body = response.json() as { error?: { code?: unknown } };
            seen.push({ status: response.status, code: body.error?.code });
          }
          return seen;
        }),
      );
      const after = await commandCalls(stats);

      const responses = results.flat();
      expect(responses).toHaveLength(REQUESTS);
      const notFound = responses.filter((r) => r.status === 404 && r.code === 'NOT_FOUND');
      expect(notFound).toHaveLength(REQUESTS);

      const during = delta(before, after);
      const total = [...during.values()].reduce((sum, n) => sum + n, 0);
      const rounds = during.get('smembers') ?? 0;
      // Every round sends one SMEMBERS and one pipeline per event; one more round may have been in
      // flight at either end of the window.
      const perRound = 1 + REFRESH_PIPELINE.length * events;
      const bound = (rounds + 1) * perRound;
      const sum = (m: Map<string, number>) => [...m.values()].reduce((s, n) => s + n, 0);
      console.log(
        `unknown-event flood: ${REQUESTS} requests, all 404 NOT_FOUND; Redis commands ` +
          `before ${sum(before) - (before.get('info') ?? 0)}, after ${sum(after) - (after.get('info') ?? 0)}, ` +
          `during ${total} (${rounds} refresh rounds x ${perRound} = background, bound ${bound}); ` +
          `by command ${JSON.stringify(Object.fromEntries(during))}`,
      );
      const refreshCommands = new Set(['smembers', ...REFRESH_PIPELINE]);
      expect([...during.keys()].filter((command) => !refreshCommands.has(command))).toEqual([]);
      expect(total).toBeLessThanOrEqual(bound);
    } finally {
      for (const fan of fans) fan.close();
      await app?.close();
      client.disconnect();
      stats.disconnect();
      await server.stop();
    }
  });

  test('an event created here is known at once, one created on another replica within a refresh', async ({
    redis,
  }) => {
    const here = await startApp(redis, { INSTANCE_ID: 'replica-here' });
    const there = await startApp(redis, { INSTANCE_ID: 'replica-there' });
    try {
      const id = ghostId();
      // Asked for before it exists: the 404 must not stick once it does.
      expect((await there.inject(`/v1/events/${id}`)).statusCode).toBe(404);
      await createTestEvent(here, { id });
      expect((await here.inject(`/v1/events/${id}`)).statusCode).toBe(200);
      expect(
        (
          await here.inject({
            method: 'POST',
            url: `/v1/events/${id}/queue`,
            remoteAddress: '127.3.0.1',
          })
        ).statusCode,
      ).toBe(201);
      await eventually(async () =>
        (await there.inject(`/v1/events/${id}`)).statusCode === 200 ? true : undefined,
      );
      expect(
        (
          await there.inject({
            method: 'PATCH',
            url: `/v1/admin/events/${id}`,
            headers: ops,
            payload: { paused: true },
          })
        ).statusCode,
      ).toBe(200);
    } finally {
      await here.close();
      await there.close();
    }
  });
});
