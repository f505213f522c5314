import Fastify from 'fastify';
import { describe, expect, test } from 'vitest';
import { corsPlugin, parseCorsOrigins } from './cors.js';

async function appWith(origins: string[]) {
  const app = Fastify();
  await app.register(corsPlugin, { origins });
  app.get('/v1/thing', () => ({ ok: true }));
  await app.ready();
  return app;
}

describe('cors for the public APIs', () => {
  test('a preflight from the web origin may send Authorization and Idempotency-Key and is cached', async () => {
    const app = await appWith(['http://127.0.0.1:3000']);
    const response = await app.inject({
      method: 'OPTIONS',
      url: '/v1/thing',
      headers: {
        origin: 'http://127.0.0.1:3000',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,idempotency-key,content-type',
      },
    });
    expect(response.statusCode).toBe(204);
    expect(response.headers['access-control-allow-origin']).toBe('http://127.0.0.1:3000');
    expect(String(response.headers['access-control-allow-headers']).toLowerCase()).toBe(
      'authorization, idempotency-key, content-type',
    );
    expect(response.headers['access-control-max-age']).toBe('600');
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    await app.close();
  });

  test('answers expose Retry-After to the page', async () => {
    const app = await appWith(['http://127.0.0.1:3000']);
    const response = await app.inject({
      method: 'GET',
      url: '/v1/thing',
      headers: { origin: 'http://127.0.0.1:3000' },
    });
    expect(response.headers['access-control-expose-headers']).toBe('Retry-After');
    await app.close();
  });

  test('another origin gets no CORS grant', async () => {
    const app = await appWith(['http://127.0.0.1:3000']);
    const response = await app.inject({
      method: 'GET',
      url: '/v1/thing',
      headers: { origin: 'https://evil.example' },
    });
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    await app.close();
  });

  test('origins are read from a comma-separated list, trailing slashes ignored', () => {
    expect(parseCorsOrigins(' http://a:3000/, https://b.example ,,')).toEqual([
      'http://a:3000',
      'https://b.example',
    ]);
  });
});
