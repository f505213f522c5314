import { Writable } from 'node:stream';
import {
  ErrorBodySchema,
  OrderAcceptedSchema,
  OrderViewSchema,
  QueueStatusSchema,
} from '@frequency/contracts';
import { z } from 'zod';
import { describe, expect, test } from '@frequency/testing';
import {
  createHttpApp,
  createLogger,
  createMetrics,
  createResponseSerializerCompiler,
} from '../src/index.js';

/** Each case: a contract schema and bodies valid per it, extra properties included. */
const valid: [string, z.ZodType, unknown[]][] = [
  [
    'QueueStatus',
    QueueStatusSchema,
    [
      {
        state: 'waiting',
        position: 12,
        aheadOfYou: 11,
        estimatedWaitSeconds: 30,
        pollAfterMs: 5_000,
        admission: null,
        internal: 'dropped',
      },
      {
        state: 'admitted',
        position: null,
        aheadOfYou: null,
        estimatedWaitSeconds: null,
        pollAfterMs: 0,
        admission: { token: 'a.b.c', expiresAt: '2026-12-01T10:00:00.000Z' },
      },
    ],
  ],
  [
    'OrderAccepted',
    OrderAcceptedSchema,
    [
      {
        orderId: 'ord_AAAAAAAAAAAAAAAAAAAAAA',
        status: 'pending',
        quantity: 2,
        receiptToken: 'x.y.z',
      },
    ],
  ],
  [
    'Order',
    OrderViewSchema,
    [
      {
        orderId: 'ord_AAAAAAAAAAAAAAAAAAAAAA',
        status: 'rejected',
        quantity: 1,
        tickets: [],
        reason: null,
      },
      {
        orderId: 'ord_AAAAAAAAAAAAAAAAAAAAAA',
        status: 'confirmed',
        quantity: 1,
        tickets: [
          { id: 'tkt_AAAAAAAAAAAAAAAAAAAAAA', code: '0000-1111-2222-3333-4444-5555-6666-7777' },
        ],
      },
    ],
  ],
  [
    'Error',
    ErrorBodySchema,
    [
      {
        error: {
          code: 'VALIDATION_FAILED',
          message: 'the request is not valid',
          requestId: 'req-1',
          details: [{ path: 'body.quantity', message: 'too big' }],
        },
      },
    ],
  ],
];

describe('response serialisers compiled from the zod schemas', () => {
  const compile = createResponseSerializerCompiler();

  test.each(valid)('%s: the same bytes zod + JSON.stringify wrote', (_name, schema, bodies) => {
    const serialize = compile({ schema, method: 'GET', url: '/x', httpStatus: '200' });
    for (const body of bodies) {
      const written = serialize(body);
      expect(written).toBe(JSON.stringify(schema.parse(body)));
      expect(schema.safeParse(JSON.parse(written)).success).toBe(true);
    }
  });

  async function appWith(checkResponses: boolean, lines: string[] = []) {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const app = await createHttpApp({
      logger: createLogger({ service: 'test', destination }),
      metrics: createMetrics('test'),
      readiness: {},
      checkResponses,
    });
    const Body = z.object({ state: z.enum(['open', 'closed']), count: z.number().int() });
    app.get(
      '/missing',
      { schema: { response: { 200: Body } } },
      () => ({ state: 'open' }) as never,
    );
    app.get('/wrong-type', { schema: { response: { 200: Body } } }, () => ({
      state: 'open' as const,
      count: 'many' as unknown as number,
    }));
    app.get('/wrong-enum', { schema: { response: { 200: Body } } }, () => ({
      state: 'ajar' as 'open',
      count: 1,
    }));
    app.get('/ok', { schema: { response: { 200: Body } } }, () => ({
      state: 'closed' as const,
      count: 3,
      secret: 'not in the schema',
    }));
    return app;
  }

  test('a response missing a required field, or of the wrong type, is refused with a 500', async () => {
    for (const checkResponses of [false, true]) {
      const lines: string[] = [];
      const app = await appWith(checkResponses, lines);
      for (const url of ['/missing', '/wrong-type']) {
        const response = await app.inject({ url, headers: { 'x-request-id': `req-${url}` } });
        expect(response.statusCode, url).toBe(500);
        expect(response.json(), url).toEqual({
          error: { code: 'INTERNAL', message: 'internal error', requestId: `req-${url}` },
        });
      }
      // Refusals are logged, with the request id on the line.
      const refusals = lines.filter((l) => l.includes('response did not match its schema'));
      expect(refusals.map((l) => (JSON.parse(l) as { reqId: string }).reqId)).toEqual([
        'req-/missing',
        'req-/wrong-type',
      ]);
      await app.close();
    }
  });

  test('properties the schema does not name never leave the service', async () => {
    for (const checkResponses of [false, true]) {
      const app = await appWith(checkResponses);
      const response = await app.inject('/ok');
      expect(response.statusCode).toBe(200);
      expect(response.body).toBe('{"state":"closed","count":3}');
      await app.close();
    }
  });

  test('checkResponses refuses what only zod sees (an enum value outside the schema); without it, it is written', async () => {
    const checked = await appWith(true);
    expect((await checked.inject('/wrong-enum')).statusCode).toBe(500);
    await checked.close();
    // The trade-off of the services' setting: values are not checked against enums, formats or
    // ranges at run time (the handlers' types are, at compile time).
    const unchecked = await appWith(false);
    const response = await unchecked.inject('/wrong-enum');
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('{"state":"ajar","count":1}');
    await unchecked.close();
  });
});

describe('request logs and metrics', () => {
  test('a line logged through request.log carries the request id; requests that log nothing still count', async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const metrics = createMetrics('test');
    const app = await createHttpApp({
      logger: createLogger({ service: 'test', destination }),
      metrics,
      readiness: {},
    });
    app.get('/logs', (request) => {
      request.log.info({ detail: 1 }, 'from the route');
      request.log.child({ step: 'inner' }).warn('from a child');
      return { ok: true };
    });
    app.get('/quiet', () => ({ ok: true }));
    for (let i = 0; i < 3; i += 1) await app.inject('/quiet');
    await app.inject({ url: '/logs', headers: { 'x-request-id': 'req-7' } });
    await app.inject('/nowhere');
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed.filter((l) => l.msg === 'from the route')).toEqual([
      expect.objectContaining({ reqId: 'req-7', detail: 1, service: 'test', level: 'info' }),
    ]);
    expect(parsed.filter((l) => l.msg === 'from a child')).toEqual([
      expect.objectContaining({ reqId: 'req-7', step: 'inner', level: 'warn' }),
    ]);
    const body = (await app.inject('/metrics')).body;
    const route = (r: string) => ({ route: r, method: 'GET', service: 'test' });
    expect(sample(body, 'http_requests_total', { ...route('/quiet'), status_code: '200' })).toBe(3);
    expect(sample(body, 'http_requests_total', { ...route('unmatched'), status_code: '404' })).toBe(
      1,
    );
    expect(sample(body, 'http_request_duration_seconds_count', route('/quiet'))).toBe(3);
    expect(sample(body, 'http_request_duration_seconds_sum', route('/quiet'))).toBeGreaterThan(0);
    await app.close();
  });
});

/** The value of the series `name` with exactly these labels, in whatever order they are written. */
function sample(body: string, name: string, labels: Record<string, string>): number | undefined {
  for (const line of body.split('\n')) {
    const match = /^([a-z_]+)\{([^}]*)\} (\S+)$/.exec(line);
    if (match?.[1] !== name) continue;
    const found: Record<string, string> = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']),
    );
    if (
      JSON.stringify(Object.entries(found).sort()) === JSON.stringify(Object.entries(labels).sort())
    )
      return Number(match[3]);
  }
  return undefined;
}
