import { parseEnv } from '@frequency/config';
import { type CreateEventBody, eventKeys, eventsIndexKey } from '@frequency/contracts';
import { createLogger, type HttpApp, type Logger } from '@frequency/observability';
import { type TestRedis, testServices } from '@frequency/testing';
import { randomBytes } from 'node:crypto';
import { buildApp } from '../src/app.js';
import { envSchema } from '../src/env.js';
import { generateAdmissionKey } from '../src/tokens/admission-tokens.js';

export const OPS_TOKEN = 'ops-token-for-tests-0123456789';
export const QUEUE_TOKEN_SECRET = 'queue-token-secret-for-tests-0123456789abcdef';
export const ops = { authorization: `Bearer ${OPS_TOKEN}` };

let jwks: string | undefined;
export async function testJwks(): Promise<string> {
  jwks ??= JSON.stringify({ keys: [await generateAdmissionKey(), await generateAdmissionKey()] });
  return jwks;
}

/** A waiting room on the test's Redis prefix, with short intervals so tests stay quick. */
export async function startApp(
  redis: TestRedis,
  overrides: Record<string, string> = {},
  logger: Logger = createLogger({ service: 'waiting-room', level: 'silent' }),
): Promise<HttpApp> {
  const env = parseEnv(envSchema, {
    REDIS_URL: redis.url,
    REDIS_KEY_PREFIX: redis.keyPrefix,
    OPS_TOKEN,
    QUEUE_TOKEN_SECRET,
    ADMISSION_PRIVATE_JWKS: await testJwks(),
    LOG_LEVEL: 'silent',
    EVENT_REFRESH_MS: '50',
    ADMISSION_TICK_MS: '50',
    SEEN_FLUSH_MS: '100',
    LEADER_LEASE_MS: '1000',
    JOIN_RATE_LIMIT_MAX: '0',
    PUBSUB_EMULATOR_HOST: testServices.pubsubEmulatorHost(),
    PUBSUB_PROJECT_ID: testServices.pubsubProjectId,
    ...overrides,
  });
  const app = await buildApp({ env, logger });
  await app.ready();
  return app;
}

/** Listens on a free loopback port for tests that need real connections; returns the base URL. */
export async function listen(app: HttpApp): Promise<string> {
  return app.listen({ host: '127.0.0.1', port: 0 });
}

export function eventId(prefix = 'ev'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export function eventBody(overrides: Partial<CreateEventBody> = {}): CreateEventBody {
  return {
    id: eventId(),
    name: 'Test Festival',
    venue: 'Somewhere',
    ticketsTotal: 1000,
    maxPerOrder: 4,
    opensAt: new Date(Date.now() - 1000).toISOString(),
    admissionRatePerSecond: 0,
    maxActiveCheckouts: 1000,
    ...overrides,
  };
}

export async function createTestEvent(app: HttpApp, overrides: Partial<CreateEventBody> = {}) {
  const body = eventBody(overrides);
  const response = await app.inject({
    method: 'POST',
    url: '/v1/admin/events',
    headers: ops,
    payload: body,
  });
  if (response.statusCode !== 201)
    throw new Error(`create event: ${response.statusCode} ${response.body}`);
  return body;
}

/**
 * Waits until every replica knows the event: one created on another replica is unknown (404) until
 * the next refresh of the index of events.
 */
export async function knownEverywhere(apps: HttpApp[], id: string): Promise<void> {
  await eventually(async () => {
    const codes = await Promise.all(
      apps.map(async (a) => (await a.inject(`/v1/events/${id}`)).statusCode),
    );
    return codes.every((code) => code === 200) ? true : undefined;
  });
}

export interface Joined {
  queueToken: string;
  state: string;
  position: number | null;
  pollAfterMs: number;
}

/**
 * A join through `inject` from the socket address `from` (a new client each time by default): the
 * address the server sees on the connection, as it would from a real one, with no header to forge.
 * Tests of who a client is go over real HTTP instead (client-identity.security.test.ts).
 */
export async function join(app: HttpApp, id: string, from = randomIp()): Promise<Joined> {
  const response = await app.inject({
    method: 'POST',
    url: `/v1/events/${id}/queue`,
    remoteAddress: from,
  });
  if (response.statusCode !== 201) throw new Error(`join: ${response.statusCode} ${response.body}`);
  return response.json<Joined>();
}

export interface Status {
  state: string;
  position: number | null;
  aheadOfYou: number | null;
  estimatedWaitSeconds: number | null;
  pollAfterMs: number;
  admission: { token: string; expiresAt: string } | null;
}

export async function status(app: HttpApp, id: string, token: string): Promise<Status> {
  const response = await app.inject({
    method: 'GET',
    url: `/v1/events/${id}/queue/me`,
    headers: { authorization: `Bearer ${token}` },
  });
  if (response.statusCode !== 200)
    throw new Error(`status: ${response.statusCode} ${response.body}`);
  return response.json<Status>();
}

export async function patch(app: HttpApp, id: string, body: Record<string, unknown>) {
  const response = await app.inject({
    method: 'PATCH',
    url: `/v1/admin/events/${id}`,
    headers: ops,
    payload: body,
  });
  if (response.statusCode !== 200)
    throw new Error(`patch: ${response.statusCode} ${response.body}`);
}

export function randomIp(): string {
  const b = randomBytes(4);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

/** Polls `check` until it returns a value (not undefined) or the deadline passes. */
export async function eventually<T>(
  check: () => Promise<T | undefined> | T | undefined,
  timeoutMs = 10_000,
  everyMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What the ledger holds of an event, as the worker's restore reads it. */
export interface LedgerCopy {
  version: number;
  ticketsSold: number;
  checkoutWindowSeconds?: number;
}

/**
 * Writes an event back the way the worker's restore does after Redis forgot it: the config hash
 * with the fields createEvent writes plus `version` and `restoredAt` (epoch ms), stock and sold
 * from the ledger's inventory, and the event in the index. The waiting room's own keys (the queue
 * state, the line) are not the worker's: the waiting room puts them back itself.
 */
export async function restoreFromLedger(
  client: TestRedis['client'],
  event: CreateEventBody,
  ledger: LedgerCopy,
): Promise<number> {
  const keys = eventKeys(event.id);
  const restoredAt = Date.now();
  await client
    .multi()
    .hset(keys.config, {
      name: event.name,
      venue: event.venue,
      ticketsTotal: String(event.ticketsTotal),
      maxPerOrder: String(event.maxPerOrder),
      opensAt: String(Date.parse(event.opensAt)),
      admissionRatePerSecond: String(event.admissionRatePerSecond),
      maxActiveCheckouts: String(event.maxActiveCheckouts),
      paused: '0',
      joinChallengeBits: String(event.joinChallengeBits ?? 0),
      maxPerBuyer: String(event.maxPerBuyer ?? event.maxPerOrder),
      checkoutWindowSeconds: String(ledger.checkoutWindowSeconds ?? 300),
      version: String(ledger.version),
      restoredAt: String(restoredAt),
    })
    .set(keys.stock, event.ticketsTotal - ledger.ticketsSold)
    .set(keys.sold, ledger.ticketsSold)
    .sadd(eventsIndexKey, event.id)
    .exec();
  return restoredAt;
}
