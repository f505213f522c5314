import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseEnv } from '@frequency/config';
import { createLogger } from '@frequency/observability';
import {
  expect,
  freePort,
  type TestDatabase,
  type TestPubSub,
  type TestRedis,
} from '@frequency/testing';
import { envSchema } from '../src/env.js';
import { createWorkerServices, type WorkerServices } from '../src/services.js';

/**
 * How tests start the worker on wiring of their own: in this process, or as the real server in a
 * child process. Exported as `@frequency/worker/testing` for the tests that run it beside other apps.
 */

/** Where the services under test live: a Redis prefix, a database, Pub/Sub names on an emulator. */
export interface Wiring {
  redisUrl: string;
  /** host:port of a Redis Cluster's nodes: when set, the services use it instead of redisUrl. */
  redisClusterNodes?: string[];
  keyPrefix: string;
  databaseUrl: string;
  emulatorHost: string;
  projectId: string;
  names: { topic: string; subscription: string; deadLetterTopic: string };
}

/** A test's own Redis prefix, database and Pub/Sub names, from its fixtures. */
export function wiringOf(fixtures: {
  redis: TestRedis;
  database: TestDatabase;
  pubsub: TestPubSub;
}): Wiring {
  const { redis, database, pubsub } = fixtures;
  return {
    redisUrl: redis.url,
    keyPrefix: redis.keyPrefix,
    databaseUrl: database.url,
    emulatorHost: pubsub.emulatorHost,
    projectId: pubsub.projectId,
    names: pubsub.names,
  };
}

export function workerEnvVars(
  wiring: Wiring,
  extra: Record<string, string> = {},
): Record<string, string> {
  return {
    REDIS_URL: wiring.redisUrl,
    ...redisClusterVar(wiring),
    REDIS_KEY_PREFIX: wiring.keyPrefix,
    DATABASE_URL: wiring.databaseUrl,
    DATABASE_POOL_SIZE: '4',
    PUBSUB_PROJECT_ID: wiring.projectId,
    PUBSUB_EMULATOR_HOST: wiring.emulatorHost,
    PUBSUB_TOPIC: wiring.names.topic,
    PUBSUB_SUBSCRIPTION: wiring.names.subscription,
    PUBSUB_DEAD_LETTER_TOPIC: wiring.names.deadLetterTopic,
    // The other topics too are the test's own, so parallel tests never share a subscription.
    PUBSUB_EVENTS_TOPIC: `${wiring.names.topic}-events`,
    PUBSUB_EVENTS_SUBSCRIPTION: `${wiring.names.topic}-events-worker`,
    PUBSUB_CONFIRMATIONS_TOPIC: `${wiring.names.topic}-confirmations`,
    PUBSUB_CONFIRMATIONS_SUBSCRIPTION: `${wiring.names.topic}-confirmations-mailer`,
    RESTORE_INTERVAL_MS: '250',
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    WORKER_BATCH_WAIT_MS: '20',
    WORKER_SHUTDOWN_TIMEOUT_MS: '10000',
    RECONCILE_INTERVAL_MS: '500',
    ...extra,
  };
}

export function redisClusterVar(wiring: Wiring): { REDIS_CLUSTER_NODES?: string } {
  return wiring.redisClusterNodes
    ? { REDIS_CLUSTER_NODES: wiring.redisClusterNodes.join(',') }
    : {};
}

/** The worker's consumer and loops in this process, as server.ts starts them. */
export function startWorkerInProcess(
  wiring: Wiring,
  extra: Record<string, string> = {},
): WorkerServices {
  const env = parseEnv(envSchema, workerEnvVars(wiring, extra));
  const services = createWorkerServices(
    env,
    createLogger({ service: 'worker', level: env.LOG_LEVEL }),
  );
  services.start();
  return services;
}

export interface WorkerProcess {
  child: ChildProcess;
  port: number;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  output: () => string;
}

const serverEntry = fileURLToPath(new URL('../src/server.ts', import.meta.url));

/** The real worker server (src/server.ts through tsx) as a child process, to kill it for real. */
export async function spawnWorker(
  wiring: Wiring,
  extra: Record<string, string> = {},
): Promise<WorkerProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--conditions=source', '--import', 'tsx', serverEntry], {
    env: {
      ...process.env,
      ...workerEnvVars(wiring, {
        LOG_LEVEL: 'warn',
        HOST: '127.0.0.1',
        PORT: String(port),
        ...extra,
      }),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
  await expect
    .poll(
      async () => {
        if (child.exitCode !== null) throw new Error(`worker exited early: ${output}`);
        return fetch(`http://127.0.0.1:${port}/healthz`)
          .then((r) => r.status)
          .catch(() => 0);
      },
      { timeout: 90_000, interval: 200 },
    )
    .toBe(200);
  return { child, port, exited, output: () => output };
}
