import { describe, expect, test } from 'vitest';
import { QueueTokens } from './queue-token.js';

const secret = 'a-secret-that-is-long-enough-0123456789';

describe('queue tokens', () => {
  test('round trip, and a verified token stays checked for event and expiry', () => {
    const tokens = new QueueTokens(secret, 60);
    const now = Date.now();
    const token = tokens.issue({ evt: 'ev-a', sub: 'q_AAAAAAAAAAAAAAAAAAAAAA', seq: 7 }, now);
    expect(tokens.verify(token, 'ev-a', now)).toMatchObject({
      ok: true,
      claims: { seq: 7, evt: 'ev-a' },
    });
    // Second time from the cache: still bound to its event and its expiry.
    expect(tokens.verify(token, 'ev-b', now)).toEqual({ ok: false, reason: 'TOKEN_INVALID' });
    expect(tokens.verify(token, 'ev-a', now + 61_000)).toEqual({
      ok: false,
      reason: 'TOKEN_EXPIRED',
    });
  });

  test('a token of another secret, a tampered or a malformed one is invalid', () => {
    const tokens = new QueueTokens(secret, 60);
    const other = new QueueTokens(`${secret}-other`, 60);
    const token = other.issue({ evt: 'ev-a', sub: 'q_AAAAAAAAAAAAAAAAAAAAAA', pre: 3 });
    for (const bad of [
      token,
      `${token}x`,
      'a.b',
      '',
      '.',
      'x'.repeat(2_000),
      `${token.split('.')[0]}.`,
    ]) {
      expect(tokens.verify(bad, 'ev-a')).toEqual({ ok: false, reason: 'TOKEN_INVALID' });
    }
  });
});
