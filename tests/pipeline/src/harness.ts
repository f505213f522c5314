import { buildApp as buildCheckout } from '@frequency/checkout';
import { envSchema as checkoutEnvSchema } from '@frequency/checkout/env';
import { parseEnv } from '@frequency/config';
import type { RedisClient } from '@frequency/config/redis';
import { eventKeys, type OrderView } from '@frequency/contracts';
import type { OrderStore } from '@frequency/db';
import { createLogger, type HttpApp } from '@frequency/observability';
import { admit, expect, type TestAdmissionIssuer } from '@frequency/testing';
import { redisClusterVar, type Wiring } from '@frequency/worker/testing';

export {
  redisClusterVar,
  spawnWorker,
  startWorkerInProcess,
  wiringOf,
  workerEnvVars,
  type Wiring,
  type WorkerProcess,
} from '@frequency/worker/testing';

/** Checkout built as its server builds it, on the same wiring; a short relay cadence for tests. */
export async function startCheckout(
  wiring: Wiring,
  /** Where checkout reads the admission keys: a test issuer, or a real waiting room. */
  issuer: Pick<TestAdmissionIssuer, 'baseUrl'>,
  extra: Record<string, string> = {},
): Promise<HttpApp> {
  const env = parseEnv(checkoutEnvSchema, {
    REDIS_URL: wiring.redisUrl,
    ...redisClusterVar(wiring),
    REDIS_KEY_PREFIX: wiring.keyPrefix,
    PUBSUB_PROJECT_ID: wiring.projectId,
    PUBSUB_EMULATOR_HOST: wiring.emulatorHost,
    PUBSUB_TOPIC: wiring.names.topic,
    PUBSUB_SUBSCRIPTION: wiring.names.subscription,
    PUBSUB_DEAD_LETTER_TOPIC: wiring.names.deadLetterTopic,
    WAITING_ROOM_URL: issuer.baseUrl,
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
    OUTBOX_RELAY_INTERVAL_MS: '500',
    OUTBOX_REPUBLISH_AFTER_MS: '5000',
    PUBLISH_TIMEOUT_MS: '2000',
    // sellOut sends thousands of first orders in the same instant, which no admission rate does;
    // room for all of them, so the test sees every answer the sale gives instead of 503s.
    SIGNATURE_QUEUE_MAX: '20000',
    ...extra,
  });
  const app = await buildCheckout({
    env,
    logger: createLogger({ service: 'checkout', level: env.LOG_LEVEL }),
  });
  await app.ready();
  return app;
}

export interface Purchase {
  orderId: string;
  quantity: number;
  token: string;
}

export interface SellOutResult {
  accepted: Purchase[];
  /** Status code -> count of every answer that was not 202. */
  rejected: Record<number, number>;
  rejectedCodes: Record<string, number>;
  /** 503 answers that were retried with the same admission. */
  retried: number;
}

/**
 * `buyers` fans, all at once, each with its own admission and a random quantity 1..4, ordering
 * through checkout's HTTP API. `during(done)` runs alongside, called with the count of answers so
 * far, to kill or restart things mid-run.
 */
export async function sellOut(options: {
  app: HttpApp;
  issuer: TestAdmissionIssuer;
  /** The test's client (with its key prefix): the admissions are made live there, in one go. */
  redis: RedisClient;
  eventId: string;
  buyers: number;
  onProgress?: (answered: number) => void;
}): Promise<SellOutResult> {
  const { app, issuer, eventId } = options;
  const admissions = await Promise.all(
    Array.from({ length: options.buyers }, () => issuer.mint({ eventId, admitIn: null })),
  );
  await admit(
    options.redis,
    admissions.map((a) => a.claims),
  );
  const result: SellOutResult = { accepted: [], rejected: {}, rejectedCodes: {}, retried: 0 };
  let answered = 0;
  await Promise.all(
    admissions.map(async ({ token }, index) => {
      const quantity = 1 + Math.floor(Math.random() * 4);
      const order = () =>
        app.inject({
          method: 'POST',
          url: `/v1/events/${eventId}/orders`,
          headers: { authorization: `Bearer ${token}` },
          payload: { quantity, buyer: { name: `Fan ${index}`, email: `fan${index}@example.com` } },
          // Each fan from an address of its own, as checkout shares its signature queue by address.
          remoteAddress: `10.0.${Math.floor(index / 250)}.${index % 250}`,
        });
      // A 503 (the intent could not be published, nothing was reserved) is retried with the same
      // admission after its Retry-After, as the contract allows and as the fan's page does.
      let response = await order();
      for (let retry = 0; response.statusCode === 503 && retry < 60; retry += 1) {
        result.retried += 1;
        await new Promise((resolve) =>
          setTimeout(resolve, 1_000 * Number(response.headers['retry-after'] ?? 1)),
        );
        response = await order();
      }
      answered += 1;
      options.onProgress?.(answered);
      if (response.statusCode === 202) {
        const body = response.json<{ orderId: string; quantity: number }>();
        result.accepted.push({ orderId: body.orderId, quantity: body.quantity, token });
      } else {
        result.rejected[response.statusCode] = (result.rejected[response.statusCode] ?? 0) + 1;
        const code = response.json<{ error: { code: string } }>().error.code;
        result.rejectedCodes[code] = (result.rejectedCodes[code] ?? 0) + 1;
      }
    }),
  );
  return result;
}

/**
 * The invariant once the pipeline is idle: every 202 ends confirmed with its tickets or rejected
 * SOLD_OUT by the ledger, tickets in the ledger = tickets sold in Redis = sum of the confirmed
 * quantities = ticketsTotal, no code twice, the outbox empty, and every other attempt was a 409.
 */
export async function expectSoldOutAndConsistent(options: {
  app: HttpApp;
  redis: RedisClient;
  store: OrderStore;
  eventId: string;
  ticketsTotal: number;
  result: SellOutResult;
  timeoutMs?: number;
}): Promise<void> {
  const { app, redis, store, eventId, ticketsTotal, result } = options;
  const keys = eventKeys(eventId);
  expect(Object.keys(result.rejected)).toEqual(['409']);
  expect(
    Object.keys(result.rejectedCodes).every(
      (c) => c === 'SOLD_OUT' || c === 'INSUFFICIENT_TICKETS',
    ),
  ).toBe(true);
  // A publish that missed its deadline withdrew its order and answered 503, yet may have reached
  // the broker: the worker then confirms that order, and Redis may have sold its returned tickets
  // again meanwhile. The ledger's cap refuses what does not fit (SOLD_OUT), so 202s can add up to
  // more than ticketsTotal; every one of them still ends confirmed or rejected, and what is
  // confirmed is exactly ticketsTotal.
  const soldByAnswers = result.accepted.reduce((sum, p) => sum + p.quantity, 0);
  expect(soldByAnswers).toBeGreaterThanOrEqual(ticketsTotal);

  const timeout = options.timeoutMs ?? 60_000;
  await expect
    .poll(async () => (await store.auditEvent(eventId)).tickets, { timeout, interval: 250 })
    .toBe(ticketsTotal);
  await expect.poll(() => redis.zcard(keys.outbox), { timeout: 30_000, interval: 250 }).toBe(0);

  // Read back in slices: thousands of reads at once would only measure this machine's event loop.
  const read = async () => {
    const views: { purchase: Purchase; status: number; view: OrderView }[] = [];
    for (let i = 0; i < result.accepted.length; i += 100) {
      const slice = await Promise.all(
        result.accepted.slice(i, i + 100).map(async (purchase) => {
          const response = await app.inject({
            url: `/v1/orders/${purchase.orderId}`,
            headers: { authorization: `Bearer ${purchase.token}` },
          });
          return { purchase, status: response.statusCode, view: response.json<OrderView>() };
        }),
      );
      views.push(...slice);
    }
    return views;
  };
  let views = await read();
  await expect
    .poll(
      async () => {
        views = await read();
        return views.filter(({ view }) => view.status === 'pending').length;
      },
      { timeout, interval: 500 },
    )
    .toBe(0);
  const codes = new Set<string>();
  const ids = new Set<string>();
  let confirmed = 0;
  let rejected = 0;
  for (const { purchase, status, view } of views) {
    expect(status, JSON.stringify(view)).toBe(200);
    if (view.status === 'rejected') {
      expect(view.reason).toBe('SOLD_OUT');
      expect(view.tickets).toEqual([]);
      rejected += 1;
      continue;
    }
    expect(view.status).toBe('confirmed');
    expect(view.tickets).toHaveLength(purchase.quantity);
    confirmed += 1;
    for (const ticket of view.tickets) {
      codes.add(ticket.code);
      ids.add(ticket.id);
    }
  }
  expect(codes.size).toBe(ticketsTotal);
  expect(ids.size).toBe(ticketsTotal);
  expect(Number(await redis.get(keys.sold))).toBe(ticketsTotal);
  expect(Number(await redis.get(keys.stock))).toBe(0);
  expect(await store.auditEvent(eventId)).toEqual({
    orders: confirmed,
    ticketsOrdered: ticketsTotal,
    tickets: ticketsTotal,
    distinctCodes: ticketsTotal,
    rejected,
    ledgerSold: ticketsTotal,
  });
}
