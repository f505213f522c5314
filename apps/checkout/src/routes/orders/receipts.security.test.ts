import { createHmac } from 'node:crypto';
import {
  eventKeys,
  receiptTokenIssuer,
  receiptTokenType,
  type ErrorBody,
  type OrderAccepted,
} from '@frequency/contracts';
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
import { SignJWT } from 'jose';
import { bearer, buildTestCheckout, buyer, uncapped } from '../../../test/build.js';

const secret = 'receipt-secret-for-tests-0123456789abcdef';
const rotated = 'receipt-secret-after-rotation-0123456789ab';
const eventId = 'receipts';
let issuer: TestAdmissionIssuer;
let app: HttpApp | undefined;
const apps: HttpApp[] = [];

beforeAll(async () => {
  issuer = await createTestAdmissionIssuer();
});
afterAll(async () => {
  for (const started of apps) await started.close();
  await issuer.close();
});

function place(admission: MintedAdmission, headers: Record<string, string> = {}) {
  return app!.inject({
    method: 'POST',
    url: `/v1/events/${eventId}/orders`,
    headers: { ...bearer(admission.token), ...headers },
    payload: { quantity: 1, buyer },
  });
}

function read(orderId: string, token: string, server = app!) {
  return server.inject({ url: `/v1/orders/${orderId}`, headers: bearer(token) });
}

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token shaped like a receipt, put together by hand so any header can be tried. */
function receiptLike(
  orderId: string,
  key: string,
  header: Record<string, unknown> = {},
  hash: 'sha256' | 'sha512' = 'sha256',
): string {
  const now = Math.floor(Date.now() / 1000);
  const signed = `${encode({ alg: 'HS256', typ: receiptTokenType, ...header })}.${encode({
    iss: receiptTokenIssuer,
    sub: orderId,
    evt: eventId,
    iat: now,
    exp: now + 3_600,
  })}`;
  return `${signed}.${createHmac(hash, key).update(signed).digest('base64url')}`;
}

function unsigned(orderId: string): string {
  return receiptLike(orderId, secret, { alg: 'none' }).replace(/[^.]+$/, '');
}

describe('receipt tokens', () => {
  test('setup', async ({ redis, pubsub }) => {
    app = await buildTestCheckout({ redis, pubsub, issuer, env: { RECEIPT_SECRET: secret } });
    apps.push(app);
    await seedTestEvent(redis.client, { eventId, ticketsTotal: 100, ...uncapped });
  });

  test('every 202 carries a receipt that reads that order, the replay of the same admission too', async () => {
    const admission = await issuer.mint({ eventId });
    const first = await place(admission);
    expect(first.statusCode).toBe(202);
    const { orderId, receiptToken } = first.json<OrderAccepted>();
    const again = await place(admission);
    expect(again.json<OrderAccepted>()).toMatchObject({
      orderId,
      receiptToken: expect.any(String),
    });
    for (const token of [receiptToken, again.json<OrderAccepted>().receiptToken]) {
      const view = await read(orderId, token);
      expect(view.statusCode).toBe(200);
      expect(view.json()).toEqual({ orderId, status: 'pending', quantity: 1, tickets: [] });
    }
  });

  test(
    'after the admission has expired: the receipt still reads the order, and the same Idempotency-Key returns it without reserving',
    { timeout: 30_000 },
    async ({ redis }) => {
      // Two seconds of validity, plus the verifier's clock tolerance, then it is expired for good.
      const admission = await issuer.mint({ eventId, ttlSeconds: 2 });
      const key = { 'idempotency-key': `receipt-${admission.claims.jti}` };
      const placed = await place(admission, key);
      expect(placed.statusCode).toBe(202);
      const { orderId, receiptToken } = placed.json<OrderAccepted>();
      await expect
        .poll(async () => (await read(orderId, admission.token)).statusCode, {
          timeout: 20_000,
          interval: 500,
        })
        .toBe(401);
      const byAdmission = await read(orderId, admission.token);
      expect(byAdmission.json<ErrorBody>().error.code).toBe('TOKEN_EXPIRED');
      const byReceipt = await read(orderId, receiptToken);
      expect(byReceipt.statusCode).toBe(200);
      expect(byReceipt.json()).toMatchObject({ orderId, quantity: 1 });

      const sold = await redis.client.get(eventKeys(eventId).sold);
      const replay = await place(admission, key);
      expect(replay.statusCode).toBe(202);
      const replayed = replay.json<OrderAccepted>();
      expect(replayed).toMatchObject({ orderId, status: 'pending', quantity: 1 });
      expect((await read(orderId, replayed.receiptToken)).statusCode).toBe(200);
      // A key this admission never used, or none at all: the expiry stands, nothing is reserved.
      const attempts: Record<string, string>[] = [{ 'idempotency-key': 'never-used-by-it' }, {}];
      for (const headers of attempts) {
        const other = await place(admission, headers);
        expect(other.statusCode).toBe(401);
        expect(other.json<ErrorBody>().error.code).toBe('TOKEN_EXPIRED');
      }
      expect(await redis.client.get(eventKeys(eventId).sold)).toBe(sold);
    },
  );

  test('an expired admission cannot take over another admission’s Idempotency-Key', async () => {
    const owner = await issuer.mint({ eventId });
    const key = { 'idempotency-key': `owned-${owner.claims.jti}` };
    expect((await place(owner, key)).statusCode).toBe(202);
    const now = Math.floor(Date.now() / 1000);
    const stale = await issuer.mint({ eventId, claims: { iat: now - 900, exp: now - 600 } });
    const response = await place(stale, key);
    expect(response.statusCode).toBe(401);
    expect(response.json<ErrorBody>().error.code).toBe('TOKEN_EXPIRED');
  });

  test('a receipt reads only its own order: another order is 404 like a stranger’s', async () => {
    const mine = (await place(await issuer.mint({ eventId }))).json<OrderAccepted>();
    const theirs = (await place(await issuer.mint({ eventId }))).json<OrderAccepted>();
    const response = await read(theirs.orderId, mine.receiptToken);
    expect(response.statusCode).toBe(404);
    expect(response.json<ErrorBody>().error.code).toBe('NOT_FOUND');
  });

  test('forged receipts are 401: another key, alg none or HS512, another typ, a critical header', async () => {
    const { orderId } = (await place(await issuer.mint({ eventId }))).json<OrderAccepted>();
    const forged = [
      receiptLike(orderId, 'some-other-secret-0123456789abcdefghijkl'),
      unsigned(orderId),
      receiptLike(orderId, secret, { alg: 'HS512' }, 'sha512'),
      receiptLike(orderId, secret, { typ: 'JWT' }),
      receiptLike(orderId, secret, { crit: ['exp'] }),
    ];
    for (const token of forged) {
      const response = await read(orderId, token);
      expect(response.statusCode, token).toBe(401);
      expect(response.json<ErrorBody>().error.code).toBe('TOKEN_INVALID');
    }
    // The genuine article, signed with the same secret, does read it: the refusals were the forgery.
    expect((await read(orderId, receiptLike(orderId, secret))).statusCode).toBe(200);
  });

  test('an expired receipt is 401 TOKEN_EXPIRED', async () => {
    const { orderId } = (await place(await issuer.mint({ eventId }))).json<OrderAccepted>();
    const now = Math.floor(Date.now() / 1000);
    const old = await new SignJWT({ evt: eventId })
      .setProtectedHeader({ alg: 'HS256', typ: receiptTokenType })
      .setIssuer(receiptTokenIssuer)
      .setSubject(orderId)
      .setIssuedAt(now - 7_200)
      .setExpirationTime(now - 3_600)
      .sign(new TextEncoder().encode(secret));
    const response = await read(orderId, old);
    expect(response.statusCode).toBe(401);
    expect(response.json<ErrorBody>().error.code).toBe('TOKEN_EXPIRED');
  });

  test('a receipt places nothing: as an admission token it is 401', async () => {
    const { receiptToken } = (await place(await issuer.mint({ eventId }))).json<OrderAccepted>();
    const response = await app!.inject({
      method: 'POST',
      url: `/v1/events/${eventId}/orders`,
      headers: bearer(receiptToken),
      payload: { quantity: 1, buyer },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json<ErrorBody>().error.code).toBe('TOKEN_INVALID');
  });

  test('after a key rotation, receipts signed with the previous key keep reading their order', async ({
    redis,
    pubsub,
  }) => {
    const { orderId, receiptToken } = (
      await place(await issuer.mint({ eventId }))
    ).json<OrderAccepted>();
    const next = await buildTestCheckout({
      redis,
      pubsub,
      issuer,
      env: { RECEIPT_SECRET: rotated, RECEIPT_SECRET_PREVIOUS: secret },
    });
    apps.push(next);
    expect((await read(orderId, receiptToken, next)).statusCode).toBe(200);
    // Without the previous key the old receipt is a forgery to it.
    const unrelated = await buildTestCheckout({
      redis,
      pubsub,
      issuer,
      env: { RECEIPT_SECRET: rotated },
    });
    apps.push(unrelated);
    expect((await read(orderId, receiptToken, unrelated)).statusCode).toBe(401);
  });

  test('a rejected order shows its reason; a withdrawn one is 404 NOT_FOUND', async ({ redis }) => {
    const { orderId, receiptToken } = (
      await place(await issuer.mint({ eventId }))
    ).json<OrderAccepted>();
    const record = eventKeys(eventId).order(orderId);
    // What the worker writes when the ledger refuses the order.
    await redis.client.hset(record, 'status', 'rejected', 'reason', 'SOLD_OUT');
    const rejected = await read(orderId, receiptToken);
    expect(rejected.json()).toEqual({
      orderId,
      status: 'rejected',
      quantity: 1,
      tickets: [],
      reason: 'SOLD_OUT',
    });
    await redis.client.hset(record, 'status', 'withdrawn');
    const withdrawn = await read(orderId, receiptToken);
    expect(withdrawn.statusCode).toBe(404);
    expect(withdrawn.json<ErrorBody>().error.code).toBe('NOT_FOUND');
  });
});
