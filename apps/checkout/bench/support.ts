import { spawn, type ChildProcess } from 'node:child_process';
import { createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createPubSub, ensureTopology } from '@frequency/config/pubsub';
import { createRedisClient } from '@frequency/config/redis';
import {
  admit,
  createTestAdmissionIssuer,
  type MintedAdmission,
  type TestAdmissionIssuer,
} from '@frequency/testing/admission';
import { seedTestEvent } from '@frequency/testing/events';
import { freePort } from '@frequency/testing/process';
import { deleteKeysWithPrefix } from '@frequency/testing/redis';
import { startPubSubEmulator, type StartedEmulator } from '@frequency/testing/services';
import type { Redis } from 'ioredis';

export { freePort };

export interface Child {
  process: ChildProcess;
  url: string;
  stop(): Promise<void>;
}

/** Runs a TypeScript entry point in its own Node process (tsx, source condition) and waits for /healthz. */
export async function startNode(
  entry: string,
  env: Record<string, string>,
  port: number,
): Promise<Child> {
  const extraArgs = process.env.BENCH_NODE_ARGS ? process.env.BENCH_NODE_ARGS.split(' ') : [];
  const child = spawn(
    process.execPath,
    [...extraArgs, '--conditions=source', '--import', 'tsx', entry],
    {
      env: { ...process.env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${entry} exited with ${child.exitCode}`);
    const status = await fetch(`${url}/healthz`).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) break;
    if (Date.now() > deadline) throw new Error(`${entry} did not start`);
    await new Promise((r) => setTimeout(r, 200));
  }
  return {
    process: child,
    url,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((resolve) => {
        child.once('exit', () => {
          resolve();
        });
      });
      child.kill('SIGTERM');
      await exited;
    },
  };
}

export function ratio(value: number, baseline: number): string {
  return `${((100 * value) / baseline).toFixed(1)}%`;
}

/**
 * CPU time (user + system, in clock ticks of 10 ms) a process, or one of its threads, has used so
 * far; null off Linux. A process's main thread has the process's id.
 */
export function cpuTicks(pid: number, thread?: number): number | null {
  try {
    const path = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
    const stat = readFileSync(path, 'utf8');
    // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

/**
 * CPU µs of one ES256 signature check in this process (node:crypto, the key of the JWKS at
 * `jwksUrl`, signatures as checkout receives them), over `tokens`: each must check out valid.
 */
export async function verifyMicros(jwksUrl: string, tokens: string[]): Promise<number> {
  const jwks = (await (await fetch(jwksUrl)).json()) as { keys: { x: string; y: string }[] };
  const jwk = jwks.keys[0];
  if (!jwk) throw new Error('the JWKS holds no key');
  const key = createPublicKey({
    key: { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y },
    format: 'jwk',
  });
  const parts = tokens.map((token) => {
    const dot = token.lastIndexOf('.');
    return {
      signed: Buffer.from(token.slice(0, dot)),
      signature: Buffer.from(token.slice(dot + 1), 'base64url'),
    };
  });
  const before = process.cpuUsage();
  for (const { signed, signature } of parts) {
    if (!verify('sha256', signed, { key, dsaEncoding: 'ieee-p1363' }, signature))
      throw new Error('a bench token did not verify');
  }
  const used = process.cpuUsage(before);
  return (used.user + used.system) / Math.max(1, parts.length);
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  if (sorted.length === 0) return Number.NaN;
  return sorted.length % 2 === 1
    ? (sorted[middle] ?? Number.NaN)
    : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

/** What a checkout bench runs against, all its own: emulator and topics, Redis prefix, token issuer. */
export interface CheckoutBench {
  emulator: StartedEmulator;
  issuer: TestAdmissionIssuer;
  /** A client under the bench's key prefix. */
  redis: Redis;
  /** Mints `count` admissions for the event, live in Redis as the waiting room makes them. */
  admissions(count: number): Promise<string[]>;
  /** Checkout (src/server.ts) in its own process, pointed at all of the above. */
  startCheckout(env?: Record<string, string>): Promise<Child>;
  /** Stops what it started, checkout included, and deletes the bench's keys. */
  close(): Promise<void>;
}

/** Sets up a bench's own world: a Pub/Sub emulator with its topology, a Redis prefix, the seeded event. */
export async function prepareCheckoutBench(
  name: string,
  event: Parameters<typeof seedTestEvent>[1],
): Promise<CheckoutBench> {
  const emulator = await startPubSubEmulator('127.0.0.1', await freePort());
  const issuer = await createTestAdmissionIssuer();
  const prefix = `${name}:${Date.now().toString(36)}:`;
  const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
  const redis = createRedisClient({ url: redisUrl, keyPrefix: prefix, name: 'bench' });
  const names = {
    topic: `${name}-intents`,
    subscription: `${name}-worker`,
    deadLetterTopic: `${name}-dead-letter`,
  };
  const admin = createPubSub({ projectId: 'frequency-bench', emulatorHost: emulator.hostPort });
  await ensureTopology(admin, names);
  await seedTestEvent(redis, event);
  const started: Child[] = [];
  return {
    emulator,
    issuer,
    redis,
    async admissions(count) {
      const tokens: string[] = [];
      const claims: MintedAdmission['claims'][] = [];
      for (let i = 0; i < count; i += 1) {
        const minted = await issuer.mint({ eventId: event.eventId, ttlSeconds: 3_600 });
        tokens.push(minted.token);
        claims.push(minted.claims);
      }
      await admit(redis, claims);
      return tokens;
    },
    async startCheckout(env = {}) {
      const checkout = await startNode(
        fileURLToPath(new URL('../src/server.ts', import.meta.url)),
        {
          REDIS_URL: redisUrl,
          REDIS_KEY_PREFIX: prefix,
          PUBSUB_PROJECT_ID: 'frequency-bench',
          PUBSUB_EMULATOR_HOST: emulator.hostPort,
          PUBSUB_TOPIC: names.topic,
          PUBSUB_SUBSCRIPTION: names.subscription,
          PUBSUB_DEAD_LETTER_TOPIC: names.deadLetterTopic,
          WAITING_ROOM_URL: issuer.baseUrl,
          // No republishing during a bench: every order is published once, inline.
          OUTBOX_REPUBLISH_AFTER_MS: '600000',
          ...env,
        },
        await freePort(),
      );
      started.push(checkout);
      return checkout;
    },
    async close() {
      for (const checkout of started) await checkout.stop();
      await admin.close();
      redis.disconnect();
      await deleteKeysWithPrefix(redisUrl, prefix);
      await issuer.close();
      await emulator.stop();
    },
  };
}
