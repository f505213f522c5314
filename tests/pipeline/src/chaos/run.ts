import { randomBytes } from 'node:crypto';
import {
  chmodSync,
  createWriteStream,
  mkdirSync,
  mkdtempSync,
  rmSync,
  type WriteStream,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureDatabase, runMigrations } from '@frequency/db';
import { freePort } from '@frequency/processes';
import { generateSecrets } from '@frequency/stack/keys';
import { faultNamed, type Targets } from './faults.js';
import { createTopology, PrivatePostgres, PrivatePubSub, PrivateRedis } from '../infra.js';
import { runSale, type FaultRow, type SaleStack } from './sale.js';
import { missingBuilds, type AppName } from '../apps.js';
import { ServiceProcess } from '../services.js';
import type { ChaosSettings } from './settings.js';

export interface ChaosReport {
  rows: FaultRow[];
  /** Load average (1, 5, 15 min) when the run started and when it ended. */
  loadAtStart: number[];
  loadAtEnd: number[];
  command: string;
  /** Kept when a check failed or CHAOS_KEEP=1: the services' logs and the Postgres data. */
  runDir: string | null;
  logFile: string;
  /** A failure of the harness itself (nothing could be judged after it). */
  error: string | null;
}

/** Redis key prefix of the run; its Redis is its own, the prefix only keeps the keys readable. */
const REDIS_KEY_PREFIX = 'chaos:';
const PUBSUB_PROJECT_ID = 'frequency-chaos';
const CHECKOUT_WINDOW_SECONDS = 300;

/** The checks whose figure must be 0 on every row. */
export function rowPasses(row: FaultRow): boolean {
  return (
    row.failures.length === 0 &&
    row.oversold === 0 &&
    row.duplicateCodes === 0 &&
    row.ordersLost === 0 &&
    row.fansLostPlace === 0
  );
}

/**
 * The whole chaos run: its own redis-server, Postgres cluster and Pub/Sub emulator on free ports,
 * one waiting room, one checkout and two workers from dist, then one sale per fault in turn, and
 * everything it started stopped again at the end, by PID.
 */
export async function runChaos(
  settings: ChaosSettings,
  say: (line: string) => void,
  signal: AbortSignal,
): Promise<ChaosReport> {
  const missing = missingBuilds();
  if (missing.length > 0)
    throw new Error(
      `${missing.join(', ')} missing: run \`pnpm turbo run build --filter='./apps/*'\` (or \`pnpm chaos\`) first`,
    );
  const runId = randomBytes(3).toString('hex');
  const runDir = settings.dir ?? mkdtempSync(join(tmpdir(), `frequency-chaos-${runId}-`));
  mkdirSync(runDir, { recursive: true });
  // Postgres runs as the `postgres` user when the harness is root: it must reach its directory.
  chmodSync(runDir, 0o755);
  const logFile = join(runDir, 'services.log');
  const log = createWriteStream(logFile);
  const note = (line: string) => {
    log.write(`${'chaos'.padEnd(13)}│ ${line}\n`);
  };
  const report: ChaosReport = {
    rows: [],
    loadAtStart: loadavg(),
    loadAtEnd: [],
    command: settings.command,
    runDir,
    logFile,
    error: null,
  };
  const stops: (() => Promise<void>)[] = [];
  try {
    say(`run ${runId}: logs in ${logFile}`);
    const redis = await PrivateRedis.start();
    stops.push(() => redis.stop());
    const pubsub = await PrivatePubSub.start();
    stops.push(() => pubsub.stop());
    const postgres = await PrivatePostgres.start(join(runDir, 'postgres'));
    stops.push(() => postgres.stop());
    say(
      `own redis-server :${redis.port}, Pub/Sub emulator :${pubsub.port}, Postgres :${postgres.port}`,
    );
    await ensureDatabase(postgres.url);
    await runMigrations(postgres.url);
    await createTopology(pubsub.hostPort, PUBSUB_PROJECT_ID);

    const { RECEIPT_SECRET, ...secrets } = await generateSecrets();
    const ports = { waitingRoom: await freePort(), checkout: await freePort() };
    const shared: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      LOG_LEVEL: settings.logLevel,
      METADATA_SERVER_DETECTION: 'none',
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX,
      DATABASE_URL: postgres.url,
      PUBSUB_EMULATOR_HOST: pubsub.hostPort,
      PUBSUB_PROJECT_ID,
      WAITING_ROOM_URL: `http://127.0.0.1:${ports.waitingRoom}`,
      OPS_TOKEN: secrets.OPS_TOKEN,
    };
    const startedAt = Date.now();
    const service = (name: string, app: AppName, port: number, extra: Record<string, string>) =>
      new ServiceProcess(name, app, port, { ...shared, ...extra }, log, startedAt);
    const waitingRoom = service('waiting-room', 'waiting-room', ports.waitingRoom, {
      ...secrets,
      CHECKOUT_WINDOW_SECONDS: String(CHECKOUT_WINDOW_SECONDS),
    });
    const checkout = service('checkout', 'checkout', ports.checkout, {
      // The same receipt key across restarts, as a deployment's secret: a receipt outlives a process.
      RECEIPT_SECRET,
      // Orders whose intent the broker lost are published again after 5 s (30 s in production),
      // so the pipeline drains within a short run; the relay looks every second.
      OUTBOX_REPUBLISH_AFTER_MS: '5000',
      OUTBOX_RELAY_INTERVAL_MS: '1000',
    });
    const workerEnv = { STORE: 'postgres', DATABASE_POOL_SIZE: '4' };
    const workers = [
      service('worker-1', 'worker', await freePort(), workerEnv),
      service('worker-2', 'worker', await freePort(), workerEnv),
    ] as const;
    const all = [waitingRoom, checkout, ...workers];
    stops.push(() => Promise.all(all.map((s) => s.stop())).then(() => undefined));
    for (const s of all) s.start();
    await Promise.all(all.map((s) => s.ready()));
    say(
      `waiting room :${ports.waitingRoom}, checkout :${ports.checkout}, workers :${workers[0].port} :${workers[1].port}, all ready`,
    );

    const targets: Targets = { redis, pubsub, postgres, checkout, workers };
    const stack: SaleStack = {
      runId,
      runDir,
      waitingRoom,
      targets,
      opsToken: secrets.OPS_TOKEN,
      redisKeyPrefix: REDIS_KEY_PREFIX,
      databaseUrl: postgres.url,
      redisUrl: () => redis.url,
      checkoutWindowMs: CHECKOUT_WINDOW_SECONDS * 1000,
      log: note,
    };
    let addressBase = 0;
    for (const name of settings.faults) {
      if (signal.aborted) break;
      const fault = faultNamed(name);
      say(
        `${name}: ${fault.what}; selling ${settings.ticketsPerFault.toLocaleString('en')} tickets`,
      );
      const { row, fansStarted } = await runSale(stack, settings, fault, addressBase, signal);
      addressBase += fansStarted;
      report.rows.push(row);
      say(`${name}: ${rowPasses(row) ? 'ok' : 'FAILED'} (${row.notes[0] ?? 'no sale'})`);
    }
  } catch (err) {
    report.error = err instanceof Error ? (err.stack ?? err.message) : String(err);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await closeLog(log);
    report.loadAtEnd = loadavg();
  }
  const passed =
    report.error === null &&
    report.rows.length === settings.faults.length &&
    report.rows.every(rowPasses);
  if (passed && !settings.keep && settings.dir === undefined) {
    rmSync(runDir, { recursive: true, force: true });
    report.runDir = null;
  }
  return report;
}

function closeLog(log: WriteStream): Promise<void> {
  return new Promise((resolve) => {
    log.end(() => {
      resolve();
    });
  });
}
