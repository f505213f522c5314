import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPubSub } from '@frequency/config/pubsub';
import { freePort } from '@frequency/testing/process';
import { deleteKeysWithPrefix } from '@frequency/testing/redis';
import pg from 'pg';
import { waitForStackReady } from '@frequency/stack/ready';
import { startRedis } from './redis-server.js';
import { repoRoot, type SimulatorSettings } from './settings.js';

/** Where the run's services answer, and what the report and the checks need to reach them. */
export interface RunningStack {
  runId: string;
  waitingRoomUrl: string;
  checkoutUrl: string;
  webUrl: string | null;
  opsToken: string;
  eventId: string;
  redisUrl: string;
  redisKeyPrefix: string;
  databaseUrl: string;
  logFile: string;
  /** service label -> host:port of each process' /metrics, for Prometheus. */
  metricsTargets: Record<string, string>;
  /** Stops the stack (SIGTERM, the stack drains its apps), then removes this run's data unless kept. */
  stop(): Promise<void>;
}

/** The stack starts three Node processes and migrates a fresh database: slow on a loaded 2-core machine. */
const START_TIMEOUT_MS = 120_000;

/**
 * Starts programs/stack (the same command developers run) with this run's own ports, Redis key prefix,
 * database and Pub/Sub names, so a simulation never touches another stack or test on the machine.
 * The event opens only when the simulator says so (PATCH opensAt at the sale_opening phase).
 */
export async function startStack(
  settings: SimulatorSettings,
  logDir: string,
): Promise<RunningStack> {
  for (const app of ['waiting-room', 'checkout', 'worker']) {
    const entry = join(repoRoot, 'apps', app, 'dist', 'server.js');
    if (!existsSync(entry)) {
      throw new Error(
        `${entry} is missing: run \`pnpm turbo run build --filter='./apps/*'\` (or \`pnpm simulate\`) first`,
      );
    }
  }
  const runId = `sim${randomBytes(4).toString('hex')}`;
  const ownRedis = settings.ownRedis ? await startRedis(await freePort()) : null;
  const redisUrl = ownRedis?.url ?? settings.redisUrl;
  const ports = {
    WAITING_ROOM_PORT: await freePort(),
    CHECKOUT_PORT: await freePort(),
    WORKER_PORT: await freePort(),
    WEB_PORT: await freePort(),
  };
  const databaseUrl = new URL(settings.postgresUrl);
  databaseUrl.pathname = `/frequency_${runId}`;
  const opsToken = `ops_${randomBytes(18).toString('base64url')}`;
  const redisKeyPrefix = `${runId}:`;
  const names = {
    PUBSUB_TOPIC: `${runId}-purchase-intents`,
    PUBSUB_SUBSCRIPTION: `${runId}-purchase-intents-worker`,
    PUBSUB_DEAD_LETTER_TOPIC: `${runId}-purchase-intents-dead-letter`,
  };
  const logFile = join(logDir, `stack-${runId}.log`);
  const log = createWriteStream(logFile);
  const stackDir = join(repoRoot, 'programs', 'stack');
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', join(stackDir, 'src', 'main.ts')],
    {
      cwd: stackDir,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        METADATA_SERVER_DETECTION: 'none',
        LOG_LEVEL: 'warn',
        ...Object.fromEntries(Object.entries(ports).map(([key, port]) => [key, String(port)])),
        ...names,
        REDIS_URL: redisUrl,
        REDIS_KEY_PREFIX: redisKeyPrefix,
        DATABASE_URL: databaseUrl.toString(),
        PUBSUB_EMULATOR_HOST: settings.pubsubEmulatorHost,
        PUBSUB_PROJECT_ID: settings.pubsubProjectId,
        // Far enough away that nothing opens before the simulator moves opensAt to its sale_opening phase.
        OPENS_IN_SECONDS: '3600',
        TICKETS_TOTAL: String(settings.ticketsTotal),
        ADMISSION_RATE_PER_SECOND: String(settings.admissionRatePerSecond),
        MAX_ACTIVE_CHECKOUTS: String(settings.maxActiveCheckouts),
        // Fans come from settings.clients.addresses loopback addresses; only a rate too high for the
        // most addresses one machine uses raises the waiting room's per-client join limit.
        ...(settings.clients.joinRateLimitMax === null
          ? {}
          : { JOIN_RATE_LIMIT_MAX: String(settings.clients.joinRateLimitMax) }),
        OPS_TOKEN: opsToken,
        STACK_DIR: join(logDir, `stack-${runId}`),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });

  const stop = async () => {
    await stopChild(child);
    log.end();
    if (!settings.keepData) {
      await removeRunData(settings, {
        redisUrl,
        redisKeyPrefix,
        databaseUrl: databaseUrl.toString(),
        names,
      });
    }
    await ownRedis?.stop();
  };

  try {
    await waitForStackReady(child, START_TIMEOUT_MS);
  } catch (err) {
    await stop();
    const tail = readFileSync(logFile, 'utf8').split('\n').slice(-30).join('\n');
    throw new Error(
      `${err instanceof Error ? err.message : String(err)}\n--- ${logFile} ---\n${tail}`,
    );
  }
  const webUrl = `http://127.0.0.1:${ports.WEB_PORT}`;
  const webBuilt = existsSync(join(repoRoot, 'apps', 'web', '.next', 'BUILD_ID'));
  return {
    runId,
    waitingRoomUrl: `http://127.0.0.1:${ports.WAITING_ROOM_PORT}`,
    checkoutUrl: `http://127.0.0.1:${ports.CHECKOUT_PORT}`,
    // The stack runs the web app only when it has been built (apps/web/.next).
    webUrl: webBuilt ? webUrl : null,
    opsToken,
    eventId: 'frequency-20xx',
    redisUrl,
    redisKeyPrefix,
    databaseUrl: databaseUrl.toString(),
    logFile,
    metricsTargets: {
      'waiting-room': `127.0.0.1:${ports.WAITING_ROOM_PORT}`,
      checkout: `127.0.0.1:${ports.CHECKOUT_PORT}`,
      worker: `127.0.0.1:${ports.WORKER_PORT}`,
      ...(webBuilt ? { web: `127.0.0.1:${ports.WEB_PORT}` } : {}),
    },
    stop,
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    // The stack gives its apps 15 s to drain; after that it is stuck and is killed.
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

async function removeRunData(
  settings: SimulatorSettings,
  run: {
    redisUrl: string;
    redisKeyPrefix: string;
    databaseUrl: string;
    names: Record<string, string>;
  },
): Promise<void> {
  await deleteKeysWithPrefix(run.redisUrl, run.redisKeyPrefix);
  const admin = new pg.Client({ connectionString: settings.postgresUrl });
  await admin.connect();
  try {
    const database = new URL(run.databaseUrl).pathname.slice(1);
    await admin.query(`drop database if exists "${database}" with (force)`);
  } finally {
    await admin.end();
  }
  const pubsub = createPubSub({
    projectId: settings.pubsubProjectId,
    emulatorHost: settings.pubsubEmulatorHost,
  });
  try {
    const hold = `${run.names.PUBSUB_DEAD_LETTER_TOPIC ?? ''}-hold`;
    for (const subscription of [run.names.PUBSUB_SUBSCRIPTION, hold]) {
      await pubsub
        .subscription(subscription ?? '')
        .delete()
        .catch(() => undefined);
    }
    for (const topic of [run.names.PUBSUB_TOPIC, run.names.PUBSUB_DEAD_LETTER_TOPIC]) {
      await pubsub
        .topic(topic ?? '')
        .delete()
        .catch(() => undefined);
    }
  } finally {
    await pubsub.close();
  }
}
