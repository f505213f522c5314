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
  type TestAdmissionIssuer,
} from '@frequency/testing';
import { bearer, buildTestCheckout } from '../../../test/build.js';

let issuer: TestAdmissionIssuer;
let app: HttpApp | undefined;

beforeAll(async () => {
  issuer = await createTestAdmissionIssuer();
});
afterAll(async () => {
  await app?.close();
  await issuer.close();
});

/** One order with a fresh admission, as a buyer who went through the queue again would place it. */
async function order(eventId: string, quantity: number, email: string, token?: string) {
  const admission = token ?? (await issuer.mint({ eventId })).token;
  const response = await app!.inject({
    method: 'POST',
    url: `/v1/events/${eventId}/orders`,
    headers: bearer(admission),
    payload: { quantity, buyer: { name: 'Ada Fan', email } },
  });
  return { response, token: admission };
}

describe('tickets per buyer across orders', () => {
  test('setup', async ({ redis, pubsub }) => {
    app = await buildTestCheckout({ redis, pubsub, issuer });
    await seedTestEvent(redis.client, { eventId: 'cap', ticketsTotal: 1_000, maxPerOrder: 4 });
    await seedTestEvent(redis.client, {
      eventId: 'cap-race',
      ticketsTotal: 1_000,
      maxPerOrder: 4,
      maxPerBuyer: 6,
    });
    await seedTestEvent(redis.client, {
      eventId: 'cap-ones',
      ticketsTotal: 1_000,
      maxPerOrder: 1,
      maxPerBuyer: 5,
    });
  });

  test('one buyer however spelt: over the cap is 409 BUYER_LIMIT saying how many remain', async ({
    redis,
  }) => {
    // No maxPerBuyer in the config (an event made before it): the cap is maxPerOrder, 4.
    const first = await order('cap', 3, 'Foo+x@Example.com ');
    expect(first.response.statusCode).toBe(202);
    const over = await order('cap', 2, 'foo@example.com');
    expect(over.response.statusCode).toBe(409);
    expect(over.response.json<ErrorBody>().error).toMatchObject({
      code: 'BUYER_LIMIT',
      message: expect.stringContaining('1 more ticket'),
    });
    const stockAfterRefusal = await redis.client.get(eventKeys('cap').stock);
    expect(stockAfterRefusal).toBe('997');
    expect((await order('cap', 1, 'FOO+other@example.COM')).response.statusCode).toBe(202);
    const full = await order('cap', 1, 'foo@example.com');
    expect(full.response.json<ErrorBody>().error.code).toBe('BUYER_LIMIT');
    // Another buyer is not affected.
    expect((await order('cap', 4, 'bar@example.com')).response.statusCode).toBe(202);
  });

  test('the same admission again still returns its order once the buyer is at the cap', async () => {
    const placed = await order('cap', 4, 'again@example.com');
    expect(placed.response.statusCode).toBe(202);
    const again = await order('cap', 4, 'again@example.com', placed.token);
    expect(again.response.statusCode).toBe(202);
    expect(again.response.json<OrderAccepted>().orderId).toBe(
      placed.response.json<OrderAccepted>().orderId,
    );
  });

  test('concurrent orders of one buyer with different admissions never pass the cap together', async ({
    redis,
  }) => {
    const spellings = [
      'race@example.com',
      'Race+a@example.com',
      ' RACE+b@EXAMPLE.COM',
      'race+c@example.com',
    ];
    const attempts = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        order('cap-race', 1 + (i % 4), spellings[i % spellings.length] ?? 'race@example.com'),
      ),
    );
    const accepted = attempts
      .filter((a) => a.response.statusCode === 202)
      .reduce((sum, a) => sum + a.response.json<OrderAccepted>().quantity, 0);
    expect(accepted).toBeGreaterThan(0);
    expect(accepted).toBeLessThanOrEqual(6);
    for (const { response } of attempts.filter((a) => a.response.statusCode !== 202))
      expect(response.json<ErrorBody>().error.code).toBe('BUYER_LIMIT');
    expect(Number(await redis.client.get(eventKeys('cap-race').sold))).toBe(accepted);
  });

  test('twenty concurrent single-ticket orders of one buyer: exactly maxPerBuyer accepted', async ({
    redis,
  }) => {
    const attempts = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        order('cap-ones', 1, i % 2 ? 'one@example.com' : 'One+x@Example.com '),
      ),
    );
    const statuses = attempts.map((a) => a.response.statusCode);
    expect(statuses.filter((s) => s === 202)).toHaveLength(5);
    expect(statuses.filter((s) => s === 409)).toHaveLength(15);
    expect(await redis.client.get(eventKeys('cap-ones').sold)).toBe('5');
  });

  test('Redis holds no buyer e-mail in clear', async ({ redis }) => {
    const fields = await redis.client.hkeys(eventKeys('cap').buyers);
    expect(fields.length).toBeGreaterThan(0);
    expect(fields.filter((field) => field.includes('@') || field.includes('example'))).toEqual([]);
  });
});
