import type { ErrorBody } from '@frequency/contracts';
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
const eventId = 'flood';
const bound = 32;

beforeAll(async () => {
  issuer = await createTestAdmissionIssuer();
});
afterAll(async () => {
  await app?.close();
  await issuer.close();
});

/** A token with the waiting room's header and kid and a well-formed payload, and a random signature. */
async function forgedToken(): Promise<string> {
  const genuine = (await issuer.mint({ eventId, admitIn: null })).token;
  const [header = '', payload = ''] = genuine.split('.');
  return `${header}.${payload}.${Buffer.alloc(64, Math.floor(Math.random() * 256)).toString('base64url')}`;
}

function metric(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(name));
  return Number(line?.split(' ').at(-1) ?? Number.NaN);
}

describe('a flood of forged tokens', () => {
  test('setup', async ({ redis, pubsub }) => {
    app = await buildTestCheckout({
      redis,
      pubsub,
      issuer,
      env: { SIGNATURE_QUEUE_MAX: String(bound) },
    });
    await seedTestEvent(redis.client, { eventId, ticketsTotal: 1_000, ...uncapped });
  });

  test('beyond the bound gets 503 with Retry-After at once; fans are not held up', async () => {
    const server = app!;
    // A fan whose token was checked before the flood: its reads come from the verified-token cache.
    const fan = await issuer.mint({ eventId });
    const placed = await server.inject({
      method: 'POST',
      url: `/v1/events/${eventId}/orders`,
      headers: bearer(fan.token),
      payload: { quantity: 1, buyer },
    });
    expect(placed.statusCode).toBe(202);
    const { orderId } = placed.json<{ orderId: string }>();

    const tokens = await Promise.all(Array.from({ length: 1_000 }, forgedToken));
    const flood = tokens.map((token) =>
      server.inject({
        method: 'POST',
        url: `/v1/events/${eventId}/orders`,
        headers: bearer(token),
        payload: { quantity: 1, buyer },
      }),
    );
    const read = server.inject({
      method: 'GET',
      url: `/v1/orders/${orderId}`,
      headers: bearer(fan.token),
    });
    // A fan from another address whose token is checked for the first time during the flood: the
    // flooding address holds at most half the queue, so this check still finds a place.
    const newcomer = await issuer.mint({ eventId });
    const newcomerOrder = server.inject({
      method: 'POST',
      url: `/v1/events/${eventId}/orders`,
      headers: bearer(newcomer.token),
      payload: { quantity: 1, buyer: { name: 'New Fan', email: 'new@example.com' } },
      remoteAddress: '203.0.113.9',
    });
    const answers = await Promise.all(flood);
    expect((await read).statusCode).toBe(200);
    expect((await newcomerOrder).statusCode).toBe(202);

    const byStatus = new Map<number, number>();
    for (const answer of answers) {
      byStatus.set(answer.statusCode, (byStatus.get(answer.statusCode) ?? 0) + 1);
      if (answer.statusCode === 503) {
        expect(answer.headers['retry-after']).toBe('1');
        expect(answer.json<ErrorBody>().error.code).toBe('UNAVAILABLE');
      } else {
        expect(answer.statusCode).toBe(401);
        expect(answer.json<ErrorBody>().error.code).toBe('TOKEN_INVALID');
      }
    }
    const refused = byStatus.get(503) ?? 0;
    // Every forged token is answered, and the queue took at most `bound` of them at a time.
    expect(refused + (byStatus.get(401) ?? 0)).toBe(1_000);
    expect(refused).toBeGreaterThan(0);

    const metrics = (await server.inject({ url: '/metrics' })).body;
    expect(metric(metrics, 'checkout_signature_checks_refused_total')).toBe(refused);
    expect(metric(metrics, 'checkout_signature_checks_pending')).toBe(0);
  });
});
