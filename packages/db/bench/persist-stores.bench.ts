/**
 * `pnpm --filter @frequency/db bench:stores`: the worker's persist stage, Postgres store beside the
 * Spanner store on the emulator, with the same purchase intents and the same batch sizes in one run.
 * Each figure is printed beside a bare baseline measured in the same run on the same database:
 * - Postgres bare: the same rows through two plain `insert … select from unnest` in one transaction
 *   (no ON CONFLICT, no RETURNING, no inventory: what the idempotency and the cap cost);
 * - Spanner bare: the same rows as blind `insert` mutations in one commit (no read of existing keys,
 *   no inventory row).
 * Stages: new orders that fit (the common path), a full replay (every order already stored), and a
 * sold-out event (ticketsTotal 1: every batch allocates order by order and stores rejected rows;
 * on Postgres the statement the CHECK refuses plus the locking transaction).
 * The emulator is a single-process, in-memory functional fake: it serializes transactions and has
 * none of Spanner's replication, TrueTime commit wait or splits. Its figures say nothing about
 * Spanner's throughput or latency; compare ratios within one run, not absolute numbers.
 *
 * Env: BENCH_ORDERS (default 4000), BENCH_BATCH_SIZES (default "100,500"), BENCH_CONCURRENCY (1),
 * SPANNER_EMULATOR_HOST (default 127.0.0.1:9010; started and stopped here if nothing answers),
 * BENCH_DATABASE_URL (Postgres server, default postgres://postgres@127.0.0.1:5432/postgres).
 */
import { randomBytes } from 'node:crypto';
import { newId, newTicketCode, type PurchaseIntent } from '@frequency/contracts';
import { Spanner } from '@google-cloud/spanner';
import pg from 'pg';
import { ensureDatabase, runMigrations } from '../src/migrate.js';
import { PostgresStore } from '../src/postgres-store.js';
import {
  applySpannerSchema,
  createSpannerClient,
  dropSpannerDatabase,
  type SpannerLocation,
} from '../src/spanner-admin.js';
import {
  portAnswers,
  startSpannerEmulator,
  type StartedSpannerEmulator,
} from '../src/spanner-emulator.js';
import { SpannerStore, toSpannerTimestamp } from '../src/spanner-store.js';
import type { OrderStore } from '../src/store.js';

process.env.METADATA_SERVER_DETECTION ??= 'none';

const orderCount = Number(process.env.BENCH_ORDERS ?? 4000);
const batchSizes = (process.env.BENCH_BATCH_SIZES ?? '100,500').split(',').map(Number);
const concurrency = Number(process.env.BENCH_CONCURRENCY ?? 1);
const postgresServer =
  process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const emulatorHost = process.env.SPANNER_EMULATOR_HOST ?? '127.0.0.1:9010';

const uniqueName = () => `bench_${Date.now().toString(36)}_${randomBytes(3).toString('hex')}`;

function makeIntents(count: number, eventId: string, ticketsTotal = 100_000_000): PurchaseIntent[] {
  return Array.from({ length: count }, (_, i) => {
    const quantity = 1 + (i % 4);
    return {
      v: 1,
      orderId: newId('order'),
      eventId,
      admissionId: newId('admission'),
      entryId: newId('queueEntry'),
      quantity,
      buyer: { name: 'Bench Buyer', email: 'bench@example.com' },
      tickets: Array.from({ length: quantity }, () => ({
        id: newId('ticket'),
        code: newTicketCode(),
      })),
      reservedAt: new Date().toISOString(),
      ticketsTotal,
    };
  });
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

interface Figure {
  ordersPerSecond: number;
  rowsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

/** Runs every batch through `write`, `concurrency` at a time, and measures throughput and latency. */
async function measure(
  batches: PurchaseIntent[][],
  write: (batch: PurchaseIntent[]) => Promise<unknown>,
): Promise<Figure> {
  const latencies: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches.length) {
        const batch = batches[next];
        next += 1;
        if (!batch) break;
        const t0 = process.hrtime.bigint();
        await write(batch);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const orders = batches.reduce((sum, b) => sum + b.length, 0);
  const rows = batches.reduce(
    (sum, b) => sum + b.length + b.reduce((s, i) => s + i.quantity, 0),
    0,
  );
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    ordersPerSecond: orders / seconds,
    rowsPerSecond: rows / seconds,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
  };
}

/** The bare Postgres write of the same rows: what the store adds on top is ON CONFLICT + RETURNING. */
async function barePostgresInsert(pool: pg.Pool, batch: PurchaseIntent[]): Promise<void> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query(
      `insert into orders (id, event_id, admission_id, entry_id, quantity, buyer_name, buyer_email, status, reserved_at)
       select id, event_id, admission_id, entry_id, quantity, buyer_name, buyer_email, 'confirmed', reserved_at
       from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::smallint[], $6::text[], $7::text[], $8::timestamptz[])
         as u(id, event_id, admission_id, entry_id, quantity, buyer_name, buyer_email, reserved_at)`,
      [
        batch.map((i) => i.orderId),
        batch.map((i) => i.eventId),
        batch.map((i) => i.admissionId),
        batch.map((i) => i.entryId),
        batch.map((i) => i.quantity),
        batch.map((i) => i.buyer.name),
        batch.map((i) => i.buyer.email),
        batch.map((i) => i.reservedAt),
      ],
    );
    const tickets = batch.flatMap((i) =>
      i.tickets.map((t, ordinal) => ({ ...t, orderId: i.orderId, eventId: i.eventId, ordinal })),
    );
    await client.query(
      `insert into tickets (id, order_id, event_id, ordinal, code)
       select * from unnest($1::text[], $2::text[], $3::text[], $4::smallint[], $5::text[])`,
      [
        tickets.map((t) => t.id),
        tickets.map((t) => t.orderId),
        tickets.map((t) => t.eventId),
        tickets.map((t) => t.ordinal),
        tickets.map((t) => t.code),
      ],
    );
    await client.query('commit');
  } catch (err) {
    await client.query('rollback');
    throw err;
  } finally {
    client.release();
  }
}

/** The bare Spanner write of the same rows: blind insert mutations in one commit, no read. */
async function bareSpannerInsert(
  spanner: Spanner,
  location: SpannerLocation,
  batch: PurchaseIntent[],
): Promise<void> {
  const database = spanner.instance(location.instance).database(location.database);
  await database.runTransactionAsync(async (tx) => {
    tx.insert(
      'orders',
      batch.map((i) => ({
        id: i.orderId,
        event_id: i.eventId,
        admission_id: i.admissionId,
        entry_id: i.entryId,
        quantity: i.quantity,
        buyer_name: i.buyer.name,
        buyer_email: i.buyer.email,
        status: 'confirmed',
        reserved_at: toSpannerTimestamp(i.reservedAt),
        persisted_at: Spanner.COMMIT_TIMESTAMP,
      })),
    );
    tx.insert(
      'tickets',
      batch.flatMap((i) =>
        i.tickets.map((t, ordinal) => ({
          order_id: i.orderId,
          ordinal,
          id: t.id,
          event_id: i.eventId,
          code: t.code,
        })),
      ),
    );
    await tx.commit();
  });
}

interface Row {
  store: string;
  batch: number;
  stage: string;
  figure: Figure;
  bare: Figure;
}

const format = (n: number, digits = 0) =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  let emulator: StartedSpannerEmulator | undefined;
  const host = emulatorHost.slice(0, emulatorHost.lastIndexOf(':'));
  const port = emulatorHost.slice(emulatorHost.lastIndexOf(':') + 1);
  if (!(await portAnswers(host, Number(port))))
    emulator = await startSpannerEmulator({ host, grpcPort: Number(port) });

  const pgName = uniqueName();
  const pgUrl = new URL(postgresServer);
  pgUrl.pathname = `/${pgName}`;
  await ensureDatabase(pgUrl.toString());
  await runMigrations(pgUrl.toString());
  const postgres = PostgresStore.open(pgUrl.toString(), 10);

  const location: SpannerLocation = {
    projectId: 'frequency-bench',
    instance: 'frequency-bench',
    database: uniqueName(),
    emulatorHost,
  };
  await applySpannerSchema(location);
  const spannerStore = SpannerStore.open(location);
  const spannerBare = createSpannerClient(location);

  const rows: Row[] = [];
  try {
    // Warm-up: connections, sessions, prepared plans.
    const warm = makeIntents(50, 'ev-warm');
    await postgres.persist(warm);
    await spannerStore.persist(warm);
    await barePostgresInsert(postgres.database.pool, makeIntents(50, 'ev-warm'));
    await bareSpannerInsert(spannerBare, location, makeIntents(50, 'ev-warm'));

    for (const size of batchSizes) {
      // The same intents for both stores; a second, equal-shaped set for the bare baselines.
      const eventId = `ev-bench-${size}`;
      const batches = chunk(makeIntents(orderCount, eventId), size);
      const bareBatches = chunk(makeIntents(orderCount, `${eventId}-bare`), size);
      const stores: [string, OrderStore, (b: PurchaseIntent[]) => Promise<void>][] = [
        ['postgres', postgres, (b) => barePostgresInsert(postgres.database.pool, b)],
        ['spanner (emulator)', spannerStore, (b) => bareSpannerInsert(spannerBare, location, b)],
      ];
      for (const [name, store, bare] of stores) {
        const figure = await measure(batches, (b) => store.persist(b));
        const bareFigure = await measure(bareBatches, bare);
        rows.push({ store: name, batch: size, stage: 'insert new', figure, bare: bareFigure });
        // A full replay: only the read of existing keys, nothing written.
        const replay = await measure(batches, (b) => store.persist(b));
        rows.push({
          store: name,
          batch: size,
          stage: 'replay (all duplicates)',
          figure: replay,
          bare: bareFigure,
        });
        const persisted = await store.ticketsPersisted(eventId);
        const expected = batches.flat().reduce((s, i) => s + i.quantity, 0);
        if (persisted !== expected)
          throw new Error(`${name}: ${persisted} tickets persisted, ${expected} expected`);
        // Sold out: one ticket on sale, so every batch takes the allocating path.
        const soldOutEvent = `${eventId}-sold-out-${name.slice(0, 2)}`;
        const soldOut = chunk(makeIntents(orderCount, soldOutEvent, 1), size);
        const soldOutFigure = await measure(soldOut, async (b) => {
          const result = await store.persist(b);
          if (result.outcomes.some((o) => o.status === 'conflict'))
            throw new Error(`${name}: a conflict in the sold-out stage`);
        });
        rows.push({
          store: name,
          batch: size,
          stage: 'sold out (allocating)',
          figure: soldOutFigure,
          bare: bareFigure,
        });
        const audit = await store.auditEvent(soldOutEvent);
        if (audit.ledgerSold !== 1 || audit.tickets !== 1 || audit.rejected !== orderCount - 1)
          throw new Error(`${name}: sold-out stage audit ${JSON.stringify(audit)}`);
      }
    }
  } finally {
    await postgres.close();
    await spannerStore.close();
    await spannerBare.close();
    await dropSpannerDatabase(location).catch(() => undefined);
    const admin = new pg.Client({ connectionString: postgresServer });
    await admin.connect();
    await admin.query(`drop database if exists "${pgName}" with (force)`);
    await admin.end();
    await emulator?.stop();
  }

  const out: string[] = [];
  out.push(
    `persist stage: ${format(orderCount)} orders (1-4 tickets each) per batch size, concurrency ${concurrency}`,
  );
  out.push(
    '| store | batch | stage | orders/s | rows/s | p50 ms | p99 ms | bare orders/s | store / bare |',
  );
  out.push('| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of rows) {
    out.push(
      `| ${r.store} | ${r.batch} | ${r.stage} | ${format(r.figure.ordersPerSecond)} | ${format(r.figure.rowsPerSecond)} | ${format(r.figure.p50Ms, 1)} | ${format(r.figure.p99Ms, 1)} | ${format(r.bare.ordersPerSecond)} | ${format(r.figure.ordersPerSecond / r.bare.ordersPerSecond, 2)} |`,
    );
  }
  for (const size of batchSizes) {
    const pgRow = rows.find(
      (r) => r.batch === size && r.store === 'postgres' && r.stage === 'insert new',
    );
    const spRow = rows.find(
      (r) => r.batch === size && r.store !== 'postgres' && r.stage === 'insert new',
    );
    if (pgRow && spRow) {
      out.push(
        `batch ${size}: spanner emulator / postgres = ${format(spRow.figure.ordersPerSecond / pgRow.figure.ordersPerSecond, 2)}`,
      );
    }
  }
  out.push(
    'The Spanner emulator is a functional fake (one process, in memory, transactions serialized, no',
  );
  out.push(
    'replication, no commit wait, no splits): these figures are not a performance model of Spanner.',
  );
  process.stdout.write(`${out.join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
