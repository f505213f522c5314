import {
  afterAll,
  beforeAll,
  createSigningKey,
  createTestAdmissionIssuer,
  describe,
  expect,
  freePort,
  test,
  type TestAdmissionIssuer,
} from '@frequency/testing';
import { AdmissionVerifier } from './verifier.js';

let issuer: TestAdmissionIssuer;
let clock = Date.now();

beforeAll(async () => {
  issuer = await createTestAdmissionIssuer();
});
afterAll(async () => {
  await issuer.close();
});

function verifier(options: { cacheSize?: number } = {}) {
  return new AdmissionVerifier({
    jwksUrl: issuer.jwksUrl,
    refetchCooldownMs: 0,
    maxAgeMs: 60_000,
    now: () => clock,
    ...options,
  });
}

async function rejection(promise: Promise<unknown>): Promise<string | undefined> {
  return promise.then(
    () => undefined,
    (err: unknown) => (err as { code?: string }).code,
  );
}

describe('verified admission tokens are remembered until they expire', () => {
  test('polling with the same token checks its signature once', async () => {
    const checker = verifier();
    const { token, claims } = await issuer.mint({ eventId: 'cache' });
    for (let i = 0; i < 5; i += 1) {
      expect(await checker.verify(`Bearer ${token}`, 'cache')).toEqual(claims);
    }
    expect(checker.stats).toEqual({ signatureChecks: 1, cacheHits: 4 });
  });

  test('a remembered token still expires, and still belongs to one event only', async () => {
    const checker = verifier();
    const { token } = await issuer.mint({ eventId: 'cache', ttlSeconds: 60 });
    await checker.verify(`Bearer ${token}`, 'cache');
    expect(await rejection(checker.verify(`Bearer ${token}`, 'another-event'))).toBe(
      'TOKEN_INVALID',
    );
    clock += 120_000;
    try {
      expect(await rejection(checker.verify(`Bearer ${token}`, 'cache'))).toBe('TOKEN_EXPIRED');
      expect(await rejection(checker.verify(`Bearer ${token}`))).toBe('TOKEN_EXPIRED');
    } finally {
      clock -= 120_000;
    }
    // The expired token was forgotten at its first use after expiry: the second use checked it anew.
    expect(checker.stats).toEqual({ signatureChecks: 2, cacheHits: 2 });
  });

  test('a forged token is never remembered: a second try is checked (and refused) again', async () => {
    const checker = verifier();
    const stranger = await createSigningKey(issuer.current.kid);
    const { token } = await issuer.mint({ eventId: 'cache', key: stranger });
    expect(await rejection(checker.verify(`Bearer ${token}`, 'cache'))).toBe('TOKEN_INVALID');
    expect(await rejection(checker.verify(`Bearer ${token}`, 'cache'))).toBe('TOKEN_INVALID');
    expect(checker.stats).toEqual({ signatureChecks: 2, cacheHits: 0 });
  });

  test('a token of a key the waiting room stops publishing is refused once the keys refresh', async () => {
    const retiring = await createSigningKey('retiring-key');
    issuer.addKey(retiring);
    const checker = new AdmissionVerifier({
      jwksUrl: issuer.jwksUrl,
      refetchCooldownMs: 0,
      maxAgeMs: 1_000,
      now: () => clock,
    });
    const { token } = await issuer.mint({ eventId: 'cache', key: retiring });
    await checker.verify(`Bearer ${token}`, 'cache');
    issuer.removeKey(retiring.kid);
    clock += 2_000;
    try {
      // Keys older than maxAge refresh in the background on the next verification.
      const fetches = issuer.fetches;
      await checker.verify(`Bearer ${token}`, 'cache');
      await expect.poll(() => issuer.fetches).toBeGreaterThan(fetches);
      await expect
        .poll(() => rejection(checker.verify(`Bearer ${token}`, 'cache')))
        .toBe('TOKEN_INVALID');
    } finally {
      clock -= 2_000;
    }
  });

  test('the cache is bounded: the oldest token is forgotten first', async () => {
    const checker = verifier({ cacheSize: 2 });
    const tokens = await Promise.all(
      [0, 1, 2].map(async () => (await issuer.mint({ eventId: 'cache' })).token),
    );
    for (const token of tokens) await checker.verify(`Bearer ${token}`);
    await checker.verify(`Bearer ${tokens[2]!}`);
    await checker.verify(`Bearer ${tokens[0]!}`);
    expect(checker.stats).toEqual({ signatureChecks: 4, cacheHits: 1 });
  });
});

describe('while the waiting room cannot be reached', () => {
  test('a good token is answered "try again" (UNAVAILABLE), never TOKEN_INVALID, however many wait on the same fetch', async () => {
    const { token } = await issuer.mint({ eventId: 'down' });
    const checker = new AdmissionVerifier({
      // Nothing listens there: every fetch of the keys fails.
      jwksUrl: `http://127.0.0.1:${await freePort()}/.well-known/jwks.json`,
      refetchCooldownMs: 60_000,
      maxAgeMs: 60_000,
    });
    const codes = await Promise.all(
      Array.from({ length: 8 }, () => rejection(checker.verify(`Bearer ${token}`, 'down'))),
    );
    expect(codes).toEqual(Array.from({ length: 8 }, () => 'UNAVAILABLE'));
    // And again after the failed fetch, inside the cooldown.
    expect(await rejection(checker.verify(`Bearer ${token}`, 'down'))).toBe('UNAVAILABLE');
  });
});
