import { createHmac } from 'node:crypto';
import { eventKeys, newId, queueTokenType } from '@frequency/contracts';
import type { HttpApp } from '@frequency/observability';
import {
  afterAll,
  beforeAll,
  createSigningKey,
  createTestAdmissionIssuer,
  describe,
  expect,
  seedTestEvent,
  test,
  type TestAdmissionIssuer,
} from '@frequency/testing';
import { bearer, buildTestCheckout, buyer, uncapped } from '../../../test/build.js';

let issuer: TestAdmissionIssuer;
let app: HttpApp | undefined;
const eventId = 'security';

beforeAll(async () => {
  issuer = await createTestAdmissionIssuer();
});
afterAll(async () => {
  await app?.close();
  await issuer.close();
});

function order(authorization: string | undefined, path = eventId) {
  return app!.inject({
    method: 'POST',
    url: `/v1/events/${path}/orders`,
    headers: authorization === undefined ? {} : { authorization },
    payload: { quantity: 1, buyer },
  });
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function expectRejected(
  response: { statusCode: number; json: () => unknown },
  code = 'TOKEN_INVALID',
) {
  expect(response.statusCode).toBe(401);
  expect(response.json()).toMatchObject({ error: { code } });
}

describe('admission tokens checkout must refuse', () => {
  test('setup', async ({ redis, pubsub }) => {
    // A 1 s cooldown keeps the refetch test quick; production uses 30 s.
    app = await buildTestCheckout({
      redis,
      pubsub,
      issuer,
      env: { JWKS_REFETCH_COOLDOWN_MS: '1000' },
    });
    await seedTestEvent(redis.client, { eventId, ticketsTotal: 1_000, ...uncapped });
    await seedTestEvent(redis.client, { eventId: 'other-event', ticketsTotal: 1_000, ...uncapped });
  });

  test('no token, or not a Bearer token', async () => {
    expectRejected(await order(undefined));
    expectRejected(await order('Basic dXNlcjpwYXNz'));
    expectRejected(await order('Bearer not.a.jwt'));
    expectRejected(await order('Bearer '));
  });

  test('the token is checked before the body is read: a forged one with a malformed body is 401', async () => {
    const response = await app!.inject({
      method: 'POST',
      url: `/v1/events/${eventId}/orders`,
      headers: { authorization: 'Bearer not.a.jwt', 'content-type': 'application/json' },
      payload: '{"quantity": ',
    });
    expectRejected(response);
  });

  test('a token signed by a key the waiting room does not publish (forged, same kid)', async () => {
    const forger = await createSigningKey(issuer.current.kid);
    const forged = await issuer.mint({ eventId, key: forger });
    expectRejected(await order(`Bearer ${forged.token}`));
  });

  test('a token whose payload was altered after signing', async () => {
    const genuine = await issuer.mint({ eventId: 'other-event' });
    const [header, payload, signature] = genuine.token.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const tampered = `${header}.${b64({ ...claims, evt: eventId })}.${signature}`;
    expectRejected(await order(`Bearer ${tampered}`));
  });

  test('alg none and HS256 signed with the public key are refused', async () => {
    const genuine = await issuer.mint({ eventId });
    const payload = genuine.token.split('.')[1]!;
    const none = `${b64({ alg: 'none', kid: issuer.current.kid })}.${payload}.`;
    expectRejected(await order(`Bearer ${none}`));
    const header = b64({ alg: 'HS256', kid: issuer.current.kid });
    const mac = createHmac('sha256', JSON.stringify(issuer.current.publicJwk))
      .update(`${header}.${payload}`)
      .digest('base64url');
    expectRejected(await order(`Bearer ${header}.${payload}.${mac}`));
  });

  test("a queue token (the waiting room's HS256 queue+jwt) is not an admission", async () => {
    const claims = {
      evt: eventId,
      sub: newId('queueEntry'),
      seq: 1,
      exp: Math.floor(Date.now() / 1000) + 3_600,
    };
    const input = `${b64({ alg: 'HS256', typ: queueTokenType })}.${b64(claims)}`;
    const mac = createHmac('sha256', 'queue-token-secret-for-tests-0123456789abcdef')
      .update(input)
      .digest('base64url');
    expectRejected(await order(`Bearer ${input}.${mac}`));
    // Nor is one under the admission key's own algorithm and kid: its claims are not an admission's.
    const signed = await issuer.mint({
      eventId,
      claims: { ...claims, typ: undefined, jti: undefined, iss: undefined, aud: undefined },
      header: { typ: queueTokenType },
      admitIn: null,
    });
    expectRejected(await order(`Bearer ${signed.token}`));
  });

  test('an expired token is TOKEN_EXPIRED', async () => {
    const now = Math.floor(Date.now() / 1000);
    const expired = await issuer.mint({ eventId, claims: { iat: now - 700, exp: now - 60 } });
    expectRejected(await order(`Bearer ${expired.token}`), 'TOKEN_EXPIRED');
  });

  test('an admission for another event', async () => {
    const elsewhere = await issuer.mint({ eventId: 'other-event' });
    expectRejected(await order(`Bearer ${elsewhere.token}`));
  });

  test.each([
    ['wrong issuer', { iss: 'someone-else' }],
    ['wrong audience', { aud: 'frequency-waiting-room' }],
    ['a queue token (typ)', { typ: 'queue' }],
    ['no jti', { jti: undefined }],
    ['a jti that is not an admission id', { jti: 'ord_AAAAAAAAAAAAAAAAAAAAAA' }],
    ['issued in the future', { iat: Math.floor(Date.now() / 1000) + 3_600 }],
  ])('a token with %s', async (_label, claims) => {
    const token = await issuer.mint({ eventId, claims });
    expectRejected(await order(`Bearer ${token.token}`));
  });

  test('a reused admission cannot buy twice: it gets its first order back, stock moves once', async ({
    redis,
  }) => {
    const admission = await issuer.mint({ eventId });
    const first = await order(`Bearer ${admission.token}`);
    expect(first.statusCode).toBe(202);
    const stock = await redis.client.get(eventKeys(eventId).stock);
    const again = await order(`Bearer ${admission.token}`);
    expect(again.statusCode).toBe(202);
    expect(again.json().orderId).toBe(first.json().orderId);
    expect(await redis.client.get(eventKeys(eventId).stock)).toBe(stock);
    expect(await redis.client.hlen(eventKeys(eventId).admissionOrders)).toBe(1);
  });

  test('an order is not readable with another admission, nor with a forged one', async () => {
    const owner = await issuer.mint({ eventId });
    const { orderId } = (await order(`Bearer ${owner.token}`)).json();
    const stranger = await issuer.mint({ eventId });
    const read = await app!.inject({
      url: `/v1/orders/${orderId}`,
      headers: bearer(stranger.token),
    });
    expect(read.statusCode).toBe(404);
    // A forged token carrying the owner's claims fails on the signature before any lookup.
    const forger = await createSigningKey(issuer.current.kid);
    const forged = await issuer.mint({ eventId, key: forger, claims: owner.claims });
    const forgedRead = await app!.inject({
      url: `/v1/orders/${orderId}`,
      headers: bearer(forged.token),
    });
    expectRejected(forgedRead);
  });

  test('an unknown kid refetches the JWKS at most once per cooldown; a rotated key is picked up', async () => {
    const stranger = await createSigningKey('unknown-kid');
    const fetchesBefore = issuer.fetches;
    for (let i = 0; i < 20; i += 1) {
      expectRejected(
        await order(`Bearer ${(await issuer.mint({ eventId, key: stranger })).token}`),
      );
    }
    expect(issuer.fetches - fetchesBefore).toBeLessThanOrEqual(1);

    const next = await createSigningKey('next-key');
    issuer.addKey(next);
    // Once the cooldown has passed, the first token with the new kid triggers the fetch.
    await expect
      .poll(
        async () =>
          (await order(`Bearer ${(await issuer.mint({ eventId, key: next })).token}`)).statusCode,
        {
          timeout: 5_000,
          interval: 250,
        },
      )
      .toBe(202);
  });

  test('known keys are verified without a network call', async () => {
    const before = issuer.fetches;
    for (let i = 0; i < 10; i += 1) {
      expect((await order(`Bearer ${(await issuer.mint({ eventId })).token}`)).statusCode).toBe(
        202,
      );
    }
    expect(issuer.fetches).toBe(before);
  });
});
