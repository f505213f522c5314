import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRedisClient } from '@frequency/config/redis';
import type { HttpApp } from '@frequency/observability';
import {
  afterAll,
  createTestAdmissionIssuer,
  describe,
  expect,
  freePort,
  seedTestEvent,
  test,
  waitForPort,
  type TestAdmissionIssuer,
} from '@frequency/testing';
import type { Redis } from 'ioredis';
import { buildTestCheckout } from '../../../test/build.js';

/**
 * Checkout against a Redis of its own (a child redis-server on a free port), so the command counts
 * of INFO commandstats are checkout's alone, not those of whatever else uses the shared Redis.
 */
let server: ChildProcess | undefined;
let raw: Redis | undefined;
let app: HttpApp | undefined;
let issuer: TestAdmissionIssuer | undefined;

afterAll(async () => {
  await app?.close();
  await issuer?.close();
  raw?.disconnect();
  const child = server;
  if (child?.pid !== undefined && child.exitCode === null) {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(child.pid, 'SIGTERM');
    await exited;
  }
});

async function commandCalls(redis: Redis): Promise<Map<string, number>> {
  const text = await redis.info('commandstats');
  const calls = new Map<string, number>();
  for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm))
    calls.set(match[1] ?? '', Number(match[2]));
  return calls;
}

describe('unknown event ids are answered from memory', () => {
  test('10,000 availability requests for made-up events: 404 each, Redis sees only the background refreshes', async ({
    pubsub,
  }) => {
    const port = await freePort();
    server = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      { stdio: 'ignore' },
    );
    await waitForPort('127.0.0.1', port, 10_000);
    const url = `redis://127.0.0.1:${port}/0`;
    const keyPrefix = 'unknown-events:';
    raw = createRedisClient({ url, name: 'test-stats' });
    const client = createRedisClient({ url, keyPrefix, name: 'test' });
    issuer = await createTestAdmissionIssuer();
    // The outbox relay's scan is background traffic too; once a minute keeps it out of the way.
    app = await buildTestCheckout({
      redis: { client, url, keyPrefix },
      pubsub,
      issuer,
      env: { OUTBOX_RELAY_INTERVAL_MS: '60000' },
    });
    await seedTestEvent(client, { eventId: 'known', ticketsTotal: 10 });
    const known = await app.inject({ url: '/v1/events/known/availability' });
    expect(known.statusCode).toBe(200);

    const before = await commandCalls(raw);
    const started = Date.now();
    const statuses = new Map<number, number>();
    for (let batch = 0; batch < 10; batch += 1) {
      const answers = await Promise.all(
        Array.from({ length: 1_000 }, () =>
          app!.inject({ url: `/v1/events/nope-${randomBytes(6).toString('hex')}/availability` }),
        ),
      );
      for (const answer of answers) {
        statuses.set(answer.statusCode, (statuses.get(answer.statusCode) ?? 0) + 1);
        expect(answer.json().error.code).toBe('NOT_FOUND');
      }
    }
    const seconds = (Date.now() - started) / 1000;
    const after = await commandCalls(raw);
    const delta = [...after]
      .map(([command, calls]) => [command, calls - (before.get(command) ?? 0)] as const)
      .filter(([command, calls]) => calls > 0 && command !== 'info');
    const total = delta.reduce((sum, [, calls]) => sum + calls, 0);
    console.log(
      `10,000 unknown-event requests in ${seconds.toFixed(2)} s; Redis commands meanwhile: ${total} ` +
        `(${delta.map(([c, n]) => `${c}=${n}`).join(', ') || 'none'}); refreshes every 250 ms ` +
        `would be ~${Math.ceil(seconds * 4)}`,
    );
    expect(Object.fromEntries(statuses)).toEqual({ 404: 10_000 });
    // Only the index refresh reads Redis: no read per request of any kind.
    expect(delta.map(([command]) => command).filter((c) => c !== 'smembers')).toEqual([]);
    // One read per refresh, not per request: far below one per request however slow the run.
    expect(total).toBeLessThan(1_000);

    // An event created now is found within one refresh.
    await seedTestEvent(client, { eventId: 'created-now', ticketsTotal: 7 });
    const fresh = await app.inject({ url: '/v1/events/created-now/availability' });
    expect(fresh.statusCode).toBe(200);
    expect(fresh.json()).toEqual({ ticketsRemaining: 7, soldOut: false });
    client.disconnect();
  }, 120_000);
});
