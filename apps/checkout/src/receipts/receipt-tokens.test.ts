import { AppError, receiptTokenIssuer, receiptTokenType } from '@frequency/contracts';
import { describe, expect, test } from '@frequency/testing';
import { SignJWT } from 'jose';
import { ReceiptTokens } from './receipt-tokens.js';

const secret = 'a receipt secret of at least thirty-two characters';
const orderId = 'ord_AAAAAAAAAAAAAAAAAAAAAA';
const at = Date.parse('2026-12-01T10:00:00Z');

function receipts(options: Partial<ConstructorParameters<typeof ReceiptTokens>[0]> = {}) {
  return new ReceiptTokens({ secret, ttlSeconds: 3_600, now: () => at, ...options });
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'accepted';
  } catch (err) {
    return err instanceof AppError ? err.code : String(err);
  }
}

describe('receipt tokens', () => {
  test('a receipt is the very token jose signs for the same claims, and reads back', async () => {
    const token = await receipts().issue(orderId, 'ev-1');
    const iat = Math.floor(at / 1000);
    const byJose = await new SignJWT({ evt: 'ev-1' })
      .setProtectedHeader({ alg: 'HS256', typ: receiptTokenType })
      .setIssuer(receiptTokenIssuer)
      .setSubject(orderId)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 3_600)
      .sign(new TextEncoder().encode(secret));
    expect(token).toBe(byJose);
    expect(await receipts().verify(token)).toMatchObject({
      sub: orderId,
      evt: 'ev-1',
      iat,
      exp: iat + 3_600,
    });
  });

  test('a changed, foreign or expired receipt is refused', async () => {
    const token = await receipts().issue(orderId, 'ev-1');
    const [header, payload, signature] = token.split('.');
    const otherOrder = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(payload ?? '', 'base64url').toString()),
        sub: 'ord_B',
      }),
    ).toString('base64url');
    expect(await codeOf(receipts().verify(`${header}.${otherOrder}.${signature}`))).toBe(
      'TOKEN_INVALID',
    );
    const foreign = await receipts({ secret: 'another secret, also thirty-two characters' }).issue(
      orderId,
      'ev-1',
    );
    expect(await codeOf(receipts().verify(foreign))).toBe('TOKEN_INVALID');
    expect(await codeOf(receipts({ now: () => at + 3_700_000 }).verify(token))).toBe(
      'TOKEN_EXPIRED',
    );
  });

  test('after a rotation, receipts signed with the previous secret still read', async () => {
    const old = await receipts().issue(orderId, 'ev-1');
    const rotated = receipts({
      secret: 'the next secret, thirty-two characters long',
      previousSecret: secret,
    });
    expect(await codeOf(rotated.verify(old))).toBe('accepted');
  });
});
