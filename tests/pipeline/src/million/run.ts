import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, readFileSync, rmSync, type WriteStream } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRedisClient } from '@frequency/config/redis';
import { eventKeys } from '@frequency/contracts';
import { ensureDatabase, PostgresStore, runMigrations, type EventAudit } from '@frequency/db';
import { freePort } from '@frequency/processes';
import { generateSecrets } from '@frequency/stack/keys';
import pg from 'pg';
import { missingBuilds } from '../apps.js';
import { createTopology, PrivatePubSub, sleep } from '../infra.js';
import { ServiceProcess } from '../services.js';
import { startCpuWatch, type CpuShare, type Watched } from './cpu.js';
import { runFans, type LoadResult } from './fans.js';
import { planQuantities, type MillionSettings } from './settings.js';

/** The waiting room's own join limit per address and window, unless the run raises it. */
const DEFAULT_JOIN_LIMIT = 10;
const PUBSUB_PROJECT_ID = 'frequency-e2e';

export interface MillionReport {
  tickets: number;
  fans: number;
  admissionRate: number;
  addresses: number;
  /** JOIN_RATE_LIMIT_MAX given to the waiting room; null when it kept its default. */
  joinLimitRaisedTo: number | null;
  /** From the first join to the last order confirmed in Postgres (and gone from the outbox), ms. */
  wallMs: number;
  /** From the first join to the last 202, ms. */
  ordersPlacedMs: number;
  load: Omit<LoadResult, 'sample' | 'firstJoinAt'>;
  soldInRedis: number;
  audit: EventAudit;
  outboxPending: number;
  /** Accepted orders neither confirmed nor rejected in Postgres. */
  ordersPending: number;
  sampleRead: number;
  /** Sampled orders that did not read back confirmed with their tickets. */
  sampleWrong: number;
  cpu: CpuShare[];
  cores: number;
  /** The load generator's peak resident memory. */
  loadGeneratorPeakRssMb: number;
  loadAtStart: number[];
  loadAtEnd: number[];
  /** Every figure of the invariant agrees, no fan failed, the run finished in time. */
  ok: boolean;
  problems: string[];
  logFile: string | null;
}

/**
 * The whole chain, timed from the first join to the last confirmed order: fans join the waiting
 * room over HTTP from their own loopback addresses, are admitted at the event's rate, order at
 * checkout, and the worker(s) persist every order through Pub/Sub into Postgres. The run starts its
 * own Pub/Sub emulator, database and Redis key prefix, and removes all of them at the end.
 */
export async function runMillion(
  settings: MillionSettings,
  say: (line: string) => void,
  signal: AbortSignal,
): Promise<MillionReport> {
  const missing = missingBuilds();
  if (missing.length > 0)
    throw new Error(`${missing.join(', ')} not built: run \`pnpm e2e:million\` (it builds first)`);
  const runId = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  const runDir = mkdtempSync(join(tmpdir(), `frequency-e2e-${runId}-`));
  const logFile = join(runDir, 'services.log');
  const log = createWriteStream(logFile);
  const keyPrefix = `e2e:${runId}:`;
  const dbName = `e2e_${runId}`;
  const dbUrl = new URL(settings.databaseUrl);
  dbUrl.pathname = `/${dbName}`;
  const quantities = planQuantities(settings.tickets);
  const fansPerAddress = Math.ceil(quantities.length / settings.addresses);
  // Each address is a group of fans; if more of them join from one address than the waiting
  // room allows per window, the limit is raised, openly, rather than forging another address.
  const joinLimitRaisedTo = fansPerAddress > DEFAULT_JOIN_LIMIT ? fansPerAddress : null;
  const eventId = `e2e-${runId}`;
  const cores = availableParallelism();
  const stops: (() => Promise<unknown>)[] = [];
  const problems: string[] = [];
  // Read through a call: the signal changes while the run awaits, which narrowing cannot see.
  const stopped = () => signal.aborted;
  let failed = true;
  try {
    const pubsub = await PrivatePubSub.start();
    stops.push(() => pubsub.stop());
    await createTopology(pubsub.hostPort, PUBSUB_PROJECT_ID);
    await ensureDatabase(dbUrl.toString());
    stops.push(() => dropDatabase(settings.databaseUrl, dbName));
    await runMigrations(dbUrl.toString());
    const redis = createRedisClient({ url: settings.redisUrl, keyPrefix, name: 'e2e' });
    stops.push(async () => {
      redis.disconnect();
      await forgetPrefix(settings.redisUrl, keyPrefix);
    });
    const store = PostgresStore.open(dbUrl.toString(), 2);
    stops.push(() => store.close());

    const { RECEIPT_SECRET, ...secrets } = await generateSecrets();
    const ports = { waitingRoom: await freePort(), checkout: await freePort() };
    const shared: Record<string, string> = {
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      LOG_LEVEL: settings.logLevel,
      METADATA_SERVER_DETECTION: 'none',
      REDIS_URL: settings.redisUrl,
      REDIS_KEY_PREFIX: keyPrefix,
      DATABASE_URL: dbUrl.toString(),
      PUBSUB_EMULATOR_HOST: pubsub.hostPort,
      PUBSUB_PROJECT_ID,
      WAITING_ROOM_URL: `http://127.0.0.1:${ports.waitingRoom}`,
      OPS_TOKEN: secrets.OPS_TOKEN,
    };
    const startedAt = Date.now();
    const service = (
      name: string,
      app: 'waiting-room' | 'checkout' | 'worker',
      port: number,
      extra: Record<string, string>,
    ) => new ServiceProcess(name, app, port, { ...shared, ...extra }, log, startedAt);
    const waitingRoom = service('waiting-room', 'waiting-room', ports.waitingRoom, {
      ...secrets,
      ...(joinLimitRaisedTo === null ? {} : { JOIN_RATE_LIMIT_MAX: String(joinLimitRaisedTo) }),
    });
    const checkout = service('checkout', 'checkout', ports.checkout, {
      RECEIPT_SECRET,
      // The worker lags the sale by tens of seconds at this rate; republishing sooner only adds load.
      OUTBOX_REPUBLISH_AFTER_MS: '120000',
    });
    const workers: ServiceProcess[] = [];
    for (let i = 1; i <= settings.workers; i += 1) {
      workers.push(
        service(`worker-${i}`, 'worker', await freePort(), {
          WORKER_MAX_MESSAGES: '5000',
          WORKER_BATCH_SIZE: '1000',
          WORKER_CONCURRENT_BATCHES: '3',
        }),
      );
    }
    const all = [waitingRoom, checkout, ...workers];
    stops.push(() => Promise.all(all.map((s) => s.stop())));
    for (const s of all) s.start();
    await Promise.all(all.map((s) => s.ready()));
    if (signal.aborted) throw new Error('stopped');

    const created = await fetch(`${waitingRoom.url}/v1/admin/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${secrets.OPS_TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        id: eventId,
        name: 'Frequency Festival 20XX (e2e)',
        venue: 'St. Pölten',
        ticketsTotal: settings.tickets,
        maxPerOrder: 4,
        opensAt: new Date(Date.now() - 1_000).toISOString(),
        admissionRatePerSecond: settings.admissionRate,
        // Not the bound under test: admission is held by the rate alone.
        maxActiveCheckouts: Math.max(1, quantities.length),
      }),
    });
    if (created.status !== 201)
      throw new Error(`creating the event: ${created.status} ${await created.text()}`);
    await waitForPhase(waitingRoom.url, eventId, 'open', signal);

    const backlog = Math.max(1, Math.round(settings.admissionRate * settings.backlogSeconds));
    say(
      `${settings.tickets.toLocaleString('en')} tickets, ${quantities.length.toLocaleString('en')} fans (1-4 tickets each, uniform), ` +
        `admission ${n(settings.admissionRate)}/s, arrivals up to ${n(settings.admissionRate * settings.arrivalFactor)}/s, line held at ${n(backlog)} fans, ${n(settings.joinsInFlight)} joins in flight at most, ` +
        `${settings.addresses.toLocaleString('en')} source addresses, ${settings.workers} worker(s)`,
    );
    if (joinLimitRaisedTo !== null)
      say(
        `JOIN_RATE_LIMIT_MAX raised from ${DEFAULT_JOIN_LIMIT} to ${joinLimitRaisedTo} per 10 s: ` +
          `${fansPerAddress} fans share each source address`,
      );

    const keys = eventKeys(eventId);
    const watch = startCpuWatch(await watchedParts(all, pubsub.pid, settings, redis));
    const loadAtStart = loadavg();
    const deadline = Date.now() + settings.timeoutMs;
    // One signal for the fans: stopped by the caller or by the run's deadline.
    const fansStop = new AbortController();
    const stopFans = () => {
      fansStop.abort();
    };
    signal.addEventListener('abort', stopFans, { once: true });
    const deadlineTimer = setTimeout(stopFans, settings.timeoutMs);
    const startedLoad = Date.now();
    const load = await runFans({
      waitingRoomUrl: waitingRoom.url,
      checkoutUrl: checkout.url,
      eventId,
      quantities,
      addresses: settings.addresses,
      connectionsPerAddress: settings.connectionsPerAddress,
      backlog,
      arrivalRate: settings.admissionRate * settings.arrivalFactor,
      joinsInFlight: settings.joinsInFlight,
      sampleSize: settings.sampleReads,
      onProgress: (p) => {
        say(
          `  ${seconds(Date.now() - startedLoad)}: ${n(p.started)} fans arrived, ${n(p.joins)} joined, ` +
            `${n(p.waiting)} in line, ${n(p.accepted)} orders accepted, ${n(p.retries)} retries, ${n(p.failures)} failed`,
        );
      },
      signal: fansStop.signal,
    });
    const placedAt = Date.now();
    clearTimeout(deadlineTimer);
    signal.removeEventListener('abort', stopFans);
    say(
      `orders placed: ${load.accepted.toLocaleString('en')} x 202 in ${seconds(placedAt - load.firstJoinAt)}; ` +
        `${load.joins.toLocaleString('en')} joins, ${load.polls.toLocaleString('en')} status polls (at most ${load.mostPolls} by one fan)`,
    );
    // The clock stops when the ledger holds the last ticket and checkout's outbox is empty.
    const ledger = new pg.Client({ connectionString: dbUrl.toString() });
    await ledger.connect();
    stops.push(() => ledger.end());
    let endAt = Date.now();
    for (;;) {
      const { rows } = await ledger.query<{ sold: number }>(
        'select tickets_sold as sold from event_inventory where event_id = $1',
        [eventId],
      );
      const persisted = rows[0]?.sold ?? 0;
      endAt = Date.now();
      if (persisted >= load.acceptedTickets && (await redis.zcard(keys.outbox)) === 0) break;
      if (stopped() || endAt > deadline) {
        problems.push(`stopped waiting: ${persisted} of ${load.acceptedTickets} tickets persisted`);
        break;
      }
      await sleep(100);
    }
    const wallMs = endAt - load.firstJoinAt;
    const cpu = watch.end(wallMs / 1000, cores);
    const loadAtEnd = loadavg();
    const loadGeneratorPeakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);

    const soldInRedis = Number(await redis.get(keys.sold));
    const outboxPending = await redis.zcard(keys.outbox);
    const audit = await store.auditEvent(eventId);
    const ordersPending = load.accepted - audit.orders - audit.rejected;
    let sampleWrong = 0;
    for (const order of load.sample) {
      const response = await fetch(`${checkout.url}/v1/orders/${order.orderId}`, {
        headers: { authorization: `Bearer ${order.receiptToken}` },
      });
      const body = (await response.json()) as { status?: unknown; tickets?: unknown };
      const tickets = Array.isArray(body.tickets) ? body.tickets.length : -1;
      if (response.status !== 200 || body.status !== 'confirmed' || tickets !== order.quantity)
        sampleWrong += 1;
    }
    const want = settings.tickets;
    const figures: [string, number, number][] = [
      ['tickets sold (Redis)', soldInRedis, want],
      ['ticket rows (Postgres)', audit.tickets, want],
      ['sum of confirmed quantities', audit.ticketsOrdered, want],
      ['distinct ticket codes', audit.distinctCodes, want],
      ['orders confirmed', audit.orders, load.accepted],
      ['orders rejected', audit.rejected, 0],
      ['orders pending', ordersPending, 0],
      ['outbox pending', outboxPending, 0],
      ['fans without an order', quantities.length - load.accepted, 0],
      ['sampled reads not confirmed', sampleWrong, 0],
    ];
    for (const [what, got, expected] of figures)
      if (got !== expected) problems.push(`${what}: ${got}, expected ${expected}`);
    for (const [what, n] of Object.entries(load.failed))
      problems.push(`${n} fans ended at ${what}`);
    for (const s of all)
      for (const exit of s.unexpectedExits)
        problems.push(`${s.name} exited by itself (${exit.signal ?? String(exit.code)})`);
    if (stopped()) problems.push('stopped by a signal');
    failed = problems.length > 0;
    const { sample: _sample, firstJoinAt: _firstJoinAt, ...loadFigures } = load;
    return {
      tickets: settings.tickets,
      fans: quantities.length,
      admissionRate: settings.admissionRate,
      addresses: settings.addresses,
      joinLimitRaisedTo,
      wallMs,
      ordersPlacedMs: placedAt - load.firstJoinAt,
      load: loadFigures,
      soldInRedis,
      audit,
      outboxPending,
      ordersPending,
      sampleRead: load.sample.length,
      sampleWrong,
      cpu,
      cores,
      loadGeneratorPeakRssMb,
      loadAtStart,
      loadAtEnd,
      ok: !failed,
      problems,
      logFile: failed ? logFile : null,
    };
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await closeLog(log);
    if (!failed) rmSync(runDir, { recursive: true, force: true });
  }
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const n = (value: number) => Math.round(value).toLocaleString('en');

/** Every part of the chain whose CPU the run reports, each with the root of its process tree. */
async function watchedParts(
  services: readonly ServiceProcess[],
  emulatorPid: number | undefined,
  settings: MillionSettings,
  redis: ReturnType<typeof createRedisClient>,
): Promise<Watched[]> {
  const info = await redis.info('server');
  const redisPid = Number(/process_id:(\d+)/.exec(info)?.[1] ?? Number.NaN);
  const client = new pg.Client({ connectionString: settings.databaseUrl });
  await client.connect();
  let postmaster: number | undefined;
  try {
    const { rows } = await client.query<{ setting: string }>(
      "select setting from pg_settings where name = 'data_directory'",
    );
    const dir = rows[0]?.setting;
    // The first line of postmaster.pid is the server's pid; its children are the backends.
    if (dir !== undefined)
      postmaster = Number(readFileSync(join(dir, 'postmaster.pid'), 'utf8').split('\n')[0]);
  } catch {
    postmaster = undefined;
  } finally {
    await client.end();
  }
  return [
    ...services.map((s) => ({ name: s.name, pid: s.pid })),
    { name: 'Pub/Sub emulator', pid: emulatorPid },
    {
      name: 'Redis',
      pid: Number.isNaN(redisPid) ? undefined : redisPid,
      note: 'the whole server: shared with other work on the machine',
    },
    {
      name: 'Postgres',
      pid: postmaster,
      note: 'the whole cluster: shared with other work on the machine',
    },
    { name: 'load generator', pid: 'self' },
  ];
}

async function waitForPhase(
  url: string,
  eventId: string,
  phase: string,
  signal: AbortSignal,
): Promise<void> {
  for (let i = 0; i < 100 && !signal.aborted; i += 1) {
    const response = await fetch(`${url}/v1/events/${eventId}`);
    if (response.status === 200) {
      const body = (await response.json()) as { phase?: unknown };
      if (body.phase === phase) return;
    }
    await sleep(100);
  }
  throw new Error(`event ${eventId} never reached phase ${phase}`);
}

async function dropDatabase(baseUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists "${name}" with (force)`);
  } finally {
    await client.end();
  }
}

/** Removes the run's keys once every service has stopped (nothing writes them any more). */
async function forgetPrefix(url: string, prefix: string): Promise<void> {
  const raw = createRedisClient({ url, name: 'e2e-cleanup' });
  try {
    let cursor = '0';
    do {
      const [next, found] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (found.length > 0) await raw.unlink(...found);
    } while (cursor !== '0');
  } finally {
    raw.disconnect();
  }
}

function closeLog(log: WriteStream): Promise<void> {
  return new Promise((resolve) => {
    log.end(() => {
      resolve();
    });
  });
}
