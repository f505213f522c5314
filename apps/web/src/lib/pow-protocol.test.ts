import { describe, expect, it } from 'vitest';
import { challengeProgress } from './pow-protocol';

describe('challenge progress', () => {
  it('rises with the attempts, never reaches 100 % before the answer, and is done at 0 bits', () => {
    expect(challengeProgress(0, 14)).toBe(0);
    const steps = [1, 1_000, 2 ** 14, 4 * 2 ** 14, 100 * 2 ** 14].map((n) =>
      challengeProgress(n, 14),
    );
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(challengeProgress(2 ** 14, 14)).toBe(63);
    expect(Math.max(...steps)).toBe(99);
    expect(challengeProgress(0, 0)).toBe(100);
  });
});
