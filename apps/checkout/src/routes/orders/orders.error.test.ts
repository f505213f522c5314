import type { HttpApp } from '@frequency/observability';
import {
  afterAll,
  beforeAll,
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

beforeAll(async () => {
  issuer = await createTestAdmissionIssuer();
});
afterAll(async () => {
  await app?.close();
  await issuer.close();
});

async function post(payload: string, headers: Record<string, string> = {}) {
  const admission = await issuer.mint({ eventId: 'errors' });
  return app!.inject({
    method: 'POST',
    url: '/v1/events/errors/orders',
    headers: { 'content-type': 'application/json', ...bearer(admission.token), ...headers },
    payload,
  });
}

function expectError(
  response: { statusCode: number; json: () => unknown },
  status: number,
  code: string,
) {
  expect(response.statusCode).toBe(status);
  expect(response.json()).toMatchObject({
    error: { code, message: expect.any(String), requestId: expect.any(String) },
  });
}

describe('bad order requests get a 4xx with a code, never a 5xx, and reserve nothing', () => {
  test('setup', async ({ redis, pubsub }) => {
    app = await buildTestCheckout({ redis, pubsub, issuer });
    await seedTestEvent(redis.client, {
      eventId: 'errors',
      ticketsTotal: 100,
      maxPerOrder: 4,
      ...uncapped,
    });
  });

  test('malformed JSON is 400 MALFORMED_REQUEST', async () => {
    expectError(await post('{"quantity": 1,'), 400, 'MALFORMED_REQUEST');
  });

  test('an empty body is 400', async () => {
    expectError(await post(''), 400, 'MALFORMED_REQUEST');
  });

  test('a wrong content type is 415', async () => {
    expectError(
      await post('quantity=1', { 'content-type': 'application/x-www-form-urlencoded' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expectError(
      await post(JSON.stringify({ quantity: 1, buyer }), { 'content-type': 'text/plain' }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  test('an oversized body is 413', async () => {
    const name = 'x'.repeat(32 * 1024);
    expectError(
      await post(JSON.stringify({ quantity: 1, buyer: { ...buyer, name } })),
      413,
      'PAYLOAD_TOO_LARGE',
    );
  });

  test('unknown fields are 422', async () => {
    expectError(
      await post(JSON.stringify({ quantity: 1, buyer, price: 0 })),
      422,
      'VALIDATION_FAILED',
    );
    expectError(
      await post(JSON.stringify({ quantity: 1, buyer: { ...buyer, vip: true } })),
      422,
      'VALIDATION_FAILED',
    );
  });

  test.each([
    ['0', { quantity: 0, buyer }],
    ['-1', { quantity: -1, buyer }],
    ['1.5', { quantity: 1.5, buyer }],
    ['"2" (a string)', { quantity: '2', buyer }],
    ['null', { quantity: null, buyer }],
    ['missing', { buyer }],
    ['21 (beyond any event)', { quantity: 21, buyer }],
  ])('quantity %s is 422', async (_label, body) => {
    const response = await post(JSON.stringify(body));
    expectError(response, 422, 'VALIDATION_FAILED');
  });

  test('quantity 5 with maxPerOrder 4 is 422', async () => {
    expectError(await post(JSON.stringify({ quantity: 5, buyer })), 422, 'VALIDATION_FAILED');
  });

  test.each([
    ['missing buyer', { quantity: 1 }],
    ['bad email', { quantity: 1, buyer: { name: 'A', email: 'not-an-email' } }],
    ['empty name', { quantity: 1, buyer: { name: '  ', email: 'a@example.com' } }],
    ['buyer as a string', { quantity: 1, buyer: 'Ada' }],
    ['an array body', [1, 2]],
    ['a bare number', 3],
  ])('%s is 422', async (_label, body) => {
    expectError(await post(JSON.stringify(body)), 422, 'VALIDATION_FAILED');
  });

  test('a bad event id or order id in the path is 422, an unknown route 404', async () => {
    const admission = await issuer.mint({ eventId: 'errors' });
    const badEvent = await app!.inject({
      method: 'POST',
      url: '/v1/events/NOT_AN_ID!/orders',
      headers: bearer(admission.token),
      payload: { quantity: 1, buyer },
    });
    expectError(badEvent, 422, 'VALIDATION_FAILED');
    const badOrder = await app!.inject({ url: '/v1/orders/42', headers: bearer(admission.token) });
    expectError(badOrder, 422, 'VALIDATION_FAILED');
    expectError(await app!.inject({ url: '/v1/nothing-here' }), 404, 'NOT_FOUND');
  });

  test('an over-long Idempotency-Key is 422', async () => {
    expectError(
      await post(JSON.stringify({ quantity: 1, buyer }), { 'idempotency-key': 'k'.repeat(201) }),
      422,
      'VALIDATION_FAILED',
    );
  });

  test('none of the bad requests reserved a ticket', async ({ redis }) => {
    const availability = await app!.inject({ url: '/v1/events/errors/availability' });
    expect(availability.json()).toEqual({ ticketsRemaining: 100, soldOut: false });
    expect(await redis.client.get('ev:{errors}:sold')).toBe('0');
  });
});
