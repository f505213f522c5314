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
import { bearer, buildTestCheckout, buyer, uncapped } from '../../../test/build.js';

let issuer: TestAdmissionIssuer;
let app: HttpApp | undefined;
/** Restored from the ledger half a minute ago: Redis forgot every admission made before. */
const restored = 'restored';
/** Never lost anything. */
const intact = 'intact';

beforeAll(async () => {
  issuer = await createTestAdmissionIssuer();
});
afterAll(async () => {
  await app?.close();
  await issuer.close();
});

function order(eventId: string, admission: MintedAdmission) {
  return app!.inject({
    method: 'POST',
    url: `/v1/events/${eventId}/orders`,
    headers: bearer(admission.token),
    payload: { quantity: 1, buyer },
  });
}

/** An admission the waiting room signed `secondsAgo` ago and Redis no longer lists in `active`. */
function forgotten(eventId: string, secondsAgo: number): Promise<MintedAdmission> {
  const now = Math.floor(Date.now() / 1000);
  return issuer.mint({
    eventId,
    claims: { iat: now - secondsAgo, exp: now - secondsAgo + 600 },
    admitIn: null,
  });
}

describe('admissions after Redis forgot them', () => {
  test('setup', async ({ redis, pubsub }) => {
    app = await buildTestCheckout({ redis, pubsub, issuer });
    await seedTestEvent(redis.client, { eventId: restored, ticketsTotal: 100, ...uncapped });
    await seedTestEvent(redis.client, { eventId: intact, ticketsTotal: 100, ...uncapped });
    // What the worker writes when it rebuilds an event from the ledger.
    await redis.client.hset(eventKeys(restored).config, 'restoredAt', String(Date.now() - 30_000));
  });

  test('one signed before restoredAt and unknown to Redis orders on its signed expiry, once', async ({
    redis,
  }) => {
    const admission = await forgotten(restored, 120);
    const first = await order(restored, admission);
    expect(first.statusCode).toBe(202);
    const { orderId } = first.json<OrderAccepted>();
    expect(await redis.client.hget(eventKeys(restored).admissionOrders, admission.claims.jti)).toBe(
      orderId,
    );
    // Used now: the same admission again is that order, never a second one.
    const again = await order(restored, admission);
    expect(again.json<OrderAccepted>().orderId).toBe(orderId);
    expect(await redis.client.get(eventKeys(restored).sold)).toBe('1');
  });

  test('one signed after restoredAt that Redis does not list is expired, as always', async ({
    redis,
  }) => {
    const admission = await forgotten(restored, 0);
    const response = await order(restored, admission);
    expect(response.statusCode).toBe(401);
    expect(response.json<ErrorBody>().error.code).toBe('TOKEN_EXPIRED');
    expect(await redis.client.get(eventKeys(restored).sold)).toBe('1');
  });

  test('one Redis still knows keeps what Redis says: left is revoked, ended is expired', async ({
    redis,
  }) => {
    const keys = eventKeys(restored);
    const left = await forgotten(restored, 120);
    await redis.client.zadd(keys.revoked, left.claims.exp * 1000, left.claims.jti);
    const revoked = await order(restored, left);
    expect(revoked.statusCode).toBe(403);
    expect(revoked.json<ErrorBody>().error.code).toBe('ADMISSION_REVOKED');
    const ended = await forgotten(restored, 120);
    await redis.client.zadd(keys.active, Date.now() - 1_000, ended.claims.jti);
    const expired = await order(restored, ended);
    expect(expired.statusCode).toBe(401);
    expect(expired.json<ErrorBody>().error.code).toBe('TOKEN_EXPIRED');
  });

  test('an event that was never restored takes no unlisted admission', async () => {
    const response = await order(intact, await forgotten(intact, 120));
    expect(response.statusCode).toBe(401);
    expect(response.json<ErrorBody>().error.code).toBe('TOKEN_EXPIRED');
  });
});
