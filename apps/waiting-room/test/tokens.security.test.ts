import {
  admissionTokenAudience,
  admissionTokenIssuer,
  AdmissionTokenClaimsSchema,
  newId,
} from '@frequency/contracts';
import type { HttpApp } from '@frequency/observability';
import { afterAll, beforeAll, createTestRedis, describe, expect, test } from '@frequency/testing';
import {
  createRemoteJWKSet,
  decodeJwt,
  importJWK,
  type JWTVerifyGetKey,
  jwtVerify,
  SignJWT,
} from 'jose';
import { AdmissionTokenSigner, generateAdmissionKey } from '../src/tokens/admission-tokens.js';
import { QueueTokens } from '../src/tokens/queue-token.js';
import {
  createTestEvent,
  eventually,
  join,
  patch,
  QUEUE_TOKEN_SECRET,
  startApp,
  status,
  testJwks,
} from './helpers.js';

/** What checkout does with an admission token: JWKS signature, issuer, audience, claims, event. */
async function verifyAdmission(token: string, eventId: string, jwks: JWTVerifyGetKey) {
  const { payload } = await jwtVerify(token, jwks, {
    issuer: admissionTokenIssuer,
    audience: admissionTokenAudience,
    algorithms: ['ES256'],
  });
  const claims = AdmissionTokenClaimsSchema.parse(payload);
  if (claims.evt !== eventId) throw new Error('admission for another event');
  return claims;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

async function listen(app: HttpApp): Promise<string> {
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}

let testRedis: Awaited<ReturnType<typeof createTestRedis>>;
let app: HttpApp;
let eventId: string;
let otherEventId: string;
let fanToken: string;
let admissionToken: string;
let jwks: JWTVerifyGetKey;

describe('token attacks', () => {
  beforeAll(async () => {
    testRedis = await createTestRedis();
    app = await startApp(testRedis);
    const baseUrl = await listen(app);
    jwks = createRemoteJWKSet(new URL('/.well-known/jwks.json', baseUrl));
    eventId = (await createTestEvent(app)).id;
    otherEventId = (await createTestEvent(app)).id;
    fanToken = (await join(app, eventId)).queueToken;
    await patch(app, eventId, { admissionRatePerSecond: 100 });
    const admitted = await eventually(async () => {
      const s = await status(app, eventId, fanToken);
      return s.admission ?? undefined;
    });
    admissionToken = admitted.token;
  });
  afterAll(async () => {
    await app.close();
    await testRedis.cleanup();
  });

  async function queueStatus(token: string | null, id = eventId) {
    const response = await app.inject({
      method: 'GET',
      url: `/v1/events/${id}/queue/me`,
      headers: token === null ? {} : { authorization: `Bearer ${token}` },
    });
    return {
      status: response.statusCode,
      code: response.json<{ error?: { code: string } }>().error?.code,
    };
  }

  test('a valid queue token is accepted (control)', async () => {
    expect((await queueStatus(fanToken)).status).toBe(200);
  });

  test('queue token: missing -> 401 TOKEN_INVALID', async () => {
    expect(await queueStatus(null)).toEqual({ status: 401, code: 'TOKEN_INVALID' });
    const leave = await app.inject({ method: 'DELETE', url: `/v1/events/${eventId}/queue/me` });
    expect(leave.statusCode).toBe(401);
  });

  test('queue token: signed with another key -> 401 TOKEN_INVALID', async () => {
    const forged = new QueueTokens('another-secret-another-secret-another-secret', 3600).issue({
      evt: eventId,
      sub: newId('queueEntry'),
      seq: 1,
    });
    expect(await queueStatus(forged)).toEqual({ status: 401, code: 'TOKEN_INVALID' });
  });

  // Every other attack on the queue token: queue-token.security.test.ts.
  test('queue token: expired -> 401 TOKEN_EXPIRED', async () => {
    const expired = new QueueTokens(QUEUE_TOKEN_SECRET, 3600).issue({
      evt: eventId,
      sub: newId('queueEntry'),
      seq: 1,
      exp: Math.floor(Date.now() / 1000) - 1,
    });
    expect(await queueStatus(expired)).toEqual({ status: 401, code: 'TOKEN_EXPIRED' });
  });

  test('queue token: for another event -> 401 TOKEN_INVALID', async () => {
    expect(await queueStatus(fanToken, otherEventId)).toEqual({
      status: 401,
      code: 'TOKEN_INVALID',
    });
    const rejoin = await app.inject({
      method: 'POST',
      url: `/v1/events/${otherEventId}/queue`,
      headers: { authorization: `Bearer ${fanToken}` },
    });
    expect(rejoin.statusCode).toBe(401);
  });

  test('queue token: an admission token is not a queue token -> 401 TOKEN_INVALID', async () => {
    expect(await queueStatus(admissionToken)).toEqual({ status: 401, code: 'TOKEN_INVALID' });
  });

  test('rejections are counted by kind and reason', async () => {
    const metrics = (await app.inject({ url: '/metrics' })).body;
    expect(metrics).toMatch(
      /waiting_room_token_rejections_total\{kind="queue",reason="invalid"[^}]*\} \d+/,
    );
    expect(metrics).toMatch(
      /waiting_room_token_rejections_total\{kind="queue",reason="expired"[^}]*\} \d+/,
    );
  });

  test('admission token: verifies through the JWKS with the contract claims (control)', async () => {
    const claims = await verifyAdmission(admissionToken, eventId, jwks);
    expect(claims).toMatchObject({ typ: 'admission', evt: eventId });
    expect(claims.jti).toMatch(/^adm_/);
    expect(claims.exp - claims.iat).toBe(300);
    // Polling again returns an equivalent token: same claims.
    const again = await status(app, eventId, fanToken);
    expect(decodeJwt(again.admission!.token)).toEqual(decodeJwt(admissionToken));
  });

  test('admission token: alg none is refused', async () => {
    const [header, payload] = admissionToken.split('.');
    const h = JSON.parse(Buffer.from(header!, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    await expect(
      verifyAdmission(`${b64({ ...h, alg: 'none' })}.${payload}.`, eventId, jwks),
    ).rejects.toThrow();
  });

  test('admission token: signed by another key is refused, with an unknown kid or a known one', async () => {
    const intruder = await generateAdmissionKey();
    const key = await importJWK(intruder, 'ES256');
    const claims = decodeJwt(admissionToken);
    const knownKid = (JSON.parse(await testJwks()) as { keys: { kid: string }[] }).keys[0]!.kid;
    for (const kid of [intruder.kid, knownKid]) {
      const forged = await new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid }).sign(key);
      await expect(verifyAdmission(forged, eventId, jwks)).rejects.toThrow();
    }
  });

  test('admission token: an unknown kid is refused', async () => {
    const [header, payload, signature] = admissionToken.split('.');
    const h = JSON.parse(Buffer.from(header!, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    await expect(
      verifyAdmission(
        `${b64({ ...h, kid: 'no-such-key' })}.${payload}.${signature}`,
        eventId,
        jwks,
      ),
    ).rejects.toThrow(/no applicable key|matching/i);
  });

  test('admission token: a tampered claim is refused', async () => {
    const [header, payload, signature] = admissionToken.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString('utf8')) as Record<
      string,
      unknown
    >;
    for (const change of [
      { evt: otherEventId },
      { exp: Number(claims.exp) + 3600 },
      { sub: newId('queueEntry') },
    ]) {
      await expect(
        verifyAdmission(`${header}.${b64({ ...claims, ...change })}.${signature}`, eventId, jwks),
      ).rejects.toThrow(/signature/);
    }
  });

  test('admission token: an expired one is refused', async () => {
    const signer = await AdmissionTokenSigner.fromJwks(await testJwks());
    const now = Math.floor(Date.now() / 1000);
    const expired = await signer.sign({
      evt: eventId,
      sub: newId('queueEntry'),
      jti: newId('admission'),
      iat: now - 400,
      exp: now - 100,
    });
    await expect(verifyAdmission(expired, eventId, jwks)).rejects.toThrow(/exp/);
  });

  test('admission token: one for another event is refused', async () => {
    await expect(verifyAdmission(admissionToken, otherEventId, jwks)).rejects.toThrow(
      /another event/,
    );
  });

  test('admission token: a queue token is not an admission token', async () => {
    await expect(verifyAdmission(fanToken, eventId, jwks)).rejects.toThrow();
  });
});

describe('admission key rotation', () => {
  test('tokens in flight stay valid across a rotation, and the next key is known before it signs', async ({
    redis,
  }) => {
    const [a, b, c] = [
      await generateAdmissionKey(),
      await generateAdmissionKey(),
      await generateAdmissionKey(),
    ];
    const now = Math.floor(Date.now() / 1000);
    const claims = () => ({
      evt: 'ev-rotate',
      sub: newId('queueEntry'),
      jti: newId('admission'),
      iat: now,
      exp: now + 300,
    });
    const before = await AdmissionTokenSigner.fromJwks(JSON.stringify({ keys: [a, b] }));
    const after = await AdmissionTokenSigner.fromJwks(JSON.stringify({ keys: [b, c, a] }));
    const retired = await AdmissionTokenSigner.fromJwks(JSON.stringify({ keys: [b, c] }));
    const tokenBefore = await before.sign(claims());
    const tokenAfter = await after.sign(claims());

    const apps: HttpApp[] = [];
    try {
      const jwksOf = async (keys: object[]) => {
        const started = await startApp(redis, { ADMISSION_PRIVATE_JWKS: JSON.stringify({ keys }) });
        apps.push(started);
        return createRemoteJWKSet(new URL('/.well-known/jwks.json', await listen(started)));
      };
      const oldSet = await jwksOf([a, b]);
      const rotatedSet = await jwksOf([b, c, a]);
      const retiredSet = await jwksOf([b, c]);
      // A checkout still holding the old key set already knows the new signing key.
      await expect(verifyAdmission(tokenAfter, 'ev-rotate', oldSet)).resolves.toBeTruthy();
      // After the switch the previous key is still published: tokens signed before stay valid.
      await expect(verifyAdmission(tokenBefore, 'ev-rotate', rotatedSet)).resolves.toBeTruthy();
      await expect(verifyAdmission(tokenAfter, 'ev-rotate', rotatedSet)).resolves.toBeTruthy();
      // Once the previous key is retired (after one checkout window), its tokens are refused.
      await expect(verifyAdmission(tokenBefore, 'ev-rotate', retiredSet)).rejects.toThrow();
      await expect(
        verifyAdmission(await retired.sign(claims()), 'ev-rotate', retiredSet),
      ).resolves.toBeTruthy();
    } finally {
      await Promise.all(apps.map((started) => started.close()));
    }
  });
});
