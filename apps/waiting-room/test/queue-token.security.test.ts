import { createHmac } from 'node:crypto';
import { newId } from '@frequency/contracts';
import type { HttpApp } from '@frequency/observability';
import { afterAll, beforeAll, createTestRedis, describe, expect, test } from '@frequency/testing';
import { decodeJwt, exportJWK, generateKeyPair, importJWK, jwtVerify, SignJWT } from 'jose';
import { generateAdmissionKey } from '../src/tokens/admission-tokens.js';
import {
  createTestEvent,
  eventually,
  join,
  patch,
  QUEUE_TOKEN_SECRET,
  startApp,
  status,
} from './helpers.js';

/**
 * Attacks on the queue token, over HTTP: every route that takes one (status, rejoin, leave) answers
 * 401 with TOKEN_INVALID or TOKEN_EXPIRED, and never serves a place the token does not prove.
 */
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const ours = { alg: 'HS256', typ: 'queue+jwt' };
const secretKey = new TextEncoder().encode(QUEUE_TOKEN_SECRET);
const inAnHour = () => Math.floor(Date.now() / 1000) + 3_600;

function hs256(header: object, claims: object, secret: string | Uint8Array = QUEUE_TOKEN_SECRET) {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

function segments(token: string): [string, string, string] {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return [header, payload, signature];
}

let testRedis: Awaited<ReturnType<typeof createTestRedis>>;
let app: HttpApp;
let eventId: string;
let otherEventId: string;
let fanToken: string;
let fanClaims: Record<string, unknown>;

async function attempt(token: string | null, id = eventId) {
  const headers = token === null ? {} : { authorization: `Bearer ${token}` };
  const [me, rejoin, leave] = await Promise.all([
    app.inject({ method: 'GET', url: `/v1/events/${id}/queue/me`, headers }),
    app.inject({ method: 'POST', url: `/v1/events/${id}/queue`, headers }),
    app.inject({ method: 'DELETE', url: `/v1/events/${id}/queue/me`, headers }),
  ]);
  return [me, rejoin, leave].map((response) => ({
    status: response.statusCode,
    code: response.json<{ error?: { code: string } }>().error?.code,
  }));
}

async function expectRefused(token: string | null, code = 'TOKEN_INVALID', id = eventId) {
  expect(await attempt(token, id)).toEqual([
    { status: 401, code },
    { status: 401, code },
    { status: 401, code },
  ]);
}

describe('queue token attacks', () => {
  beforeAll(async () => {
    testRedis = await createTestRedis();
    app = await startApp(testRedis);
    eventId = (await createTestEvent(app)).id;
    otherEventId = (await createTestEvent(app)).id;
    fanToken = (await join(app, eventId)).queueToken;
    fanClaims = decodeJwt(fanToken);
  });
  afterAll(async () => {
    await app.close();
    await testRedis.cleanup();
  });

  test('the genuine token: a JWS with the pinned header and the contract claims (control)', async () => {
    const { payload, protectedHeader } = await jwtVerify(fanToken, secretKey, {
      algorithms: ['HS256'],
      typ: 'queue+jwt',
    });
    expect(protectedHeader).toEqual(ours);
    expect(payload).toEqual({
      evt: eventId,
      sub: expect.stringMatching(/^q_/),
      seq: 1,
      exp: expect.any(Number),
    });
    const me = await status(app, eventId, fanToken);
    expect(me).toMatchObject({ state: 'waiting', position: 1 });
  });

  test('missing, or not a bearer token', async () => {
    // Without any Authorization header a POST is a new join, so only status and leave apply.
    expect((await attempt(null)).filter((_, route) => route !== 1)).toEqual([
      { status: 401, code: 'TOKEN_INVALID' },
      { status: 401, code: 'TOKEN_INVALID' },
    ]);
    await expectRefused('');
    await expectRefused('not-a-token');
  });

  test('forged: our header and claims, signed with another secret', async () => {
    await expectRefused(hs256(ours, fanClaims, 'another-secret-another-secret-another-secret'));
  });

  test('tampered header: another typ, an added kid, crit or jku, a reordered header', async () => {
    const [, payload, signature] = segments(fanToken);
    for (const header of [
      { alg: 'HS256', typ: 'JWT' },
      { alg: 'HS256' },
      { ...ours, kid: 'k1' },
      { ...ours, crit: ['exp'] },
      { ...ours, jku: 'https://attacker.example/jwks.json' },
      { typ: 'queue+jwt', alg: 'HS256' },
    ]) {
      await expectRefused(`${b64(header)}.${payload}.${signature}`);
      // Signed properly with our secret, a header we do not write is still not ours.
      await expectRefused(hs256(header, fanClaims));
    }
  });

  test('tampered payload: a better place, a later expiry, another entry', async () => {
    const [header, , signature] = segments(fanToken);
    for (const change of [
      { seq: 0 },
      { seq: 1_000_000 },
      { exp: 4_000_000_000 },
      { sub: newId('queueEntry') },
    ]) {
      await expectRefused(`${header}.${b64({ ...fanClaims, ...change })}.${signature}`);
    }
  });

  test('tampered signature: changed, cut, dropped, doubled', async () => {
    const [header, payload, signature] = segments(fanToken);
    const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
    for (const bad of [flipped, signature.slice(0, -2), '', `${signature}${signature}`]) {
      await expectRefused(`${header}.${payload}.${bad}`);
    }
    await expectRefused(`${fanToken}.${signature}`);
  });

  test('expired -> TOKEN_EXPIRED, once the signature proves we issued it', async () => {
    const exp = Math.floor(Date.now() / 1000) - 1;
    await expectRefused(hs256(ours, { ...fanClaims, exp }), 'TOKEN_EXPIRED');
    // Expired claims under a bad signature are simply invalid: forged claims are never believed.
    const [header, , signature] = segments(fanToken);
    await expectRefused(`${header}.${b64({ ...fanClaims, exp })}.${signature}`);
  });

  test('alg none, with and without a signature', async () => {
    for (const header of [{ alg: 'none', typ: 'queue+jwt' }, { alg: 'none' }]) {
      await expectRefused(`${b64(header)}.${b64(fanClaims)}.`);
      await expectRefused(`${b64(header)}.${b64(fanClaims)}.${segments(fanToken)[2]}`);
    }
  });

  test('alg switch: ES256/RS256 tokens, and HS256 keyed with a public key', async () => {
    const claims = { ...fanClaims, exp: inAnHour() };
    const es = await generateKeyPair('ES256');
    const rs = await generateKeyPair('RS256');
    await expectRefused(
      await new SignJWT(claims)
        .setProtectedHeader({ alg: 'ES256', typ: 'queue+jwt' })
        .sign(es.privateKey),
    );
    await expectRefused(
      await new SignJWT(claims)
        .setProtectedHeader({ alg: 'RS256', typ: 'queue+jwt' })
        .sign(rs.privateKey),
    );
    // The classic confusion: HS256 with a public key (our admission JWKS, or any) as the secret.
    const jwks = (await app.inject({ url: '/.well-known/jwks.json' })).json<{ keys: object[] }>();
    for (const publicKey of [...jwks.keys, await exportJWK(rs.publicKey)]) {
      await expectRefused(hs256(ours, claims, JSON.stringify(publicKey)));
    }
  });

  test('for another event', async () => {
    await expectRefused(fanToken, 'TOKEN_INVALID', otherEventId);
  });

  test('claims missing or added, under our header and our secret', async () => {
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT(claims).setProtectedHeader(ours).sign(secretKey);
    const { seq: _seq, ...noPlace } = fanClaims;
    const { exp: _exp, ...noExpiry } = fanClaims;
    const { evt: _evt, ...noEvent } = fanClaims;
    const { sub: _sub, ...noEntry } = fanClaims;
    for (const claims of [
      noPlace,
      noExpiry,
      noEvent,
      noEntry,
      { ...fanClaims, pre: 1 },
      { ...fanClaims, typ: 'admission' },
      { ...fanClaims, jti: newId('admission') },
      { ...fanClaims, aud: 'frequency-checkout' },
    ]) {
      await expectRefused(await sign(claims));
    }
  });

  test('type confusion: an admission token from this service is not a queue token', async () => {
    await patch(app, eventId, { admissionRatePerSecond: 100 });
    const admission = await eventually(async () => {
      const s = await status(app, eventId, fanToken);
      return s.admission ?? undefined;
    });
    await expectRefused(admission.token);
    // Its claims re-signed with the admission keys' own algorithm and a key of ours' shape.
    const intruder = await importJWK(await generateAdmissionKey(), 'ES256');
    await expectRefused(
      await new SignJWT(decodeJwt(admission.token))
        .setProtectedHeader({ alg: 'ES256', typ: 'queue+jwt' })
        .sign(intruder),
    );
    await patch(app, eventId, { admissionRatePerSecond: 0 });
  });

  test('a refused token stays refused, and the genuine one keeps working beside it', async () => {
    const forged = hs256(
      ours,
      { ...fanClaims, seq: 1 },
      'another-secret-another-secret-another-secret',
    );
    for (let i = 0; i < 3; i += 1) await expectRefused(forged);
    expect(
      (
        await app.inject({
          url: `/v1/events/${eventId}/queue/me`,
          headers: { authorization: `Bearer ${fanToken}` },
        })
      ).statusCode,
    ).toBe(200);
  });
});

describe('queue tokens issued before they were JWTs', () => {
  test('keep their place until they expire; forged or expired ones are refused', async ({
    redis,
  }) => {
    const started = await startApp(redis);
    try {
      const id = (await createTestEvent(started)).id;
      const joined = await join(started, id);
      const { sub, seq } = decodeJwt(joined.queueToken);
      const legacy = (claims: Record<string, unknown>, secret = QUEUE_TOKEN_SECRET) => {
        const payload = b64(claims);
        return `${payload}.${createHmac('sha256', secret).update(payload).digest('base64url')}`;
      };
      const claims = { typ: 'queue', evt: id, sub, exp: inAnHour(), seq };
      const me = await status(started, id, legacy(claims));
      expect(me).toMatchObject({ state: 'waiting', position: 1 });
      const rejoin = await started.inject({
        method: 'POST',
        url: `/v1/events/${id}/queue`,
        headers: { authorization: `Bearer ${legacy(claims)}` },
      });
      expect(rejoin.statusCode).toBe(200);
      expect(rejoin.json()).toMatchObject({ state: 'waiting', position: 1 });
      for (const [token, code] of [
        [legacy({ ...claims, exp: Math.floor(Date.now() / 1000) - 1 }), 'TOKEN_EXPIRED'],
        [legacy(claims, 'another-secret-another-secret-another-secret'), 'TOKEN_INVALID'],
        [legacy({ ...claims, typ: 'admission' }), 'TOKEN_INVALID'],
      ] as const) {
        const response = await started.inject({
          url: `/v1/events/${id}/queue/me`,
          headers: { authorization: `Bearer ${token}` },
        });
        expect(response.statusCode).toBe(401);
        expect(response.json()).toMatchObject({ error: { code } });
      }
    } finally {
      await started.close();
    }
  });
});
