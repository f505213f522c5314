import { randomBytes, generateKeyPairSync } from 'node:crypto';
import { ensureTopology } from '@frequency/config/pubsub';
import { createRedisClient, type RedisClient } from '@frequency/config/redis';
import { parseEnv } from '@frequency/config';
import { eventKeys, type CreateEventBody } from '@frequency/contracts';
import { PostgresStore } from '@frequency/db';
import { createLogger, type HttpApp } from '@frequency/observability';
import { afterEach, describe, expect, test } from '@frequency/testing';
import { buildApp as buildWaitingRoom } from '@frequency/waiting-room';
import { envSchema as waitingRoomEnvSchema } from '@frequency/waiting-room/env';
import { reconcile } from '@frequency/worker/reconcile';
import {
  expectSoldOutAndConsistent,
  redisClusterVar,
  startCheckout,
  startWorkerInProcess,
  type SellOutResult,
  type Wiring,
} from '../src/harness.js';

/**
 * The whole system on a Redis Cluster of 3 primaries, as a festival with several big sales runs it:
 * fans join the waiting room, are admitted, order at checkout, and the worker persists, every
 * service on a Cluster client. Each event's keys live in one slot, so every script, MULTI and
 * pipeline of a sale runs on one primary; what spans events (the events index, the restorer's and
 * checkout's scans over events) goes one command per event.
 */

const OPS_TOKEN = 'ops-token-for-cluster-tests-0123456789';
const ops = { authorization: `Bearer ${OPS_TOKEN}` };

// Each test's services stop before the file's cluster does.
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});

function privateJwks(): string {
  const key = () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const jwk = privateKey.export({ format: 'jwk' });
    return { ...jwk, kid: randomBytes(8).toString('hex'), alg: 'ES256', use: 'sig' };
  };
  return JSON.stringify({ keys: [key(), key()] });
}

interface Sale {
  waitingRoom: HttpApp;
  checkout: HttpApp;
  redis: RedisClient;
  store: PostgresStore;
}

/** Worker, waiting room and checkout on the cluster, wired as the servers wire them. */
async function startSale(
  wiring: Wiring,
  pubsub: Parameters<typeof ensureTopology>[0],
): Promise<Sale> {
  // The worker's event-definition subscription exists before the waiting room publishes the first.
  const eventsTopic = `${wiring.names.topic}-events`;
  await ensureTopology(pubsub, { topic: eventsTopic, subscription: `${eventsTopic}-worker` });
  const worker = startWorkerInProcess(wiring);
  cleanups.push(() => worker.close());
  const env = parseEnv(waitingRoomEnvSchema, {
    REDIS_URL: wiring.redisUrl,
    ...redisClusterVar(wiring),
    REDIS_KEY_PREFIX: wiring.keyPrefix,
    OPS_TOKEN,
    QUEUE_TOKEN_SECRET: randomBytes(32).toString('hex'),
    ADMISSION_PRIVATE_JWKS: privateJwks(),
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    EVENT_REFRESH_MS: '50',
    ADMISSION_TICK_MS: '50',
    LEADER_LEASE_MS: '1000',
    JOIN_RATE_LIMIT_MAX: '0',
    PUBSUB_EMULATOR_HOST: wiring.emulatorHost,
    PUBSUB_PROJECT_ID: wiring.projectId,
    PUBSUB_EVENTS_TOPIC: eventsTopic,
  });
  const waitingRoom = await buildWaitingRoom({
    env,
    logger: createLogger({ service: 'waiting-room', level: env.LOG_LEVEL }),
  });
  cleanups.push(() => waitingRoom.close());
  const baseUrl = await waitingRoom.listen({ host: '127.0.0.1', port: 0 });
  const checkout = await startCheckout(wiring, { baseUrl });
  cleanups.push(() => checkout.close());
  const redis = createRedisClient({
    url: wiring.redisUrl,
    clusterNodes: wiring.redisClusterNodes,
    keyPrefix: wiring.keyPrefix,
    name: 'test',
  });
  cleanups.push(() => redis.quit());
  const store = PostgresStore.open(wiring.databaseUrl, 2);
  cleanups.push(() => store.close());
  return { waitingRoom, checkout, redis, store };
}

async function createEvent(sale: Sale, id: string, ticketsTotal: number): Promise<void> {
  const body: CreateEventBody = {
    id,
    name: `Cluster sale ${id}`,
    venue: 'St. Pölten, Austria',
    ticketsTotal,
    maxPerOrder: 4,
    opensAt: new Date(Date.now() - 1_000).toISOString(),
    admissionRatePerSecond: 2_000,
    maxActiveCheckouts: 2_000,
  };
  const created = await sale.waitingRoom.inject({
    method: 'POST',
    url: '/v1/admin/events',
    headers: ops,
    payload: body,
  });
  expect(created.statusCode, created.body).toBe(201);
  // Checkout learns events from the index; fans come once it answers for this one.
  await expect
    .poll(
      async () =>
        (await sale.checkout.inject(`/v1/events/${id}/availability`)).json<{
          ticketsRemaining?: number;
        }>().ticketsRemaining,
      { timeout: 10_000, interval: 50 },
    )
    .toBe(ticketsTotal);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `fans` fans, all at once, each from an address of its own: joins the line, polls until admitted
 * (or the line is sold out), then orders 1..4 tickets with its admission. The answers of the
 * orders, as the harness's checks read them.
 */
async function sellThroughWaitingRoom(
  sale: Sale,
  eventId: string,
  fans: number,
  addressBase: number,
): Promise<SellOutResult & { admitted: number; soldOutInLine: number }> {
  const result = {
    accepted: [],
    rejected: {},
    rejectedCodes: {},
    retried: 0,
    admitted: 0,
    soldOutInLine: 0,
  } as SellOutResult & { admitted: number; soldOutInLine: number };
  const deadline = Date.now() + 60_000;
  await Promise.all(
    Array.from({ length: fans }, async (_, index) => {
      const remoteAddress = `10.${addressBase}.${Math.floor(index / 250)}.${index % 250}`;
      const joined = await sale.waitingRoom.inject({
        method: 'POST',
        url: `/v1/events/${eventId}/queue`,
        remoteAddress,
      });
      if (joined.statusCode === 409) {
        result.soldOutInLine += 1;
        return;
      }
      expect(joined.statusCode, joined.body).toBe(201);
      const { queueToken } = joined.json<{ queueToken: string }>();
      let admission: string | undefined;
      while (admission === undefined) {
        if (Date.now() > deadline) throw new Error(`fan ${index} of ${eventId} never admitted`);
        const status = await sale.waitingRoom.inject({
          url: `/v1/events/${eventId}/queue/me`,
          headers: { authorization: `Bearer ${queueToken}` },
          remoteAddress,
        });
        expect(status.statusCode, status.body).toBe(200);
        const body = status.json<{
          state: string;
          pollAfterMs: number;
          admission: { token: string } | null;
        }>();
        if (body.state === 'sold_out') {
          result.soldOutInLine += 1;
          return;
        }
        if (body.admission) admission = body.admission.token;
        else await sleep(Math.max(body.pollAfterMs, 200));
      }
      result.admitted += 1;
      const quantity = 1 + Math.floor(Math.random() * 4);
      const order = () =>
        sale.checkout.inject({
          method: 'POST',
          url: `/v1/events/${eventId}/orders`,
          headers: { authorization: `Bearer ${admission}` },
          payload: { quantity, buyer: { name: `Fan ${index}`, email: `fan${index}@example.com` } },
          remoteAddress,
        });
      // 503: nothing was reserved (the intent could not be published); the contract lets the fan
      // retry with the same admission.
      let response = await order();
      for (let retry = 0; response.statusCode === 503 && retry < 30; retry += 1) {
        result.retried += 1;
        await sleep(1_000 * Number(response.headers['retry-after'] ?? 1));
        response = await order();
      }
      if (response.statusCode === 202) {
        const body = response.json<{ orderId: string; quantity: number }>();
        result.accepted.push({ orderId: body.orderId, quantity: body.quantity, token: admission });
      } else {
        result.rejected[response.statusCode] = (result.rejected[response.statusCode] ?? 0) + 1;
        const code = response.json<{ error: { code: string } }>().error.code;
        result.rejectedCodes[code] = (result.rejectedCodes[code] ?? 0) + 1;
      }
    }),
  );
  return result;
}

/** The primary (host:port) that serves an event's keys, from CLUSTER KEYSLOT and CLUSTER SLOTS. */
async function primaryOf(redis: RedisClient, keyPrefix: string, eventId: string): Promise<string> {
  const slot = await redis.cluster('KEYSLOT', `${keyPrefix}${eventKeys(eventId).config}`);
  const ranges = await redis.cluster('SLOTS');
  const primary = ranges.find(([start, end]) => slot >= start && slot <= end)?.[2];
  if (!primary) throw new Error(`no primary serves slot ${slot}`);
  return `${primary[0]}:${primary[1]}`;
}

describe('the system on a Redis Cluster of 3 primaries', () => {
  test(
    'a sell-out: fans join, are admitted, order; Redis sold = ticket rows = sum of quantities',
    { timeout: 120_000 },
    async ({ database, pubsub, redisCluster }) => {
      const wiring: Wiring = {
        redisUrl: 'redis://127.0.0.1:1/0',
        redisClusterNodes: redisCluster.nodes,
        keyPrefix: `t${randomBytes(4).toString('hex')}:`,
        databaseUrl: database.url,
        emulatorHost: pubsub.emulatorHost,
        projectId: pubsub.projectId,
        names: pubsub.names,
      };
      const sale = await startSale(wiring, pubsub.pubsub);
      const eventId = `cl-${randomBytes(4).toString('hex')}`;
      await createEvent(sale, eventId, 300);
      const result = await sellThroughWaitingRoom(sale, eventId, 200, 1);
      expect(result.admitted).toBeGreaterThan(0);
      await expectSoldOutAndConsistent({
        app: sale.checkout,
        redis: sale.redis,
        store: sale.store,
        eventId,
        ticketsTotal: 300,
        result,
      });
      const [row] = (await reconcile(sale.redis, sale.store)).filter((r) => r.eventId === eventId);
      expect(row).toMatchObject({ soldInRedis: 300, persisted: 300, oversold: 0 });
    },
  );

  test(
    'several events at once on different primaries, each sold out with its invariants',
    { timeout: 120_000 },
    async ({ database, pubsub, redisCluster }) => {
      const keyPrefix = `t${randomBytes(4).toString('hex')}:`;
      const wiring: Wiring = {
        redisUrl: 'redis://127.0.0.1:1/0',
        redisClusterNodes: redisCluster.nodes,
        keyPrefix,
        databaseUrl: database.url,
        emulatorHost: pubsub.emulatorHost,
        projectId: pubsub.projectId,
        names: pubsub.names,
      };
      const sale = await startSale(wiring, pubsub.pubsub);
      // One event per primary: ids drawn until each of the 3 serves one (the slot is the id's hash).
      const byPrimary = new Map<string, string>();
      while (byPrimary.size < 3) {
        const id = `cl-${randomBytes(4).toString('hex')}`;
        const primary = await primaryOf(sale.redis, keyPrefix, id);
        if (!byPrimary.has(primary)) byPrimary.set(primary, id);
      }
      expect(new Set(byPrimary.keys())).toEqual(new Set(redisCluster.nodes));
      const events = [...byPrimary.values()];
      const ticketsTotal = 120;
      for (const id of events) await createEvent(sale, id, ticketsTotal);
      const results = await Promise.all(
        events.map((id, index) => sellThroughWaitingRoom(sale, id, 80, 10 + index)),
      );
      for (const [index, id] of events.entries()) {
        const result = results[index];
        if (!result) throw new Error(`no result for ${id}`);
        expect(result.admitted).toBeGreaterThan(0);
        await expectSoldOutAndConsistent({
          app: sale.checkout,
          redis: sale.redis,
          store: sale.store,
          eventId: id,
          ticketsTotal,
          result,
        });
      }
      const rows = (await reconcile(sale.redis, sale.store)).filter((r) =>
        events.includes(r.eventId),
      );
      expect(rows).toHaveLength(events.length);
      for (const row of rows)
        expect(row).toMatchObject({
          soldInRedis: ticketsTotal,
          persisted: ticketsTotal,
          oversold: 0,
        });
    },
  );
});
