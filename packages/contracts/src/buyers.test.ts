import { describe, expect, test } from 'vitest';
import { buyerCapField, normaliseBuyerEmail } from './buyers.js';
import { BuyerSchema } from './orders.js';

describe('buyer e-mail for the per-buyer cap', () => {
  test('is trimmed, lower-cased and loses a +tag of the local part', () => {
    expect(normaliseBuyerEmail(' Foo+x@Example.com ')).toBe('foo@example.com');
    expect(normaliseBuyerEmail('foo@example.com')).toBe('foo@example.com');
    expect(normaliseBuyerEmail('a+b+c@EXAMPLE.org')).toBe('a@example.org');
    expect(buyerCapField('Foo+x@Example.com ')).toBe(buyerCapField('foo@example.com'));
    expect(buyerCapField('foo@example.com')).not.toBe(buyerCapField('bar@example.com'));
  });

  test('is never stored in clear', () => {
    expect(buyerCapField('foo@example.com')).not.toContain('foo');
  });
});

describe('BuyerSchema', () => {
  const email = 'ada@example.com';
  test('accepts an ordinary buyer, trimmed', () => {
    expect(BuyerSchema.parse({ name: ' Zoë Ünal ', email: ' Ada@Example.com ' })).toEqual({
      name: 'Zoë Ünal',
      email: 'Ada@Example.com',
    });
  });

  test.each([
    ['NUL', 'Ada\u0000Fan'],
    ['a C1 control', 'Ada\u0085Fan'],
    ['a line separator', 'Ada\u2028Fan'],
    ['a bidi override', 'Ada\u202eFan'],
    ['a bidi isolate', 'Ada\u2066Fan'],
    ['a decomposed é (not NFC)', 'Rene\u0301'],
    ['10,000 characters', 'a'.repeat(10_000)],
    ['only spaces', '   '],
  ])('refuses a name with %s', (_what, name) => {
    expect(BuyerSchema.safeParse({ name, email }).success).toBe(false);
  });

  test.each([
    ['NUL', 'ada\u0000@example.com'],
    ['a bidi override', 'ada\u202e@example.com'],
    ['a decomposed é', 'rene\u0301@example.com'],
    ['1,000 characters', `${'a'.repeat(990)}@example.com`],
  ])('refuses an e-mail with %s', (_what, value) => {
    expect(BuyerSchema.safeParse({ name: 'Ada', email: value }).success).toBe(false);
  });
});
