import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { createPubSub, ensureTopology } from '@frequency/config/pubsub';
import { createRedisClient } from '@frequency/config/redis';
import { eventKeys } from '@frequency/contracts';
import { ensureDatabase, PostgresStore, runMigrations } from '@frequency/db';
import {
  admit,
  createTestAdmissionIssuer,
  type MintedAdmission,
} from '@frequency/testing/admission';
import { seedTestEvent } from '@frequency/testing/events';
import { startPubSubEmulator } from '@frequency/testing/services';
import autocannon from 'autocannon';
import pg from 'pg';
import { serverArgs, type AppName } from '../src/apps.js';

/**
 * Sells out 1,000,000 tickets (250,000 orders of 4) end to end: checkout's real HTTP endpoint
 * (ES256 admission check, reservation script, publish) -> Pub/Sub emulator -> the real worker ->
 * Postgres, then checks the invariant. Both services run as their own processes from their packages' servers.
 *
 * It bypasses the waiting room's queue: admission tokens are minted up front with a test ES256
 * key whose JWKS this script serves, exactly as the waiting room would sign them. Everything else
 * (its own emulator instance on a free port, a fresh database, a fresh Redis key prefix) is
 * created here and removed at the end. Minting is done before the clock starts.
 *
 *   pnpm e2e:million        (E2E_TICKETS=100000 for a shorter run)
 */
const ticketsTotal = Number(process.env.E2E_TICKETS ?? 1_000_000);
const quantity = 4;
const orders = Math.ceil(ticketsTotal / quantity);
const connections = Number(process.env.E2E_CONNECTIONS ?? 100);
const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const pgBase = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

async function startService(
  app: AppName,
  env: Record<string, string>,
): Promise<{ child: ChildProcess; stop: () => Promise<number | null> }> {
  const port = await freePort();
  const child = spawn(process.execPath, serverArgs(app), {
    env: { ...process.env, ...env, HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  for (let i = 0; ; i += 1) {
    if (child.exitCode !== null) throw new Error(`${app} exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 150) throw new Error(`${app} did not start`);
    await new Promise((r) => setTimeout(r, 200));
  }
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      resolve(code);
    }),
  );
  return {
    child: Object.assign(child, { port }),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      return exited;
    },
  };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const emulator = await startPubSubEmulator('127.0.0.1', await freePort());
  const issuer = await createTestAdmissionIssuer();
  const prefix = `e2e:${Date.now().toString(36)}:`;
  const redis = createRedisClient({ url: redisUrl, keyPrefix: prefix, name: 'e2e' });
  const dbName = `e2e_${Date.now().toString(36)}`;
  const dbUrl = new URL(pgBase);
  dbUrl.pathname = `/${dbName}`;
  await ensureDatabase(dbUrl.toString());
  await runMigrations(dbUrl.toString());
  const store = PostgresStore.open(dbUrl.toString(), 2);
  const names = {
    topic: 'e2e-intents',
    subscription: 'e2e-worker',
    deadLetterTopic: 'e2e-dead-letter',
  };
  const admin = createPubSub({ projectId: 'frequency-e2e', emulatorHost: emulator.hostPort });
  await ensureTopology(admin, names);
  await admin.close();
  const eventId = 'e2e-million';
  // Every order has the same buyer: the cap is lifted so the sale runs through to sold out.
  await seedTestEvent(redis, { eventId, ticketsTotal, maxPerOrder: 4, maxPerBuyer: ticketsTotal });

  const shared = {
    REDIS_URL: redisUrl,
    REDIS_KEY_PREFIX: prefix,
    PUBSUB_PROJECT_ID: 'frequency-e2e',
    PUBSUB_EMULATOR_HOST: emulator.hostPort,
    PUBSUB_TOPIC: names.topic,
    PUBSUB_SUBSCRIPTION: names.subscription,
    PUBSUB_DEAD_LETTER_TOPIC: names.deadLetterTopic,
    METADATA_SERVER_DETECTION: 'none',
  };
  const services: { stop: () => Promise<number | null> }[] = [];
  try {
    process.stdout.write(`minting ${orders} admission tokens (test key, not timed)… `);
    const tokens: string[] = [];
    const admitted: MintedAdmission['claims'][] = [];
    for (let i = 0; i < orders; i += 1) {
      const { token, claims } = await issuer.mint({ eventId, ttlSeconds: 3_600 });
      tokens.push(token);
      admitted.push(claims);
    }
    // Live in Redis as the waiting room makes them at admission, or checkout would refuse them.
    await admit(redis, admitted);
    process.stdout.write('done\n');

    const worker = await startService('worker', {
      ...shared,
      DATABASE_URL: dbUrl.toString(),
      WORKER_MAX_MESSAGES: '5000',
      WORKER_BATCH_SIZE: '1000',
      WORKER_CONCURRENT_BATCHES: '3',
    });
    services.push(worker);
    const checkout = await startService('checkout', {
      ...shared,
      WAITING_ROOM_URL: issuer.baseUrl,
      // The worker lags the sale by tens of seconds at this rate; republishing sooner only adds load.
      OUTBOX_REPUBLISH_AFTER_MS: '120000',
    });
    services.push(checkout);
    const checkoutPort = (checkout.child as ChildProcess & { port: number }).port;

    let next = 0;
    const started = Date.now();
    const body = JSON.stringify({ quantity, buyer: { name: 'E2E Fan', email: 'fan@example.com' } });
    const load = await autocannon({
      url: `http://127.0.0.1:${checkoutPort}`,
      connections,
      amount: orders,
      timeout: 30,
      requests: [
        {
          method: 'POST',
          path: `/v1/events/${eventId}/orders`,
          headers: { 'content-type': 'application/json' },
          body,
          setupRequest: (request) => {
            const token = tokens[next] ?? '';
            next += 1;
            return {
              ...request,
              headers: { ...request.headers, authorization: `Bearer ${token}` },
            };
          },
        },
      ],
    });
    const reservedAt = Date.now();
    process.stdout.write(
      `reserved: ${load['2xx']} x 202, ${load.non2xx} other, ${load.errors} errors, ${seconds(reservedAt - started)} (${Math.round(load.requests.average)} orders/s)\n`,
    );

    const keys = eventKeys(eventId);
    let persisted = 0;
    for (;;) {
      persisted = await store.ticketsPersisted(eventId);
      const pending = await redis.zcard(keys.outbox);
      if (persisted >= ticketsTotal && pending === 0) break;
      if (Date.now() - started > 15 * 60_000)
        throw new Error(`gave up: ${persisted} persisted, ${pending} pending`);
      await new Promise((r) => setTimeout(r, 1_000));
    }
    const doneAt = Date.now();

    const sold = Number(await redis.get(keys.sold));
    const audit = await store.auditEvent(eventId);
    const ok =
      sold === ticketsTotal &&
      audit.tickets === ticketsTotal &&
      audit.ticketsOrdered === ticketsTotal &&
      audit.distinctCodes === ticketsTotal &&
      audit.orders === orders;
    console.table([
      { figure: 'tickets sold (Redis)', value: sold },
      { figure: 'ticket rows (Postgres)', value: audit.tickets },
      { figure: 'sum(orders.quantity)', value: audit.ticketsOrdered },
      { figure: 'distinct ticket codes', value: audit.distinctCodes },
      { figure: 'orders', value: audit.orders },
      { figure: 'outbox pending', value: await redis.zcard(keys.outbox) },
    ]);
    process.stdout.write(
      `sold out ${ticketsTotal} tickets end to end in ${seconds(doneAt - started)} ` +
        `(reservation ${seconds(reservedAt - started)}, persistence caught up ${seconds(doneAt - reservedAt)} later); ` +
        `invariant ${ok ? 'holds' : 'BROKEN'}; under 5 minutes: ${doneAt - started < 300_000 ? 'yes' : 'NO'}\n`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    for (const service of services.reverse()) await service.stop();
    await store.close();
    redis.disconnect();
    const raw = createRedisClient({ url: redisUrl, name: 'e2e-cleanup' });
    let cursor = '0';
    do {
      const [nextCursor, found] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = nextCursor;
      if (found.length > 0) await raw.unlink(...found);
    } while (cursor !== '0');
    raw.disconnect();
    const client = new pg.Client({ connectionString: pgBase });
    await client.connect();
    await client.query(`drop database if exists "${dbName}" with (force)`);
    await client.end();
    await issuer.close();
    await emulator.stop();
  }
}

await main();
