import { eventKeys } from '@frequency/contracts';
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
import { bearer, buildTestCheckout, uncapped } from '../../../test/build.js';

let issuer: TestAdmissionIssuer;
let app: HttpApp | undefined;
const eventId = 'buyer-input';

beforeAll(async () => {
  issuer = await createTestAdmissionIssuer();
});
afterAll(async () => {
  await app?.close();
  await issuer.close();
});

async function order(buyer: { name: string; email: string }) {
  const admission = await issuer.mint({ eventId });
  return app!.inject({
    method: 'POST',
    url: `/v1/events/${eventId}/orders`,
    headers: bearer(admission.token),
    payload: { quantity: 1, buyer },
  });
}

const email = 'ada@example.com';

describe('buyer names and e-mails the ledger must never hold are 422 at the API', () => {
  test('setup', async ({ redis, pubsub }) => {
    app = await buildTestCheckout({ redis, pubsub, issuer });
    await seedTestEvent(redis.client, { eventId, ticketsTotal: 100, ...uncapped });
  });

  test.each([
    ['a NUL in the name', { name: 'Ada\u0000Fan', email }],
    ['a C1 control in the name', { name: 'Ada\u009bFan', email }],
    ['a line separator in the name', { name: 'Ada\u2028Fan', email }],
    ['a bidi override in the name', { name: 'Ada \u202egnp.exe', email }],
    ['a bidi isolate in the name', { name: 'Ada \u2067Fan', email }],
    ['a decomposed é (e + U+0301) in the name', { name: 'Rene\u0301e', email }],
    ['a 10,000-character name', { name: 'a'.repeat(10_000), email }],
    ['a NUL in the e-mail', { name: 'Ada', email: 'ada\u0000@example.com' }],
    ['a bidi override in the e-mail', { name: 'Ada', email: 'ada\u202e@example.com' }],
    ['a decomposed é in the e-mail', { name: 'Ada', email: 'rene\u0301@example.com' }],
  ])('%s', async (_what, buyer) => {
    const response = await order(buyer);
    expect(response.statusCode).toBe(422);
    expect(response.json()).toMatchObject({
      error: {
        code: 'VALIDATION_FAILED',
        details: [expect.objectContaining({ path: expect.stringMatching(/buyer/) })],
      },
    });
  });

  test('the same name composed (NFC) is taken', async () => {
    expect((await order({ name: 'Ren\u00e9e', email })).statusCode).toBe(202);
  });

  test('none of the refused buyers reserved a ticket', async ({ redis }) => {
    expect(await redis.client.get(eventKeys(eventId).sold)).toBe('1');
  });
});
