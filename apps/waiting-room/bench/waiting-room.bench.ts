/**
 * Waiting-room benchmark: one process, one load generator (autocannon), one run.
 *
 *   pnpm --filter @frequency/waiting-room bench
 *
 * Measures a bare Fastify hello-world, the status poll of a waiting fan and a join, each for
 * BENCH_SECONDS (default 10) with BENCH_CONNECTIONS (default 100) connections after a short warm-up,
 * then fills one event's line with BENCH_FANS (default 1,000,000) fans through the join script
 * (pipelined) and reports Redis memory per waiting fan. Uses REDIS_URL (default local) under a fresh
 * key prefix it deletes at the end. Every figure is printed beside the bare server's from the same
 * run, as a ratio (throughput and p99), with the load average at the start and the end: absolute
 * figures only mean something on the machine and the moment they were measured.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { reportBench } from '@frequency/bench';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseEnv } from '@frequency/config';
import { createRedisClient } from '@frequency/config/redis';
import { newId } from '@frequency/contracts';
import { createLogger } from '@frequency/observability';
import { deleteKeysWithPrefix } from '@frequency/testing/redis';
import Fastify from 'fastify';
import { buildApp } from '../src/app.js';
import { envSchema } from '../src/env.js';
import { runShuffle } from '../src/admission/run-shuffle.js';
import { createEvent, patchEvent } from '../src/events/event-store.js';
import { joinParams } from '../src/queue/join-script.js';
import { waitingRoomCommands } from '../src/redis/commands.js';
import { waitingRoomKeys } from '../src/redis/keys.js';
import { generateAdmissionKey } from '../src/tokens/admission-tokens.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 100);
const fans = Number(process.env.BENCH_FANS ?? 1_000_000);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const keyPrefix = `bench-${randomBytes(4).toString('hex')}:`;
const loadAtStart = loadavg();

interface Figure {
  requests: number;
  p50: number;
  p99: number;
  errors: number;
}

async function load(
  url: string,
  options: { method?: 'GET' | 'POST'; headers?: Record<string, string> } = {},
): Promise<Figure> {
  const run = (duration: number) =>
    new Promise<Figure>((resolve, reject) => {
      const child = fork(fileURLToPath(new URL('./load-worker.ts', import.meta.url)), {
        execArgv: ['--import', 'tsx'],
      });
      child.once('message', (figure: Figure) => {
        resolve(figure);
        child.disconnect();
      });
      child.once('error', reject);
      child.send({
        url,
        connections,
        duration,
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
      });
    });
  await run(2);
  return run(seconds);
}

async function listen(app: {
  listen(o: { host: string; port: number }): Promise<string>;
}): Promise<string> {
  return app.listen({ host: '127.0.0.1', port: 0 });
}

const logger = createLogger({ service: 'waiting-room', level: 'silent' });
const bare = Fastify();
bare.get('/', () => ({ hello: 'world' }));
const bareUrl = await listen(bare);

const env = parseEnv(envSchema, {
  REDIS_URL: redisUrl,
  REDIS_KEY_PREFIX: keyPrefix,
  OPS_TOKEN: randomBytes(16).toString('hex'),
  QUEUE_TOKEN_SECRET: randomBytes(32).toString('hex'),
  ADMISSION_PRIVATE_JWKS: JSON.stringify({
    keys: [await generateAdmissionKey(), await generateAdmissionKey()],
  }),
  LOG_LEVEL: 'silent',
  // One client (the load generator) joins all the time: the limiter still runs, but never refuses.
  JOIN_RATE_LIMIT_MAX: '1000000000',
  // Event definitions go to a local emulator (a failed publish is only logged): never to GCP.
  PUBSUB_EMULATOR_HOST: process.env.PUBSUB_EMULATOR_HOST ?? '127.0.0.1:8085',
});
const app = await buildApp({ env, logger });
const appUrl = await listen(app);
const redis = createRedisClient({ url: redisUrl, keyPrefix, name: 'bench' });
const commands = waitingRoomCommands(redis);
/** A bench join: no rate limit, no challenge. */
const benchJoin = (eventId: string, prequeueWindowMs: number) =>
  joinParams({
    eventId,
    entryId: newId('queueEntry'),
    client: 'bench',
    proof: null,
    rateLimit: 0,
    rateWindowMs: 1_000,
    prequeueWindowMs,
  });

const eventId = 'bench-event';
await createEvent(
  redis,
  {
    id: eventId,
    name: 'Bench',
    venue: 'Here',
    ticketsTotal: 1_000_000,
    maxPerOrder: 4,
    opensAt: new Date(Date.now() - 1_000).toISOString(),
    admissionRatePerSecond: 0,
    maxActiveCheckouts: 1_000,
  },
  { checkoutWindowSeconds: 300 },
);
await app.waitingRoom.cache.refresh(eventId);
const joined = (await (
  await fetch(`${appUrl}/v1/events/${eventId}/queue`, { method: 'POST' })
).json()) as {
  queueToken: string;
};

const results: [string, Figure][] = [];
results.push(['bare Fastify hello-world', await load(bareUrl)]);
results.push([
  'GET /queue/me (waiting fan)',
  await load(`${appUrl}/v1/events/${eventId}/queue/me`, {
    headers: { authorization: `Bearer ${joined.queueToken}` },
  }),
]);
results.push([
  'POST /queue (join)',
  await load(`${appUrl}/v1/events/${eventId}/queue`, { method: 'POST' }),
]);
await app.close();
await bare.close();

// Memory: a second event, filled through the join script in pipelined batches (BENCH_FANS=0 skips it).
async function measureMemory() {
  const memoryEvent = 'bench-memory';
  await createEvent(
    redis,
    {
      id: memoryEvent,
      name: 'Memory',
      venue: 'Here',
      ticketsTotal: 1_000_000,
      maxPerOrder: 4,
      opensAt: new Date(Date.now() - 1_000).toISOString(),
      admissionRatePerSecond: 0,
      maxActiveCheckouts: 1_000,
    },
    { checkoutWindowSeconds: 300 },
  );
  const keys = waitingRoomKeys(memoryEvent);
  const usedMemory = async () =>
    Number(/used_memory:(\d+)/.exec(await redis.info('memory'))?.[1] ?? 0);
  const before = await usedMemory();
  const fillStarted = performance.now();
  for (let done = 0; done < fans; done += 5_000) {
    const pipeline = redis.pipeline();
    for (let i = done; i < Math.min(fans, done + 5_000); i += 1) {
      commands.wrJoin.inPipeline(pipeline, ...benchJoin(memoryEvent, 0));
    }
    // Each place's first last-seen second, as the replica's next last-seen batch writes it.
    const places = ((await pipeline.exec()) ?? []).flatMap(([, raw]) => {
      const { outcome, value } = commands.wrJoin.parse(raw);
      return outcome === 'waiting' ? [value] : [];
    });
    const nowSec = Math.floor(Date.now() / 1000);
    for (let i = 0; i < places.length; i += 1_000) {
      await commands.wrSeen(keys, { nowSec, places: places.slice(i, i + 1_000) });
    }
  }
  const fillSeconds = (performance.now() - fillStarted) / 1000;
  const after = await usedMemory();
  // MEMORY USAGE takes its key as an argument ioredis does not prefix.
  const lineBytes = Number(await redis.memory('USAGE', `${keyPrefix}${keys.line}`, 'SAMPLES', 0));
  const seenBytes = Number(await redis.memory('USAGE', `${keyPrefix}${keys.seen}`));
  const waiting = await redis.zcard(keys.line);
  return {
    perFan: (after - before) / waiting,
    waiting,
    fillSeconds,
    after,
    before,
    lineBytes,
    seenBytes,
  };
}
const memory = fans > 0 ? await measureMemory() : null;

// Optional: the opening shuffle of a large pre-queue (BENCH_SHUFFLE_FANS, default off).
const shuffleFans = Number(process.env.BENCH_SHUFFLE_FANS ?? 0);
let shuffleLine = '';
if (shuffleFans > 0) {
  const shuffleEvent = 'bench-shuffle';
  await createEvent(
    redis,
    {
      id: shuffleEvent,
      name: 'Shuffle',
      venue: 'Here',
      ticketsTotal: 1_000_000,
      maxPerOrder: 4,
      opensAt: new Date(Date.now() + 3_600_000).toISOString(),
      admissionRatePerSecond: 0,
      maxActiveCheckouts: 1_000,
    },
    { checkoutWindowSeconds: 300 },
  );
  const sk = waitingRoomKeys(shuffleEvent);
  for (let done = 0; done < shuffleFans; done += 5_000) {
    const pipeline = redis.pipeline();
    for (let i = done; i < Math.min(shuffleFans, done + 5_000); i += 1) {
      commands.wrJoin.inPipeline(pipeline, ...benchJoin(shuffleEvent, 86_400_000));
    }
    await pipeline.exec();
  }
  await patchEvent(redis, shuffleEvent, { opensAt: new Date(Date.now() - 1_000).toISOString() });
  await commands.wrSeal(sk);
  const holdLease = async (held: string) =>
    (await commands.wrLease(sk, { instanceId: 'bench', ttlMs: 3_000, held, highestFence: 0 })) ??
    '';
  let lease = await holdLease('');
  const started = performance.now();
  const ok = await runShuffle(redis, sk, lease, {
    keepAlive: async () => {
      lease = await holdLease(lease);
      return lease !== '';
    },
  });
  const placed = await redis.zcard(sk.line);
  shuffleLine = `Opening shuffle of ${placed.toLocaleString('en')} pre-queue fans: ${((performance.now() - started) / 1000).toFixed(1)} s (${ok ? 'complete' : 'lease lost'})`;
}

// Clean up every key of this run.
await deleteKeysWithPrefix(redisUrl, keyPrefix);
redis.disconnect();

const loadAtEnd = loadavg();
const [, baseline] = results[0] ?? ['', { requests: 1, p50: 0, p99: 0, errors: 0 }];
const pad = (value: string, width: number) => value.padEnd(width);
const loadText = (figures: number[]) => figures.map((figure) => figure.toFixed(2)).join(' ');
// autocannon reports whole milliseconds: a bare p99 of 0 ms would make every ratio infinite.
const p99Ratio = (p99: number) => p99 / Math.max(baseline.p99, 1);
const lines = [
  `Waiting-room benchmark: ${connections} connections, ${seconds} s per case, one process, autocannon`,
  `Load average (1/5/15 min) at start ${loadText(loadAtStart)}, at end ${loadText(loadAtEnd)} on ${String(
    availableParallelism(),
  )} cores: a busy machine squeezes every figure, compare the ratios.`,
  '',
  `${pad('case', 30)}${pad('req/s', 10)}${pad('/ bare', 9)}${pad('p50 ms', 8)}${pad('p99 ms', 8)}${pad('p99 / bare', 12)}errors`,
  ...results.map(
    ([name, f]) =>
      `${pad(name, 30)}${pad(f.requests.toFixed(0), 10)}${pad((f.requests / baseline.requests).toFixed(2), 9)}${pad(String(f.p50), 8)}${pad(String(f.p99), 8)}${pad(p99Ratio(f.p99).toFixed(2), 12)}${f.errors}`,
  ),
  '',
  ...(memory
    ? [
        `Redis memory with ${memory.waiting.toLocaleString('en')} waiting fans (filled in ${memory.fillSeconds.toFixed(1)} s via the join script):`,
        `  INFO used_memory delta: ${(memory.after - memory.before).toLocaleString('en')} B = ${memory.perFan.toFixed(1)} B per fan`,
        `  MEMORY USAGE line zset: ${memory.lineBytes.toLocaleString('en')} B = ${(memory.lineBytes / memory.waiting).toFixed(1)} B per fan`,
        `  MEMORY USAGE seen bitfield: ${memory.seenBytes.toLocaleString('en')} B = ${(memory.seenBytes / memory.waiting).toFixed(1)} B per fan`,
        '',
      ]
    : []),
  ...(shuffleLine ? [shuffleLine, ''] : []),
  'Targets: status >= 0.75 of bare with p99 <= 1.5 x bare p99; join >= 0.50 of bare; <= 150 B per waiting fan.',
];
process.stdout.write(`${lines.join('\n')}\n`);
// The same figures as BENCH lines, for `pnpm bench`'s table (programs/bench).
const bareName = results[0]?.[0] ?? 'bare';
const targets = ['', '>= 0.75 of bare, p99 <= 1.5 x bare p99', '>= 0.50 of bare'];
results.slice(1).forEach(([name, f], index) => {
  reportBench({
    name,
    value: Math.round(f.requests),
    unit: 'req/s',
    baseline: Math.round(baseline.requests),
    baselineName: bareName,
    target: targets[index + 1] ?? null,
  });
  reportBench({
    name: `${name} p99`,
    value: f.p99,
    unit: 'ms',
    baseline: baseline.p99,
    baselineName: bareName,
  });
});
if (memory) {
  reportBench({
    name: 'Redis memory per waiting fan',
    value: Math.round(memory.perFan * 10) / 10,
    unit: 'B',
    target: '<= 150 B',
  });
}
