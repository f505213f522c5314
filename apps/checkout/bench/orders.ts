import { reportBench } from '@frequency/bench';
import { fileURLToPath } from 'node:url';
import { createPubSub, ensureTopology } from '@frequency/config/pubsub';
import { createRedisClient } from '@frequency/config/redis';
import { createTestAdmissionIssuer } from '@frequency/testing/admission';
import { seedTestEvent } from '@frequency/testing/events';
import { startPubSubEmulator } from '@frequency/testing/services';
import autocannon from 'autocannon';
import { deletePrefix, freePort, ratio, startNode } from './support.js';

/**
 * Order placement vs a bare Fastify hello-world, measured in the same run with the same load
 * generator (autocannon, 100 connections, 10 s, one server process each). Every order carries its
 * own pre-minted ES256 admission token (a test key, served as a JWKS like the waiting room's), and
 * every accepted order is really published to a Pub/Sub emulator (our own instance, on a free port).
 *
 *   pnpm --filter @frequency/checkout bench
 */
const connections = Number(process.env.BENCH_CONNECTIONS ?? 100);
const duration = Number(process.env.BENCH_SECONDS ?? 10);
const here = (path: string) => fileURLToPath(new URL(path, import.meta.url));

async function load(url: string, requests: autocannon.Request[]): Promise<autocannon.Result> {
  return autocannon({ url, connections, duration, requests });
}

async function main(): Promise<void> {
  const emulator = await startPubSubEmulator('127.0.0.1', await freePort());
  const issuer = await createTestAdmissionIssuer();
  const prefix = `bench:${Date.now().toString(36)}:`;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
  const redis = createRedisClient({ url: redisUrl, keyPrefix: prefix, name: 'bench' });
  const names = {
    topic: 'bench-intents',
    subscription: 'bench-worker',
    deadLetterTopic: 'bench-dead-letter',
  };
  const admin = createPubSub({ projectId: 'frequency-bench', emulatorHost: emulator.hostPort });
  await ensureTopology(admin, names);
  await seedTestEvent(redis, { eventId: 'bench', ticketsTotal: 50_000_000, maxPerOrder: 4 });

  // Enough distinct admissions for the whole run at well above the expected rate.
  const tokenCount = Number(process.env.BENCH_TOKENS ?? 25_000 * duration);
  process.stdout.write(`minting ${tokenCount} admission tokens… `);
  const tokens: string[] = [];
  for (let i = 0; i < tokenCount; i += 1)
    tokens.push((await issuer.mint({ eventId: 'bench', ttlSeconds: 3_600 })).token);
  process.stdout.write('done\n');

  try {
    const hello = await startNode(here('./hello-server.ts'), {}, await freePort());
    await load(hello.url, [{ method: 'GET', path: '/' }]); // warm-up
    const baseline = await load(hello.url, [{ method: 'GET', path: '/' }]);
    await hello.stop();

    const checkout = await startNode(
      here('../src/server.ts'),
      {
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: prefix,
        PUBSUB_PROJECT_ID: 'frequency-bench',
        PUBSUB_EMULATOR_HOST: emulator.hostPort,
        PUBSUB_TOPIC: names.topic,
        PUBSUB_SUBSCRIPTION: names.subscription,
        PUBSUB_DEAD_LETTER_TOPIC: names.deadLetterTopic,
        WAITING_ROOM_URL: issuer.baseUrl,
        OUTBOX_REPUBLISH_AFTER_MS: '600000',
      },
      await freePort(),
    );
    let next = 0;
    const body = JSON.stringify({
      quantity: 2,
      buyer: { name: 'Bench Fan', email: 'fan@example.com' },
    });
    const orders = await load(checkout.url, [
      {
        method: 'POST',
        path: '/v1/events/bench/orders',
        headers: { 'content-type': 'application/json' },
        body,
        setupRequest: (request) => {
          const token = tokens[next % tokens.length] ?? '';
          next += 1;
          return { ...request, headers: { ...request.headers, authorization: `Bearer ${token}` } };
        },
      },
    ]);
    await checkout.stop();
    if (next > tokens.length)
      process.stdout.write(
        `warning: ${next - tokens.length} requests reused a token (duplicates)\n`,
      );

    const sold = Number(await redis.get('ev:{bench}:sold'));
    const rows = [
      {
        what: 'Fastify hello-world (baseline)',
        'req/s': baseline.requests.average,
        'p99 ms': baseline.latency.p99,
        non2xx: baseline.non2xx,
        ratio: '100%',
      },
      {
        what: 'POST /v1/events/{id}/orders (ES256 + Lua + publish)',
        'req/s': orders.requests.average,
        'p99 ms': orders.latency.p99,
        non2xx: orders.non2xx,
        ratio: ratio(orders.requests.average, baseline.requests.average),
      },
    ];
    console.table(rows);
    reportBench({
      name: 'order placement (ES256 + Lua + publish)',
      value: Math.round(orders.requests.average),
      unit: 'req/s',
      baseline: Math.round(baseline.requests.average),
      baselineName: 'Fastify hello-world',
      target: '>= 15% of baseline',
    });
    process.stdout.write(
      `orders accepted (tickets sold / 2): ${sold / 2}, target >= 15% of baseline: ${orders.requests.average >= 0.15 * baseline.requests.average ? 'met' : 'NOT met'}\n`,
    );
  } finally {
    await admin.close();
    redis.disconnect();
    await deletePrefix(redisUrl, prefix);
    await issuer.close();
    await emulator.stop();
  }
}

await main();
