import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  challengeInput,
  leadingZeroBits,
  meetsDifficulty,
  solveChallenge,
  solveChallengeAsync,
} from './pow.js';
import { sha256Utf8, solveChallengeNode } from './pow-node.js';
import { JoinBodySchema } from './queue.js';

const bytes = (...values: number[]) => Uint8Array.from(values);

describe('leading zero bits', () => {
  it('counts whole zero bytes and the zeros of the first non-zero byte', () => {
    expect(leadingZeroBits(bytes(0xff))).toBe(0);
    expect(leadingZeroBits(bytes(0x80, 0))).toBe(0);
    expect(leadingZeroBits(bytes(0x7f))).toBe(1);
    expect(leadingZeroBits(bytes(0x01))).toBe(7);
    expect(leadingZeroBits(bytes(0, 0x01))).toBe(15);
    expect(leadingZeroBits(bytes(0, 0, 0x10, 0xff))).toBe(19);
    expect(leadingZeroBits(bytes(0, 0))).toBe(16);
    expect(leadingZeroBits(bytes())).toBe(0);
  });

  it('meetsDifficulty agrees with leadingZeroBits for every bit count', () => {
    const samples = [
      bytes(0xff),
      bytes(0x01),
      bytes(0, 0x01),
      bytes(0, 0, 0x10, 0xff),
      bytes(0, 0),
    ];
    for (const sample of samples) {
      for (let bits = 0; bits <= 32; bits += 1) {
        expect(meetsDifficulty(sample, bits), `${sample.join(',')} @${bits}`).toBe(
          leadingZeroBits(sample) >= bits && sample.length * 8 >= bits,
        );
      }
    }
  });
});

describe('solving', () => {
  it('finds a nonce whose SHA-256 of "challenge.nonce" starts with the asked zero bits', () => {
    const challenge = 'ch_test-challenge-0123456789';
    for (const bits of [0, 1, 8, 12]) {
      const solution = solveChallengeNode(challenge, bits);
      expect(solution).not.toBeNull();
      if (!solution) continue;
      // Checked independently of the module's helpers: the contract's definition, spelled out.
      const digest = createHash('sha256').update(`${challenge}.${solution.nonce}`, 'utf8').digest();
      expect(leadingZeroBits(digest)).toBeGreaterThanOrEqual(bits);
      // The search counts up from 0, so every earlier nonce failed.
      expect(solution.attempts).toBe(Number(solution.nonce) + 1);
    }
  });

  it('a wrong nonce does not pass', () => {
    const challenge = 'ch_another-challenge';
    const solution = solveChallengeNode(challenge, 12);
    if (!solution) throw new Error('no solution');
    const wrong = String(Number(solution.nonce) - 1);
    expect(meetsDifficulty(sha256Utf8(challengeInput(challenge, wrong)), 12)).toBe(false);
  });

  it('gives up after maxAttempts', () => {
    expect(solveChallenge('c', 32, sha256Utf8, { maxAttempts: 100 })).toBeNull();
  });

  it('the asynchronous solver finds the same (lowest) nonce and reports progress', async () => {
    const challenge = 'ch_async-challenge';
    const sync = solveChallengeNode(challenge, 10);
    const progress: number[] = [];
    const solution = await solveChallengeAsync(
      challenge,
      10,
      (input) => Promise.resolve(sha256Utf8(input)),
      { batch: 16, onProgress: (n) => progress.push(n) },
    );
    expect(solution).toEqual(sync);
    if (solution && solution.attempts > 16) expect(progress.length).toBeGreaterThan(0);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });
});

describe('join body', () => {
  it('accepts {} and exactly { challenge, nonce }; refuses arrays, extra fields and wrong types', () => {
    expect(JoinBodySchema.safeParse({}).success).toBe(true);
    expect(JoinBodySchema.safeParse({ challenge: 'ch_x', nonce: '1' }).success).toBe(true);
    for (const bad of [
      [],
      null,
      'x',
      { challenge: 'ch_x' },
      { nonce: '1' },
      { challenge: 'ch_x', nonce: 1 },
      { challenge: 'ch_x', nonce: '1', extra: true },
      { extra: true },
      { challenge: 'x'.repeat(65), nonce: '1' },
      { challenge: 'ch_x', nonce: '' },
    ]) {
      expect(JoinBodySchema.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    }
  });
});
