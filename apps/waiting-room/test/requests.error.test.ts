import type { HttpApp } from '@frequency/observability';
import type { InjectOptions } from 'fastify';
import { describe, expect, test } from '@frequency/testing';
import { clientFrom, type HttpClient, loopbackAddress } from '@frequency/testing/clients';
import { waitingRoomKeys } from '../src/redis/keys.js';
import { createTestEvent, eventBody, listen, ops, startApp } from './helpers.js';

async function errorOf(app: HttpApp, options: InjectOptions) {
  const response = await app.inject(options);
  const body = response.json<{ error?: { code: string; requestId: string } }>();
  return { status: response.statusCode, code: body.error?.code };
}

describe('bad requests get a 4xx with a code, never a 5xx', () => {
  test('create event: malformed JSON, wrong content type, oversized, unknown fields, wrong types', async ({
    redis,
  }) => {
    const app = await startApp(redis);
    try {
      const url = '/v1/admin/events';
      const json = { ...ops, 'content-type': 'application/json' };
      expect(
        await errorOf(app, { method: 'POST', url, headers: json, payload: '{"id": "x",' }),
      ).toEqual({
        status: 400,
        code: 'MALFORMED_REQUEST',
      });
      expect(
        await errorOf(app, {
          method: 'POST',
          url,
          headers: { ...ops, 'content-type': 'text/plain' },
          payload: 'hi',
        }),
      ).toEqual({ status: 415, code: 'UNSUPPORTED_MEDIA_TYPE' });
      expect(
        await errorOf(app, {
          method: 'POST',
          url,
          headers: json,
          payload: JSON.stringify({ ...eventBody(), name: 'x'.repeat(20_000) }),
        }),
      ).toEqual({ status: 413, code: 'PAYLOAD_TOO_LARGE' });
      expect(
        await errorOf(app, {
          method: 'POST',
          url,
          headers: ops,
          payload: { ...eventBody(), extra: 1 },
        }),
      ).toEqual({
        status: 422,
        code: 'VALIDATION_FAILED',
      });
      for (const wrong of [
        { ticketsTotal: '1000' },
        { maxPerOrder: 2.5 },
        { opensAt: 'tomorrow' },
        { admissionRatePerSecond: -1 },
        { id: 'Not An Id!' },
        { name: 42 },
      ]) {
        expect(
          await errorOf(app, {
            method: 'POST',
            url,
            headers: ops,
            payload: { ...eventBody(), ...wrong },
          }),
        ).toEqual({
          status: 422,
          code: 'VALIDATION_FAILED',
        });
      }
      expect(await errorOf(app, { method: 'POST', url, headers: json, payload: '' })).toMatchObject(
        { status: 400 },
      );
      expect(
        await errorOf(app, { method: 'POST', url, headers: json, payload: '[]' }),
      ).toMatchObject({ status: 422 });
    } finally {
      await app.close();
    }
  });

  test('patch: empty, unknown fields, wrong types, unknown event', async ({ redis }) => {
    const app = await startApp(redis);
    try {
      const event = await createTestEvent(app);
      const url = `/v1/admin/events/${event.id}`;
      for (const payload of [
        {},
        { rate: 5 },
        { paused: 'yes' },
        { maxActiveCheckouts: 0 },
        { opensAt: 12 },
      ]) {
        expect(await errorOf(app, { method: 'PATCH', url, headers: ops, payload })).toEqual({
          status: 422,
          code: 'VALIDATION_FAILED',
        });
      }
      expect(
        await errorOf(app, {
          method: 'PATCH',
          url: '/v1/admin/events/no-such-event',
          headers: ops,
          payload: { paused: true },
        }),
      ).toEqual({ status: 404, code: 'NOT_FOUND' });
      expect(
        await errorOf(app, {
          method: 'POST',
          url: '/v1/admin/events',
          headers: ops,
          payload: event,
        }),
      ).toEqual({
        status: 409,
        code: 'EVENT_EXISTS',
      });
    } finally {
      await app.close();
    }
  });

  test('bad or unknown event ids on every route', async ({ redis }) => {
    const app = await startApp(redis);
    try {
      for (const id of ['UPPER', 'a', 'x'.repeat(100), 'bad_id', '%00', '-lead']) {
        for (const [method, url, headers] of [
          ['GET', `/v1/events/${id}`, {}],
          ['POST', `/v1/events/${id}/queue`, {}],
          ['GET', `/v1/events/${id}/queue/me`, { authorization: 'Bearer x.y' }],
          ['DELETE', `/v1/events/${id}/queue/me`, { authorization: 'Bearer x.y' }],
          ['GET', `/v1/admin/events/${id}`, ops],
        ] as const) {
          const result = await errorOf(app, { method, url, headers });
          expect(result.status, `${method} ${url}`).toBeGreaterThanOrEqual(400);
          expect(result.status, `${method} ${url}`).toBeLessThan(500);
        }
      }
      expect(await errorOf(app, { url: '/v1/events/no-such-event' })).toEqual({
        status: 404,
        code: 'NOT_FOUND',
      });
      expect(await errorOf(app, { method: 'POST', url: '/v1/events/no-such-event/queue' })).toEqual(
        {
          status: 404,
          code: 'NOT_FOUND',
        },
      );
      expect(await errorOf(app, { url: '/v1/admin/events/no-such-event', headers: ops })).toEqual({
        status: 404,
        code: 'NOT_FOUND',
      });
    } finally {
      await app.close();
    }
  });

  test('the ops API needs the ops token', async ({ redis }) => {
    const app = await startApp(redis);
    try {
      for (const headers of [
        {},
        { authorization: 'Bearer wrong-token' },
        { authorization: 'Basic abc' },
      ]) {
        expect(
          await errorOf(app, {
            method: 'POST',
            url: '/v1/admin/events',
            headers,
            payload: eventBody(),
          }),
        ).toEqual({
          status: 401,
          code: 'UNAUTHORIZED',
        });
      }
    } finally {
      await app.close();
    }
  });

  test('joining too often from one client answers 429 with Retry-After, other clients still join', async ({
    redis,
  }) => {
    const app = await startApp(redis, {
      JOIN_RATE_LIMIT_MAX: '3',
      JOIN_RATE_LIMIT_WINDOW_SECONDS: '10',
    });
    const baseUrl = await listen(app);
    const one = clientFrom(loopbackAddress(0), baseUrl);
    const other = clientFrom(loopbackAddress(1), baseUrl);
    try {
      const event = await createTestEvent(app);
      const joinAs = (client: HttpClient) =>
        client.request({ method: 'POST', path: `/v1/events/${event.id}/queue` });
      for (let i = 0; i < 3; i += 1) expect((await joinAs(one)).status).toBe(201);
      const limited = await joinAs(one);
      expect(limited.status).toBe(429);
      expect(limited.json()).toMatchObject({ error: { code: 'RATE_LIMITED' } });
      expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
      expect(Number(limited.headers['retry-after'])).toBeLessThanOrEqual(10);
      expect((await joinAs(other)).status).toBe(201);
    } finally {
      one.close();
      other.close();
      await app.close();
    }
  });

  test('joining again with the queue token returns the same entry, never a second place', async ({
    redis,
  }) => {
    const app = await startApp(redis);
    try {
      const event = await createTestEvent(app);
      const first = await app.inject({ method: 'POST', url: `/v1/events/${event.id}/queue` });
      expect(first.statusCode).toBe(201);
      const { queueToken, position } = first.json<{ queueToken: string; position: number }>();
      const again = await app.inject({
        method: 'POST',
        url: `/v1/events/${event.id}/queue`,
        headers: { authorization: `Bearer ${queueToken}` },
      });
      expect(again.statusCode).toBe(200);
      expect(again.json()).toMatchObject({ queueToken, position, state: 'waiting' });
      expect(await redis.client.hget(waitingRoomKeys(event.id).state, 'seq')).toBe('1');
    } finally {
      await app.close();
    }
  });
});
