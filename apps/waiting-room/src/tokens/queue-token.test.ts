import { createHmac } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { describe, expect, test } from 'vitest';
import { QueueTokens } from './queue-token.js';

const secret = 'a-secret-that-is-long-enough-0123456789';
const key = new TextEncoder().encode(secret);
const entry = 'q_AAAAAAAAAAAAAAAAAAAAAA';

/** A token of the form issued before queue tokens were JWTs. */
function legacyToken(claims: Record<string, unknown>, withSecret = secret): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const mac = createHmac('sha256', withSecret).update(payload).digest('base64url');
  return `${payload}.${mac}`;
}

describe('queue tokens', () => {
  test('round trip, and a verified token stays checked for event and expiry', () => {
    const tokens = new QueueTokens(secret, 60);
    const now = Date.now();
    const token = tokens.issue({ evt: 'ev-a', sub: entry, seq: 7 }, now);
    expect(tokens.verify(token, 'ev-a', now)).toMatchObject({
      ok: true,
      claims: { seq: 7, evt: 'ev-a', sub: entry },
    });
    // Second time from the cache: still bound to its event and its expiry.
    expect(tokens.verify(token, 'ev-b', now)).toEqual({ ok: false, reason: 'TOKEN_INVALID' });
    expect(tokens.verify(token, 'ev-a', now + 61_000)).toEqual({
      ok: false,
      reason: 'TOKEN_EXPIRED',
    });
  });

  test('is a JWT that jose verifies with the algorithm and the type pinned', async () => {
    const tokens = new QueueTokens(secret, 60);
    const token = tokens.issue({ evt: 'ev-a', sub: entry, pre: 3 });
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'queue+jwt' });
    const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'], typ: 'queue+jwt' });
    expect(payload).toEqual({ evt: 'ev-a', sub: entry, pre: 3, exp: expect.any(Number) });
  });

  test('a token jose signs with the same header and claims is accepted', async () => {
    const tokens = new QueueTokens(secret, 60);
    const exp = Math.floor(Date.now() / 1000) + 60;
    const token = await new SignJWT({ evt: 'ev-a', sub: entry, seq: 9, exp })
      .setProtectedHeader({ alg: 'HS256', typ: 'queue+jwt' })
      .sign(key);
    expect(tokens.verify(token, 'ev-a')).toMatchObject({ ok: true, claims: { seq: 9 } });
  });

  test('a token of another secret, a tampered or a malformed one is invalid, and stays so', () => {
    const tokens = new QueueTokens(secret, 60);
    const other = new QueueTokens(`${secret}-other`, 60);
    const token = other.issue({ evt: 'ev-a', sub: entry, pre: 3 });
    const genuine = tokens.issue({ evt: 'ev-a', sub: entry, pre: 3 });
    const [header, payload, signature = ''] = genuine.split('.');
    // The same bytes under another base64url spelling of the signature's last character.
    const last = signature.at(-1) ?? 'A';
    const twin = `${header}.${payload}.${signature.slice(0, -1)}${last === 'A' ? 'B' : 'A'}`;
    for (const bad of [
      token,
      `${genuine}x`,
      `${genuine}.`,
      twin,
      `${header}.${payload}`,
      `${header}.${payload}.`,
      'a.b.c',
      'a.b',
      '',
      '.',
      '..',
      'x'.repeat(2_000),
    ]) {
      expect(tokens.verify(bad, 'ev-a')).toEqual({ ok: false, reason: 'TOKEN_INVALID' });
      // Asked again: a refused token never entered the cache of verified tokens.
      expect(tokens.verify(bad, 'ev-a')).toEqual({ ok: false, reason: 'TOKEN_INVALID' });
    }
    expect(tokens.verify(genuine, 'ev-a')).toMatchObject({ ok: true });
  });

  test('claims this service did not write are refused even under a valid signature', async () => {
    const tokens = new QueueTokens(secret, 60);
    const exp = Math.floor(Date.now() / 1000) + 60;
    const sign = (claims: Record<string, unknown>) =>
      new SignJWT(claims).setProtectedHeader({ alg: 'HS256', typ: 'queue+jwt' }).sign(key);
    for (const claims of [
      { evt: 'ev-a', sub: entry, exp },
      { evt: 'ev-a', sub: entry, seq: 1, pre: 1, exp },
      { evt: 'ev-a', sub: entry, seq: 1, exp, admin: true },
      { evt: 'ev-a', sub: entry, seq: 0, exp },
      { evt: 'ev-a', sub: 'adm_AAAAAAAAAAAAAAAAAAAAAA', seq: 1, exp },
      { evt: 'ev-a', sub: entry, seq: 1 },
      { sub: entry, seq: 1, exp },
    ]) {
      expect(tokens.verify(await sign(claims), 'ev-a')).toEqual({
        ok: false,
        reason: 'TOKEN_INVALID',
      });
    }
  });

  test('tokens of the earlier payload.mac form keep working until they expire', () => {
    const tokens = new QueueTokens(secret, 60);
    const now = Date.now();
    const exp = Math.floor(now / 1000) + 30;
    const legacy = legacyToken({ typ: 'queue', evt: 'ev-a', sub: entry, exp, seq: 4 });
    expect(tokens.verify(legacy, 'ev-a', now)).toEqual({
      ok: true,
      claims: { evt: 'ev-a', sub: entry, exp, seq: 4 },
    });
    expect(tokens.verify(legacy, 'ev-a', now + 31_000)).toEqual({
      ok: false,
      reason: 'TOKEN_EXPIRED',
    });
    for (const bad of [
      legacyToken({ typ: 'queue', evt: 'ev-a', sub: entry, exp, seq: 4 }, `${secret}-other`),
      legacyToken({ typ: 'admission', evt: 'ev-a', sub: entry, exp, seq: 4 }),
      legacyToken({ evt: 'ev-a', sub: entry, exp, seq: 4 }),
    ]) {
      expect(tokens.verify(bad, 'ev-a', now)).toEqual({ ok: false, reason: 'TOKEN_INVALID' });
    }
  });
});
