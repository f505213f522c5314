import { eventKeys, type ErrorBody, type OrderAccepted } from '@frequency/contracts';
import type { HttpApp } from '@frequency/observability';
import {
  afterAll,
  beforeAll,
  createTestAdmissionIssuer,
  describe,
  expect,
  seedTestEvent,
  test,
  type MintedAdmission,
  type TestAdmissionIssuer,
} from '@frequency/testing';
import type { RedisClient } from '@frequency/config/redis';
import { bearer, buildTestCheckout, buyer, uncapped } from '../../../test/build.js';

let issuer: TestAdmissionIssuer;
let app: HttpApp | undefined;
const eventId = 'live';

beforeAll(async () => {
  issuer = await createTestAdmissionIssuer();
});
afterAll(async () => {
  await app?.close();
  await issuer.close();
});

function order(admission: MintedAdmission) {
  return app!.inject({
    method: 'POST',
    url: `/v1/events/${eventId}/orders`,
    headers: bearer(admission.token),
    payload: { quantity: 1, buyer },
  });
}

/**
 * What the waiting room's leave script does to an admitted fan's admission, through the shared keys
 * of packages/contracts (the end-to-end test in programs/stack runs the real one).
 */
async function leave(redis: RedisClient, admission: MintedAdmission): Promise<void> {
  const keys = eventKeys(eventId);
  await redis
    .multi()
    .zrem(keys.active, admission.claims.jti)
    .zadd(keys.revoked, admission.claims.exp * 1000, admission.claims.jti)
    .exec();
}

describe('only an admission live in Redis orders', () => {
  test('setup', async ({ redis, pubsub }) => {
    app = await buildTestCheckout({ redis, pubsub, issuer });
    await seedTestEvent(redis.client, { eventId, ticketsTotal: 1_000, ...uncapped });
  });

  test('after the fan left, its admission is 403 ADMISSION_REVOKED and reserves nothing', async ({
    redis,
  }) => {
    const admission = await issuer.mint({ eventId });
    await leave(redis.client, admission);
    const response = await order(admission);
    expect(response.statusCode).toBe(403);
    expect(response.json<ErrorBody>().error.code).toBe('ADMISSION_REVOKED');
    expect(await redis.client.get(eventKeys(eventId).sold)).toBe('0');
  });

  test('an admission whose window has passed in Redis is 401 TOKEN_EXPIRED, within the clock tolerance too', async ({
    redis,
  }) => {
    const now = Math.floor(Date.now() / 1000);
    // Two seconds past exp: the verifier's 5 s tolerance still takes the token.
    const late = await issuer.mint({ eventId, claims: { iat: now - 300, exp: now - 2 } });
    const response = await order(late);
    expect(response.statusCode).toBe(401);
    expect(response.json<ErrorBody>().error.code).toBe('TOKEN_EXPIRED');
    // The token is valid for minutes, but the waiting room's admission (ms) has ended.
    const ended = await issuer.mint({ eventId });
    await redis.client.zadd(eventKeys(eventId).active, Date.now() - 1, ended.claims.jti);
    expect((await order(ended)).json<ErrorBody>().error.code).toBe('TOKEN_EXPIRED');
    expect(await redis.client.get(eventKeys(eventId).sold)).toBe('0');
  });

  test('an admission the waiting room never admitted cannot order', async () => {
    const stray = await issuer.mint({ eventId, admitIn: null });
    const response = await order(stray);
    expect(response.statusCode).toBe(401);
    expect(response.json<ErrorBody>().error.code).toBe('TOKEN_EXPIRED');
  });

  test('leaving after the order: the order stands, resending returns it, it stays readable', async ({
    redis,
  }) => {
    const admission = await issuer.mint({ eventId });
    const placed = await order(admission);
    expect(placed.statusCode).toBe(202);
    const { orderId } = placed.json<OrderAccepted>();
    await leave(redis.client, admission);
    const again = await order(admission);
    expect(again.statusCode).toBe(202);
    expect(again.json<OrderAccepted>().orderId).toBe(orderId);
    const read = await app!.inject({
      method: 'GET',
      url: `/v1/orders/${orderId}`,
      headers: bearer(admission.token),
    });
    expect(read.statusCode).toBe(200);
    expect(await redis.client.get(eventKeys(eventId).sold)).toBe('1');
  });
});
