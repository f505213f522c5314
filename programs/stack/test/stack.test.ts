import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, freePort, spawnService, test, testServices } from '@frequency/testing';
import {
  metricFamily,
  metricNamesUsedByDashboards,
  metricNamesUsedByRules,
} from '@frequency/grafana/metric-names';
import pg from 'pg';

/** Metric families a /metrics page declares (`# TYPE name kind`), labelled or not yet observed. */
async function exportedFamilies(port: number): Promise<Set<string>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  return new Set([...text.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1] ?? ''));
}

const entry = fileURLToPath(new URL('../src/main.ts', import.meta.url));

/**
 * One fan's whole sale against the running stack, over HTTP only: an event made through the ops API
 * reaches the ledger (Postgres `events`) through Pub/Sub; the fan joins, is admitted, orders, reads
 * the order confirmed through its receipt, and the confirmation e-mail with the ticket codes lands
 * in the mail sink.
 */
async function sellOneOrder(
  output: string,
  ports: { WAITING_ROOM_PORT: number; CHECKOUT_PORT: number },
  databaseUrl: string,
  inbox: string,
): Promise<void> {
  const opsToken = /OPS_TOKEN=(\S+)/.exec(output)?.[1] ?? '';
  const waitingRoom = `http://127.0.0.1:${ports.WAITING_ROOM_PORT}`;
  const checkout = `http://127.0.0.1:${ports.CHECKOUT_PORT}`;
  const json = { 'content-type': 'application/json' };
  const created = await fetch(`${waitingRoom}/v1/admin/events`, {
    method: 'POST',
    headers: { ...json, authorization: `Bearer ${opsToken}` },
    body: JSON.stringify({
      id: 'stack-encore',
      name: 'Encore',
      venue: 'St. Pölten, Austria',
      ticketsTotal: 50,
      maxPerOrder: 4,
      opensAt: new Date(Date.now() - 1_000).toISOString(),
      admissionRatePerSecond: 50,
      maxActiveCheckouts: 10,
    }),
  });
  expect(created.status).toBe(201);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const ledgerEvents = async () =>
      (
        await db.query<{ id: string; tickets_total: number }>(
          'select id, tickets_total from events order by id',
        )
      ).rows;
    await expect.poll(ledgerEvents, { timeout: 30_000, interval: 250 }).toEqual([
      { id: 'frequency-20xx', tickets_total: 1_000_000 },
      { id: 'stack-encore', tickets_total: 50 },
    ]);

    const joined = await fetch(`${waitingRoom}/v1/events/stack-encore/queue`, {
      method: 'POST',
    });
    expect(joined.status).toBe(201);
    const { queueToken } = (await joined.json()) as { queueToken: string };
    let admission = '';
    await expect
      .poll(
        async () => {
          const status = await fetch(`${waitingRoom}/v1/events/stack-encore/queue/me`, {
            headers: { authorization: `Bearer ${queueToken}` },
          });
          const body = (await status.json()) as { admission: { token: string } | null };
          admission = body.admission?.token ?? '';
          return admission !== '';
        },
        { timeout: 30_000, interval: 250 },
      )
      .toBe(true);
    const ordered = await fetch(`${checkout}/v1/events/stack-encore/orders`, {
      method: 'POST',
      headers: { ...json, authorization: `Bearer ${admission}` },
      body: JSON.stringify({ quantity: 2, buyer: { name: 'Ada Fan', email: 'ada@example.com' } }),
    });
    expect(ordered.status).toBe(202);
    const { orderId, receiptToken } = (await ordered.json()) as {
      orderId: string;
      receiptToken: string;
    };
    let codes: string[] = [];
    await expect
      .poll(
        async () => {
          const order = await fetch(`${checkout}/v1/orders/${orderId}`, {
            headers: { authorization: `Bearer ${receiptToken}` },
          });
          const view = (await order.json()) as { status: string; tickets: { code: string }[] };
          codes = view.tickets.map((t) => t.code);
          return view.status;
        },
        { timeout: 30_000, interval: 250 },
      )
      .toBe('confirmed');
    expect(codes).toHaveLength(2);
    const mails = async () =>
      (await (await fetch(`${inbox}/api/messages?to=ada@example.com`)).json()) as {
        text: string;
      }[];
    await expect.poll(async () => (await mails()).length, { timeout: 30_000 }).toBe(1);
    const [mail] = await mails();
    for (const code of codes) expect(mail?.text).toContain(code);
  } finally {
    await db.end();
  }
}

describe('the local stack command', () => {
  test('brings up every app ready, seeds the event, exports every metric the dashboards and alerts use, and stops on Ctrl-C', async ({
    redis,
    pubsub,
  }) => {
    const database = `stack_${randomBytes(4).toString('hex')}`;
    const dbUrl = new URL(testServices.postgresUrl());
    dbUrl.pathname = `/${database}`;
    const ports = {
      WAITING_ROOM_PORT: await freePort(),
      CHECKOUT_PORT: await freePort(),
      WORKER_PORT: await freePort(),
      WEB_PORT: await freePort(),
      MAIL_SMTP_PORT: await freePort(),
      MAIL_INBOX_PORT: await freePort(),
    };
    const stack = spawnService(entry, {
      ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
      REDIS_URL: redis.url,
      REDIS_KEY_PREFIX: redis.keyPrefix,
      DATABASE_URL: dbUrl.toString(),
      PUBSUB_EMULATOR_HOST: pubsub.emulatorHost,
      PUBSUB_TOPIC: `${pubsub.names.topic}-stack`,
      PUBSUB_SUBSCRIPTION: `${pubsub.names.subscription}-stack`,
      PUBSUB_DEAD_LETTER_TOPIC: `${pubsub.names.deadLetterTopic}-stack`,
      PUBSUB_CONFIRMATIONS_TOPIC: `${pubsub.names.topic}-confirmations-stack`,
      PUBSUB_CONFIRMATIONS_SUBSCRIPTION: `${pubsub.names.subscription}-mailer-stack`,
      PUBSUB_CONFIRMATIONS_DEAD_LETTER_TOPIC: `${pubsub.names.deadLetterTopic}-confirmations-stack`,
      PUBSUB_EVENTS_TOPIC: `${pubsub.names.topic}-events-stack`,
      PUBSUB_EVENTS_SUBSCRIPTION: `${pubsub.names.subscription}-events-stack`,
      OPENS_IN_SECONDS: '60',
    });
    try {
      await stack.waitForOutput(/Ctrl-C stops everything/, 150_000);
      const exported = new Set<string>();
      for (const port of [ports.WAITING_ROOM_PORT, ports.CHECKOUT_PORT, ports.WORKER_PORT]) {
        for (const family of await exportedFamilies(port)) exported.add(family);
      }
      const used = [...metricNamesUsedByDashboards(), ...metricNamesUsedByRules()].map(
        metricFamily,
      );
      expect(used.length).toBeGreaterThan(10);
      expect([...new Set(used)].filter((name) => !exported.has(name)).sort()).toEqual([]);
      // The mail sink it started answers with an empty inbox, and the worker mails through it.
      const inbox = `http://127.0.0.1:${ports.MAIL_INBOX_PORT}`;
      expect(stack.output()).toContain(
        `mail:         ${inbox}  (every confirmation e-mail lands here)`,
      );
      expect(await (await fetch(`${inbox}/api/messages`)).json()).toEqual([]);
      await stack.waitForOutput(
        new RegExp(
          `mailer sends confirmation e-mails through smtp://127\\.0\\.0\\.1:${ports.MAIL_SMTP_PORT}`,
        ),
        30_000,
      );
      await sellOneOrder(stack.output(), ports, dbUrl.toString(), inbox);
      stack.kill('SIGINT');
      const { code } = await stack.exited;
      const output = stack.output();
      expect(output, output).toContain('every service answers /readyz 200');
      expect(output).toMatch(/seeded Frequency Festival 20XX: 1,000,000 tickets/);
      expect(output).toMatch(/OPS_TOKEN=ops_/);
      expect(code).toBe(0);
      // It reused the running Redis, Postgres and emulator, so it stopped none of them.
      expect(output).not.toMatch(/stopped (redis|postgres|pubsub-emulator)/);
      expect(await redis.client.get('ev:{frequency-20xx}:stock')).toBe('1000000');
      for (const port of Object.values(ports)) {
        await expect(fetch(`http://127.0.0.1:${port}/healthz`)).rejects.toThrow();
      }
    } finally {
      stack.kill('SIGKILL');
      const admin = new pg.Client({ connectionString: testServices.postgresUrl() });
      await admin.connect();
      await admin.query(`drop database if exists "${database}" with (force)`);
      await admin.end();
    }
  }, 180_000);

  test('names the package to install when a service is down and its binary is missing', async () => {
    const stack = spawnService(entry, {
      REDIS_URL: `redis://127.0.0.1:${await freePort()}/0`,
      PATH: '/nonexistent',
    });
    const { code } = await stack.exited;
    expect(code).toBe(1);
    expect(stack.output()).toContain(
      'redis-server not found: install the Debian package redis-server',
    );
  }, 60_000);
});
