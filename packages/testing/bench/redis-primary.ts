// `pnpm --filter @frequency/testing bench`: what one redis-server primary executes per second, the
// figure that says when a sale needs more than one primary (docs/capacity-plan.md, "Redis Cluster").
// A private redis-server on a free port, so nothing else's traffic is counted. Bare baseline:
// redis-benchmark's GET, pipelined 16 deep, the server's raw ceiling on this machine. Figure: the
// commands Redis executes per second (INFO commandstats, the commands inside scripts included, as
// the simulator counts "commands per request") while clients run a script shaped like the hot path's
// (one event's keys, 4 commands per call) through ioredis with auto-pipelining, as the services do.
//   BENCH_SECONDS=5 (per figure)   BENCH_CONNECTIONS=4 (ioredis clients)   BENCH_INFLIGHT=256
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { reportBench } from '@frequency/bench';
import { createRedisClient } from '@frequency/config/redis';
import type { Redis } from 'ioredis';
import { freePort } from '../src/process.js';
import { startRedisServer } from '../src/services.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 5);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 4);
const inflight = Number(process.env.BENCH_INFLIGHT ?? 256);

/** Four commands on one event's keys, as a join does: a counter, a line entry, a seen mark, a read. */
const hotPathLua = `
local seq = redis.call('HINCRBY', KEYS[1], 'seq', 1)
redis.call('ZADD', KEYS[2], seq, ARGV[1])
redis.call('BITFIELD', KEYS[3], 'SET', 'u32', '#' .. (seq % 100000), 1)
return redis.call('GET', KEYS[4])
`;

function redisBenchmark(port: number, pipeline: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const args = [
      '-p',
      String(port),
      '-t',
      'get',
      '-n',
      String(200_000 * pipeline),
      '-P',
      String(pipeline),
      '-c',
      '50',
      '-q',
      '--csv',
    ];
    const child = spawn(process.env.REDIS_BENCHMARK_BIN ?? 'redis-benchmark', args, {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', () => {
      // CSV: "test","rps",... with the GET row second.
      const row = output.split('\n').find((line) => line.startsWith('"GET"'));
      const rps = Number(row?.split(',')[1]?.replace(/"/g, ''));
      if (Number.isFinite(rps) && rps > 0) resolve(rps);
      else reject(new Error(`redis-benchmark printed no GET figure:\n${output}`));
    });
  });
}

async function executedCommands(redis: Redis): Promise<number> {
  const info = await redis.info('commandstats');
  let total = 0;
  for (const match of info.matchAll(/^cmdstat_[^:]+:calls=(\d+)/gm)) total += Number(match[1]);
  return total;
}

async function scriptedCommandsPerSecond(
  url: string,
): Promise<{ perSecond: number; calls: number }> {
  const clients = Array.from({ length: connections }, (_, i) => {
    const client = createRedisClient({ url, keyPrefix: 'bench:', name: `bench-${i}` });
    return client;
  });
  const stats = createRedisClient({ url, name: 'bench-stats' });
  try {
    const tag = '{bench-event}';
    const keys = [`ev:${tag}:wr`, `ev:${tag}:line`, `ev:${tag}:seen`, `ev:${tag}:stock`];
    await clients[0]?.set(keys[3] ?? '', '1000000');
    const before = await executedCommands(stats);
    const started = performance.now();
    const until = started + seconds * 1000;
    let calls = 0;
    await Promise.all(
      Array.from({ length: inflight }, async (_, lane) => {
        const client = clients[lane % clients.length];
        if (!client) return;
        while (performance.now() < until) {
          await client.evalsha(
            await scriptSha(client),
            4,
            ...keys.map((key) => `bench:${key}`),
            `fan-${lane}-${calls}`,
          );
          calls += 1;
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    const executed = (await executedCommands(stats)) - before;
    return { perSecond: executed / elapsed, calls };
  } finally {
    for (const client of clients) client.disconnect();
    stats.disconnect();
  }
}

const shas = new WeakMap<Redis, Promise<string>>();
function scriptSha(client: Redis): Promise<string> {
  let sha = shas.get(client);
  if (!sha) {
    sha = client.script('LOAD', hotPathLua) as Promise<string>;
    shas.set(client, sha);
  }
  return sha;
}

const loadStart = loadavg()[0] ?? 0;
const server = await startRedisServer(await freePort());
try {
  const port = Number(new URL(server.url).port);
  const pipelined = await redisBenchmark(port, 16);
  const unpipelined = await redisBenchmark(port, 1);
  const scripted = await scriptedCommandsPerSecond(server.url);
  const loadEnd = loadavg()[0] ?? 0;
  process.stdout.write(
    `redis-benchmark GET: ${Math.round(unpipelined)} ops/s unpipelined, ${Math.round(pipelined)} ops/s pipelined 16 deep\n` +
      `hot-path script: ${scripted.calls} calls in ${seconds} s, ${Math.round(scripted.perSecond)} commands/s executed\n` +
      `load average ${loadStart.toFixed(2)} at start, ${loadEnd.toFixed(2)} at end (2 cores; a busy machine squeezes every figure)\n`,
  );
  reportBench({
    name: 'redis primary: commands/s executed (hot-path script, auto-pipelined)',
    value: Math.round(scripted.perSecond),
    unit: 'commands/s',
    baseline: Math.round(pipelined),
    baselineName: 'redis-benchmark GET -P 16',
    target: 'capacity-plan: one primary per this many commands/s',
  });
  reportBench({
    name: 'redis primary: GET unpipelined (redis-benchmark)',
    value: Math.round(unpipelined),
    unit: 'ops/s',
    baseline: Math.round(pipelined),
    baselineName: 'redis-benchmark GET -P 16',
  });
} finally {
  await server.stop();
}
