import { createHash } from 'node:crypto';
import { leadingZeroBits } from '@frequency/contracts/pow';
import { describe, expect, it } from 'vitest';
import {
  ChallengeState,
  isChallengeFailed,
  readChallenge,
  readChallengeBits,
  solveJoinChallenge,
} from '../lib/challenge.ts';

const sha256 = (input: string) => createHash('sha256').update(input, 'utf8').digest();

describe('join challenge, as a client plays it', () => {
  it('reads the issued challenge and the event difficulty, refusing malformed answers', () => {
    expect(readChallenge({ challenge: 'ch_a', bits: 12, expiresAt: 'x' })).toEqual({
      challenge: 'ch_a',
      bits: 12,
    });
    for (const bad of [null, [], {}, { challenge: '', bits: 1 }, { challenge: 'c', bits: 33 }]) {
      expect(readChallenge(bad)).toBeNull();
    }
    expect(readChallengeBits({ joinChallengeBits: 14 })).toBe(14);
    expect(readChallengeBits({ id: 'x' })).toBeNull();
  });

  it('solves a challenge so SHA-256 of "challenge.nonce" has the asked zero bits', () => {
    for (const bits of [0, 4, 10]) {
      const solution = solveJoinChallenge({ challenge: 'ch_k6-test', bits }, sha256);
      expect(solution.challenge).toBe('ch_k6-test');
      expect(leadingZeroBits(sha256(`ch_k6-test.${solution.nonce}`))).toBeGreaterThanOrEqual(bits);
    }
  });

  it('follows the difficulty from the event view, the challenges and a refused join', () => {
    const state = new ChallengeState(0);
    expect(state.needed).toBe(false);
    state.sawJoin(403, { error: { code: 'CHALLENGE_FAILED' } });
    expect(state.needed).toBe(true);
    state.sawChallenge({ challenge: 'c', bits: 0 });
    expect(state.needed).toBe(false);
    state.sawEvent({ joinChallengeBits: 9 });
    expect(state.needed).toBe(true);
    state.sawEvent({ joinChallengeBits: 0 });
    expect(state.needed).toBe(false);
    state.sawJoin(403, { error: { code: 'ADMISSION_USED' } });
    state.sawJoin(429, { error: { code: 'RATE_LIMITED' } });
    expect(state.needed).toBe(false);
    expect(isChallengeFailed(403, { error: { code: 'CHALLENGE_FAILED' } })).toBe(true);
    expect(isChallengeFailed(422, { error: { code: 'CHALLENGE_FAILED' } })).toBe(false);
  });
});
