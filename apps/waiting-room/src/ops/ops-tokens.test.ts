import { describe, expect, it } from 'vitest';
import { OpsTokens, parseOpsTokens } from './ops-tokens.js';

const OPS = 'ops-token-0123456789abcdef';
const ALICE = 'alice-token-0123456789';

describe('parseOpsTokens', () => {
  it('reads name:token pairs and nothing from an empty value', () => {
    expect(parseOpsTokens(undefined)).toEqual([]);
    expect(parseOpsTokens(' ')).toEqual([]);
    expect(parseOpsTokens(`alice:${ALICE}, bob:b:${ALICE}`)).toEqual([
      { name: 'alice', token: ALICE },
      { name: 'bob', token: `b:${ALICE}` },
    ]);
  });

  it('refuses short tokens, bad or repeated names and repeated tokens, without echoing a token', () => {
    const refusals = [
      'alice:short',
      `:${ALICE}`,
      `Alice:${ALICE}`,
      ALICE,
      `alice:${ALICE},alice:${ALICE}x`,
      `alice:${ALICE},bob:${ALICE}`,
    ];
    for (const value of refusals) {
      expect(() => parseOpsTokens(value), value).toThrow();
      try {
        parseOpsTokens(value);
      } catch (err) {
        expect(String(err)).not.toContain(ALICE);
      }
    }
  });
});

describe('OpsTokens', () => {
  it('names OPS_TOKEN "ops" and every other token by its name', () => {
    const tokens = OpsTokens.fromEnv(OPS, `alice:${ALICE}`);
    expect(tokens.identify(OPS)).toBe('ops');
    expect(tokens.identify(ALICE)).toBe('alice');
    expect(tokens.identify(`${ALICE}x`)).toBeNull();
    expect(tokens.identify('')).toBeNull();
    expect(tokens.identify(null)).toBeNull();
  });

  it('refuses the name "ops" and a second copy of OPS_TOKEN', () => {
    expect(() => OpsTokens.fromEnv(OPS, `ops:${ALICE}`)).toThrow();
    expect(() => OpsTokens.fromEnv(OPS, `alice:${OPS}`)).toThrow();
  });
});
