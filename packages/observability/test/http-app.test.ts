import { AppError } from '@frequency/contracts';
import { z } from 'zod';
import { describe, expect, test } from '@frequency/testing';
import { createHttpApp, createLogger, createMetrics } from '../src/index.js';

async function app(readiness: Record<string, () => Promise<void>> = {}) {
  const instance = await createHttpApp({
    logger: createLogger({ service: 'test', level: 'silent' }),
    metrics: createMetrics('test'),
    readiness,
    openapi: { title: 't', description: 't', version: '1' },
  });
  instance.post(
    '/things',
    { schema: { body: z.strictObject({ n: z.number().int() }) } },
    (request) => ({ doubled: request.body.n * 2 }),
  );
  instance.get('/gone', () => {
    throw new AppError('SOLD_OUT', 'no tickets left');
  });
  instance.get('/boom', () => {
    throw new Error('database password is hunter2');
  });
  return instance;
}

describe('createHttpApp', () => {
  test('serves health, readiness, metrics and the OpenAPI document', async () => {
    const a = await app({ redis: () => Promise.resolve() });
    expect((await a.inject('/healthz')).statusCode).toBe(200);
    const ready = await a.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', checks: { redis: 'ok' } });
    await a.inject({ method: 'POST', url: '/things', payload: { n: 2 } });
    const metrics = await a.inject('/metrics');
    expect(metrics.body).toMatch(
      /http_requests_total\{route="\/things",method="POST",status_code="200",service="test"\} 1/,
    );
    expect(metrics.body).toMatch(/http_request_duration_seconds_bucket\{le="0.001"/);
    expect(metrics.body).toMatch(/process_cpu_seconds_total/);
    const docs = await a.inject('/docs/json');
    expect(docs.json()).toMatchObject({ openapi: '3.1.0', paths: { '/things': {} } });
  });

  test('readiness is 503 and names each dependency that is down', async () => {
    const a = await app({
      redis: () => Promise.resolve(),
      postgres: () => Promise.reject(new Error('connect ECONNREFUSED 127.0.0.1:1')),
      pubsub: () => new Promise(() => undefined),
    });
    const ready = await a.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    const body = ready.json<{
      checks: Record<string, string>;
      error: { code: string; message: string };
    }>();
    expect(body.checks.redis).toBe('ok');
    expect(body.checks.postgres).toMatch(/ECONNREFUSED/);
    expect(body.checks.pubsub).toMatch(/no answer within/);
    expect(body.error.code).toBe('UNAVAILABLE');
    expect(body.error.message).toMatch(/postgres/);
  });

  test('maps every client mistake to a 4xx with a code, and hides internals of a 500', async () => {
    const a = await app();
    const cases = [
      {
        payload: '{"n":',
        headers: { 'content-type': 'application/json' },
        status: 400,
        code: 'MALFORMED_REQUEST',
      },
      {
        payload: 'n=2',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        status: 415,
        code: 'UNSUPPORTED_MEDIA_TYPE',
      },
      {
        payload: JSON.stringify({ n: 'two' }),
        headers: { 'content-type': 'application/json' },
        status: 422,
        code: 'VALIDATION_FAILED',
      },
      {
        payload: JSON.stringify({ n: 1, extra: 1 }),
        headers: { 'content-type': 'application/json' },
        status: 422,
        code: 'VALIDATION_FAILED',
      },
      {
        payload: JSON.stringify({ n: 1, pad: 'x'.repeat(20_000) }),
        headers: { 'content-type': 'application/json' },
        status: 413,
        code: 'PAYLOAD_TOO_LARGE',
      },
    ];
    for (const c of cases) {
      const response = await a.inject({
        method: 'POST',
        url: '/things',
        payload: c.payload,
        headers: c.headers,
      });
      expect({
        status: response.statusCode,
        code: response.json<{ error: { code: string } }>().error.code,
      }).toEqual({
        status: c.status,
        code: c.code,
      });
    }
    const gone = await a.inject('/gone');
    expect(gone.statusCode).toBe(409);
    expect(gone.json()).toMatchObject({ error: { code: 'SOLD_OUT', message: 'no tickets left' } });
    const missing = await a.inject('/nope');
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ error: { code: 'NOT_FOUND' } });
    const boom = await a.inject({ url: '/boom', headers: { 'x-request-id': 'req-42' } });
    expect(boom.statusCode).toBe(500);
    expect(boom.body).not.toMatch(/hunter2/);
    expect(boom.json()).toEqual({
      error: { code: 'INTERNAL', message: 'internal error', requestId: 'req-42' },
    });
  });

  test('every API response carries the security headers, errors and unknown routes included', async () => {
    const a = await app();
    for (const url of ['/healthz', '/metrics', '/gone', '/nope', '/boom']) {
      const response = await a.inject(url);
      expect(response.headers, url).toMatchObject({
        'content-security-policy':
          "default-src 'none';base-uri 'none';form-action 'none';frame-ancestors 'none'",
        'strict-transport-security': expect.stringMatching(/^max-age=\d{7,}/),
        'x-content-type-options': 'nosniff',
        'x-frame-options': 'DENY',
        'referrer-policy': 'no-referrer',
        'cross-origin-resource-policy': 'same-origin',
      });
      expect(response.headers['x-powered-by'], url).toBeUndefined();
    }
  });

  test('the Swagger UI page gets a policy that lets its own scripts and styles load', async () => {
    const a = await app();
    const page = await a.inject('/docs/');
    expect(page.statusCode).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toMatch(/script-src 'self';/);
    expect(csp).toMatch(/style-src 'self' 'unsafe-inline';/);
    expect(csp).not.toMatch(/upgrade-insecure-requests/);
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    for (const asset of page.body.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)) {
      const url = new URL(asset[1] ?? '', 'http://localhost/docs/').pathname;
      expect((await a.inject(url)).statusCode, url).toBe(200);
    }
  });
});
