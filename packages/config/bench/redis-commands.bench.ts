/**
 * What calling a script through defineCommands costs over calling ioredis' own defined command.
 *
 *   pnpm --filter @frequency/config bench
 *
 * Both run the same Lua with checkout's reservation shape (10 keys, 11 arguments, a 4-element
 * reply), BENCH_CALLS times (default 200,000) with BENCH_IN_FLIGHT (default 200) calls in flight
 * on one auto-pipelining client, rounds interleaved so a busy machine squeezes both alike:
 * - bare: `redis.defineCommand` and a positional call, reply used as it comes;
 * - named: `defineCommands`, keys and arguments by name, the reply parsed by a zod tuple.
 * Uses REDIS_URL (default local) under a fresh key prefix; the script writes nothing.
 */
import { randomBytes } from 'node:crypto';
import { loadavg } from 'node:os';
import { reportBench } from '@frequency/bench';
import type { Result } from 'ioredis';
import { z } from 'zod';
import { createRedisClient } from '../src/redis.js';
import { defineCommands, script } from '../src/redis-commands.js';

const calls = Number(process.env.BENCH_CALLS ?? 200_000);
const inFlight = Number(process.env.BENCH_IN_FLIGHT ?? 200);
const rounds = 4;
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';

const keyNames = ['k1', 'k2', 'k3', 'k4', 'k5', 'k6', 'k7', 'k8', 'k9', 'k10'] as const;
const argNames = ['a1', 'a2', 'a3', 'a4', 'a5', 'a6', 'a7', 'a8', 'a9', 'a10', 'a11'] as const;
const lua = "return { 'accepted', ARGV[3], tonumber(ARGV[4]), 0 }";
const ReplySchema = z.tuple([z.string(), z.string(), z.number(), z.number()]);

declare module 'ioredis' {
  interface RedisCommander<Context> {
    benchBare(...args: (string | number)[]): Result<[string, string, number, number], Context>;
  }
}

const loadStart = loadavg();
const redis = createRedisClient({
  url: redisUrl,
  keyPrefix: `bench-${randomBytes(4).toString('hex')}:`,
  name: 'bench-redis-commands',
});
redis.defineCommand('benchBare', { numberOfKeys: keyNames.length, lua });
const commands = defineCommands(redis, {
  benchNamed: script({
    keys: keyNames,
    args: argNames,
    lua,
    reply: (raw) => {
      const [outcome, id, number, expiresAt] = ReplySchema.parse(raw);
      return { outcome, id, number, expiresAt };
    },
  }),
});

const keys = {
  k1: 'ev:{bench}:k1',
  k2: 'ev:{bench}:k2',
  k3: 'ev:{bench}:k3',
  k4: 'ev:{bench}:k4',
  k5: 'ev:{bench}:k5',
  k6: 'ev:{bench}:k6',
  k7: 'ev:{bench}:k7',
  k8: 'ev:{bench}:k8',
  k9: 'ev:{bench}:k9',
  k10: 'ev:{bench}:k10',
};

async function bare(i: number): Promise<number> {
  const [, , number] = await redis.benchBare(
    keys.k1,
    keys.k2,
    keys.k3,
    keys.k4,
    keys.k5,
    keys.k6,
    keys.k7,
    keys.k8,
    keys.k9,
    keys.k10,
    'adm',
    '',
    `ord_${i}`,
    i,
    '{"intent":true}',
    '[]',
    'adm',
    1_000,
    'buyer',
    1,
    2,
  );
  return number;
}

async function named(i: number): Promise<number> {
  const { number } = await commands.benchNamed(keys, {
    a1: 'adm',
    a2: '',
    a3: `ord_${i}`,
    a4: i,
    a5: '{"intent":true}',
    a6: '[]',
    a7: 'adm',
    a8: 1_000,
    a9: 'buyer',
    a10: 1,
    a11: 2,
  });
  return number;
}

/** Calls per second of `call`, `count` times with `inFlight` in flight. */
async function measure(call: (i: number) => Promise<number>, count: number): Promise<number> {
  let next = 0;
  let checksum = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < count) {
        const number = await call(next++);
        checksum += number;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  if (checksum !== (count * (count - 1)) / 2) throw new Error('a reply went missing');
  return count / seconds;
}

await measure(bare, 5_000);
await measure(named, 5_000);
const figures: { bare: number[]; named: number[] } = { bare: [], named: [] };
for (let round = 0; round < rounds; round += 1) {
  figures.bare.push(await measure(bare, calls / rounds));
  figures.named.push(await measure(named, calls / rounds));
}
const median = (values: number[]) => [...values].sort((a, b) => a - b)[values.length >> 1] ?? 0;
const bareRate = Math.round(median(figures.bare));
const namedRate = Math.round(median(figures.named));
redis.disconnect();

reportBench({
  name: 'script call through defineCommands (named keys/args, parsed reply)',
  value: namedRate,
  unit: 'calls/s',
  baseline: bareRate,
  baselineName: 'the same script through ioredis defineCommand, positional, unparsed',
  target: '≥ 90% of bare',
});
const loadEnd = loadavg();
process.stdout.write(
  `load average at start ${loadStart.map((n) => n.toFixed(2)).join(' ')}, ` +
    `at end ${loadEnd.map((n) => n.toFixed(2)).join(' ')} (2 cores)\n`,
);
