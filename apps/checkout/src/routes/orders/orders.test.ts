import {
  buyerCapField,
  eventKeys,
  PurchaseIntentSchema,
  type OrderAccepted,
  type PurchaseIntent,
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
  type TestAdmissionIssuer,
} from '@frequency/testing';
import type { Message } from '@google-cloud/pubsub';
import { bearer, buildTestCheckout, buyer, uncapped } from '../../../test/build.js';

let issuer: TestAdmissionIssuer;
let app: HttpApp | undefined;
const received: PurchaseIntent[] = [];

beforeAll(async () => {
  issuer = await createTestAdmissionIssuer();
});
afterAll(async () => {
  await app?.close();
  await issuer.close();
});

describe('orders', () => {
  test('setup: checkout publishes to the test topic', async ({ redis, pubsub }) => {
    app = await buildTestCheckout({ redis, pubsub, issuer });
    pubsub.subscription.on('message', (message: Message) => {
      received.push(PurchaseIntentSchema.parse(JSON.parse(message.data.toString())));
      message.ack();
    });
    await seedTestEvent(redis.client, {
      eventId: 'orders-main',
      ticketsTotal: 10,
      maxPerOrder: 4,
      ...uncapped,
    });
    await seedTestEvent(redis.client, {
      eventId: 'orders-small',
      ticketsTotal: 3,
      maxPerOrder: 4,
      ...uncapped,
    });
  });

  test('an order reserves tickets, is published as a purchase intent, and answers 202', async ({
    redis,
  }) => {
    const server = app!;
    const admission = await issuer.mint({ eventId: 'orders-main' });
    const response = await server.inject({
      method: 'POST',
      url: '/v1/events/orders-main/orders',
      headers: bearer(admission.token),
      payload: { quantity: 3, buyer },
    });
    expect(response.statusCode).toBe(202);
    const body = response.json<OrderAccepted>();
    expect(body).toEqual({
      orderId: expect.stringMatching(/^ord_/),
      status: 'pending',
      quantity: 3,
      receiptToken: expect.any(String),
    });

    const keys = eventKeys('orders-main');
    expect(await redis.client.get(keys.stock)).toBe('7');
    expect(await redis.client.get(keys.sold)).toBe('3');
    expect(await redis.client.zscore(keys.outbox, body.orderId)).not.toBeNull();
    expect(await redis.client.hget(keys.admissionOrders, admission.claims.jti)).toBe(body.orderId);

    await expect
      .poll(() => received.find((m) => m.orderId === body.orderId), { timeout: 10_000 })
      .toBeDefined();
    const intent = received.find((m) => m.orderId === body.orderId)!;
    expect(intent).toMatchObject({
      eventId: 'orders-main',
      admissionId: admission.claims.jti,
      entryId: admission.claims.sub,
      quantity: 3,
      buyer,
      // The event's ticketsTotal rides along, so the ledger can cap an event it has not heard of.
      ticketsTotal: 10,
    });
    expect(intent.tickets).toHaveLength(3);
    // The order record names its buyer (the capped field), so undoing it knows whom to credit.
    expect(await redis.client.hget(keys.order(body.orderId), 'buyer')).toBe(
      buyerCapField(buyer.email),
    );
    expect(new Set(intent.tickets.map((t) => t.code)).size).toBe(3);
  });

  test('the same admission again returns the same order and reserves nothing more', async ({
    redis,
  }) => {
    const server = app!;
    const admission = await issuer.mint({ eventId: 'orders-main' });
    const send = (quantity: number) =>
      server.inject({
        method: 'POST',
        url: '/v1/events/orders-main/orders',
        headers: bearer(admission.token),
        payload: { quantity, buyer },
      });
    const before = Number(await redis.client.get(eventKeys('orders-main').stock));
    const responses = await Promise.all([send(1), send(1), send(2)]);
    const ids = new Set(responses.map((r) => r.json<OrderAccepted>().orderId));
    expect(responses.map((r) => r.statusCode)).toEqual([202, 202, 202]);
    expect(ids.size).toBe(1);
    const quantity = responses[0].json<OrderAccepted>().quantity;
    expect(responses.every((r) => r.json<OrderAccepted>().quantity === quantity)).toBe(true);
    expect(Number(await redis.client.get(eventKeys('orders-main').stock))).toBe(before - quantity);
  });

  test('an Idempotency-Key maps to one order; reused by another admission it is refused', async () => {
    const server = app!;
    const first = await issuer.mint({ eventId: 'orders-main' });
    const other = await issuer.mint({ eventId: 'orders-main' });
    const send = (token: string) =>
      server.inject({
        method: 'POST',
        url: '/v1/events/orders-main/orders',
        headers: { ...bearer(token), 'idempotency-key': 'key-123' },
        payload: { quantity: 1, buyer },
      });
    const a = await send(first.token);
    const b = await send(first.token);
    expect(a.statusCode).toBe(202);
    expect(b.json().orderId).toBe(a.json().orderId);
    const c = await send(other.token);
    expect(c.statusCode).toBe(422);
    expect(c.json().error.code).toBe('VALIDATION_FAILED');
  });

  test('more than maxPerOrder is 422 and reserves nothing', async ({ redis }) => {
    const server = app!;
    const admission = await issuer.mint({ eventId: 'orders-main' });
    const before = await redis.client.get(eventKeys('orders-main').stock);
    const response = await server.inject({
      method: 'POST',
      url: '/v1/events/orders-main/orders',
      headers: bearer(admission.token),
      payload: { quantity: 5, buyer },
    });
    expect(response.statusCode).toBe(422);
    expect(response.json().error.code).toBe('VALIDATION_FAILED');
    expect(await redis.client.get(eventKeys('orders-main').stock)).toBe(before);
  });

  test('fewer tickets left than asked is 409 INSUFFICIENT_TICKETS, none left is 409 SOLD_OUT', async ({
    redis,
  }) => {
    const server = app!;
    const place = async (quantity: number) => {
      const admission = await issuer.mint({ eventId: 'orders-small' });
      return server.inject({
        method: 'POST',
        url: '/v1/events/orders-small/orders',
        headers: bearer(admission.token),
        payload: { quantity, buyer },
      });
    };
    const tooMany = await place(4);
    expect(tooMany.statusCode).toBe(409);
    expect(tooMany.json().error.code).toBe('INSUFFICIENT_TICKETS');
    expect((await place(3)).statusCode).toBe(202);
    const soldOut = await place(1);
    expect(soldOut.statusCode).toBe(409);
    expect(soldOut.json().error.code).toBe('SOLD_OUT');
    expect(await redis.client.get(eventKeys('orders-small').stock)).toBe('0');
    expect(await redis.client.get(eventKeys('orders-small').sold)).toBe('3');
  });

  test('an unknown event is 404 for orders and availability', async () => {
    const server = app!;
    const admission = await issuer.mint({ eventId: 'no-such-event' });
    const order = await server.inject({
      method: 'POST',
      url: '/v1/events/no-such-event/orders',
      headers: bearer(admission.token),
      payload: { quantity: 1, buyer },
    });
    expect(order.statusCode).toBe(404);
    expect(order.json().error.code).toBe('NOT_FOUND');
    const availability = await server.inject({ url: '/v1/events/no-such-event/availability' });
    expect(availability.statusCode).toBe(404);
    expect(availability.json().error.code).toBe('NOT_FOUND');
  });

  test('availability reports what Redis holds', async ({ redis }) => {
    await seedTestEvent(redis.client, { eventId: 'orders-avail', ticketsTotal: 50, sold: 8 });
    const response = await app!.inject({ url: '/v1/events/orders-avail/availability' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ ticketsRemaining: 42, soldOut: false });
    await seedTestEvent(redis.client, { eventId: 'orders-gone', ticketsTotal: 5, sold: 5 });
    const gone = await app!.inject({ url: '/v1/events/orders-gone/availability' });
    expect(gone.json()).toEqual({ ticketsRemaining: 0, soldOut: true });
  });

  test('an order is readable with its admission: pending without tickets, confirmed with them', async ({
    redis,
  }) => {
    const server = app!;
    const admission = await issuer.mint({ eventId: 'orders-main' });
    const placed = await server.inject({
      method: 'POST',
      url: '/v1/events/orders-main/orders',
      headers: bearer(admission.token),
      payload: { quantity: 2, buyer },
    });
    const { orderId } = placed.json<OrderAccepted>();
    const read = () =>
      server.inject({ url: `/v1/orders/${orderId}`, headers: bearer(admission.token) });
    const pending = await read();
    expect(pending.statusCode).toBe(200);
    expect(pending.json()).toEqual({ orderId, status: 'pending', quantity: 2, tickets: [] });

    // What the worker writes back once the order is persisted.
    await redis.client.hset(eventKeys('orders-main').order(orderId), 'status', 'confirmed');
    const confirmed = (await read()).json();
    expect(confirmed.status).toBe('confirmed');
    const intent = received.find((m) => m.orderId === orderId) ?? (await waitFor(orderId));
    expect(confirmed.tickets).toEqual(intent.tickets);

    const stranger = await issuer.mint({ eventId: 'orders-main' });
    const foreign = await server.inject({
      url: `/v1/orders/${orderId}`,
      headers: bearer(stranger.token),
    });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.json().error.code).toBe('NOT_FOUND');
  });

  test('metrics count orders by result', async () => {
    const text = (await app!.inject({ url: '/metrics' })).body;
    expect(text).toMatch(
      /checkout_orders_total\{[^}]*event="orders-main"[^}]*result="accepted"[^}]*\} \d+/,
    );
    expect(text).toMatch(/checkout_orders_total\{[^}]*result="sold_out"[^}]*\} 1/);
  });
});

async function waitFor(orderId: string): Promise<PurchaseIntent> {
  await expect
    .poll(() => received.some((m) => m.orderId === orderId), { timeout: 10_000 })
    .toBe(true);
  return received.find((m) => m.orderId === orderId)!;
}
