import { reportBench } from '@frequency/bench';
import {
  newId,
  newTicketCode,
  type EventDefinition,
  type PurchaseIntent,
} from '@frequency/contracts';
import { ensureDatabase, PostgresStore, runMigrations } from '@frequency/db';
import pg from 'pg';

/**
 * The worker's persist stage (PostgresStore.persist: unnest through drizzle's sql, one statement per
 * batch) against a raw `pg` batched insert of the same rows (BEGIN; unnest insert of the orders;
 * unnest insert of the tickets; COMMIT) with the same batch size, each into fresh tables (a fresh
 * database per run), alternating, best of N. Figures are rows per second (orders + tickets).
 *
 *   pnpm --filter @frequency/worker bench
 */
const orderCount = Number(process.env.BENCH_ORDERS ?? 60_000);
const batchSize = Number(process.env.BENCH_BATCH ?? 500);
const rounds = Number(process.env.BENCH_ROUNDS ?? 3);
const baseUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

function makeIntents(n: number): PurchaseIntent[] {
  return Array.from({ length: n }, (_, i) => {
    const quantity = 1 + (i % 4);
    return {
      v: 1,
      orderId: newId('order'),
      eventId: 'bench',
      admissionId: newId('admission'),
      entryId: newId('queueEntry'),
      quantity,
      buyer: { name: `Fan ${i}`, email: `fan${i}@example.com` },
      tickets: Array.from({ length: quantity }, () => ({
        id: newId('ticket'),
        code: newTicketCode(),
      })),
      reservedAt: new Date().toISOString(),
    };
  });
}

async function freshDatabase(tag: string): Promise<{ url: string; drop: () => Promise<void> }> {
  const url = new URL(baseUrl);
  const name = `bench_${tag}_${Date.now().toString(36)}`;
  url.pathname = `/${name}`;
  await ensureDatabase(url.toString());
  await runMigrations(url.toString());
  return {
    url: url.toString(),
    drop: async () => {
      const admin = new pg.Client({ connectionString: baseUrl });
      await admin.connect();
      await admin.query(`drop database if exists "${name}" with (force)`);
      await admin.end();
    },
  };
}

/** The bare baseline: what a hand-written pg batch insert of the same rows costs. */
async function rawPersist(client: pg.ClientBase, batch: readonly PurchaseIntent[]): Promise<void> {
  const o = {
    id: [] as string[],
    ev: [] as string[],
    adm: [] as string[],
    ent: [] as string[],
    q: [] as number[],
    bn: [] as string[],
    be: [] as string[],
    at: [] as string[],
  };
  const t = {
    id: [] as string[],
    ord: [] as string[],
    ev: [] as string[],
    n: [] as number[],
    code: [] as string[],
  };
  for (const i of batch) {
    o.id.push(i.orderId);
    o.ev.push(i.eventId);
    o.adm.push(i.admissionId);
    o.ent.push(i.entryId);
    o.q.push(i.quantity);
    o.bn.push(i.buyer.name);
    o.be.push(i.buyer.email);
    o.at.push(i.reservedAt);
    i.tickets.forEach((ticket, n) => {
      t.id.push(ticket.id);
      t.ord.push(i.orderId);
      t.ev.push(i.eventId);
      t.n.push(n);
      t.code.push(ticket.code);
    });
  }
  await client.query('begin');
  await client.query(
    `insert into orders (id, event_id, admission_id, entry_id, quantity, buyer_name, buyer_email, status, reserved_at)
     select id, event_id, admission_id, entry_id, quantity, buyer_name, buyer_email, 'confirmed', reserved_at
     from unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::smallint[], $6::text[], $7::text[], $8::timestamptz[])
       as u(id, event_id, admission_id, entry_id, quantity, buyer_name, buyer_email, reserved_at)`,
    [o.id, o.ev, o.adm, o.ent, o.q, o.bn, o.be, o.at],
  );
  await client.query(
    `insert into tickets (id, order_id, event_id, ordinal, code)
     select * from unnest($1::text[], $2::text[], $3::text[], $4::smallint[], $5::text[])`,
    [t.id, t.ord, t.ev, t.n, t.code],
  );
  await client.query('commit');
}

function batches(intents: PurchaseIntent[]): PurchaseIntent[][] {
  const out: PurchaseIntent[][] = [];
  for (let i = 0; i < intents.length; i += batchSize) out.push(intents.slice(i, i + batchSize));
  return out;
}

async function runRaw(intents: PurchaseIntent[], rows: number): Promise<number> {
  const db = await freshDatabase('raw');
  const client = new pg.Client({ connectionString: db.url });
  await client.connect();
  try {
    const started = performance.now();
    for (const batch of batches(intents)) await rawPersist(client, batch);
    return rows / ((performance.now() - started) / 1000);
  } finally {
    await client.end();
    await db.drop();
  }
}

function benchEventDefinition(intents: readonly PurchaseIntent[]): EventDefinition {
  return {
    v: 1,
    event: {
      id: 'bench',
      name: 'Bench',
      venue: 'Bench',
      ticketsTotal: intents.reduce((sum, i) => sum + i.quantity, 0),
      maxPerOrder: 4,
      opensAt: new Date().toISOString(),
      admissionRatePerSecond: 1_000,
      maxActiveCheckouts: 20_000,
      paused: false,
      joinChallengeBits: 0,
      maxPerBuyer: 4,
      checkoutWindowSeconds: 300,
    },
    version: 1,
    shuffle: null,
    changedAt: new Date().toISOString(),
  };
}

async function runStore(intents: PurchaseIntent[], rows: number): Promise<number> {
  const db = await freshDatabase('store');
  const store = PostgresStore.open(db.url, 1);
  try {
    // The store persists only for events its ledger knows (it checks each order against the
    // event's total), so the bench event is defined first, outside the timed part.
    await store.upsertEvent(benchEventDefinition(intents));
    const started = performance.now();
    for (const batch of batches(intents)) await store.persist(batch);
    return rows / ((performance.now() - started) / 1000);
  } finally {
    await store.close();
    await db.drop();
  }
}

const intents = makeIntents(orderCount);
const rows = intents.reduce((sum, i) => sum + 1 + i.quantity, 0);
process.stdout.write(
  `${orderCount} orders, ${rows} rows, batches of ${batchSize} orders, best of ${rounds}\n`,
);
const raw: number[] = [];
const store: number[] = [];
for (let round = 0; round < rounds; round += 1) {
  raw.push(await runRaw(intents, rows));
  store.push(await runStore(intents, rows));
}
const bestRaw = Math.max(...raw);
const bestStore = Math.max(...store);
console.table([
  { what: 'raw pg batched insert (baseline)', 'rows/s': Math.round(bestRaw), ratio: '100%' },
  {
    what: 'PostgresStore.persist (worker)',
    'rows/s': Math.round(bestStore),
    ratio: `${((100 * bestStore) / bestRaw).toFixed(1)}%`,
  },
]);
reportBench({
  name: 'worker persist (PostgresStore.persist)',
  value: Math.round(bestStore),
  unit: 'rows/s',
  baseline: Math.round(bestRaw),
  baselineName: 'raw pg batched insert',
  target: '>= 60% of baseline',
});
process.stdout.write(
  `target >= 60% of baseline: ${bestStore >= 0.6 * bestRaw ? 'met' : 'NOT met'}\n`,
);
