import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { newShuffleSeed, shuffleCommitment, shuffleOrder } from './shuffle-order.js';

/** Chi-square critical value for 5 degrees of freedom at p = 1e-6: a false alarm once in a million runs. */
const CHI2_DF5_P1E6 = 35.89;

function permutationCounts(
  trials: number,
  shuffle: (ids: string[]) => string[],
): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < trials; i += 1) {
    const ids = ['q_a', 'q_b', 'q_c'].map((p) => `${p}${randomBytes(8).toString('hex')}`);
    const shuffled = shuffle(ids);
    const key = shuffled.map((id) => id.slice(0, 3)).join('');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return counts;
}

function chiSquare(counts: Map<string, number>, cells: number, trials: number): number {
  const expected = trials / cells;
  let sum = 0;
  for (const observed of counts.values()) sum += (observed - expected) ** 2 / expected;
  // Cells never observed contribute their full expectation.
  sum += (cells - counts.size) * expected;
  return sum;
}

describe('pre-queue shuffle order', () => {
  test('the commitment is the SHA-256 of the seed bytes', () => {
    const seed = newShuffleSeed();
    expect(seed).toMatch(/^[0-9a-f]{64}$/);
    expect(shuffleCommitment(seed)).toBe(
      createHash('sha256').update(Buffer.from(seed, 'hex')).digest('hex'),
    );
  });

  test('the order is a permutation decided by the seed alone', () => {
    const ids = Array.from({ length: 50 }, (_, i) => `q_${String(i).padStart(22, '0')}`);
    const seed = newShuffleSeed();
    const order = shuffleOrder(seed, ids);
    expect([...order].sort((a, b) => a - b)).toEqual(ids.map((_, i) => i));
    expect(shuffleOrder(seed, [...ids].reverse()).map((i) => ids[49 - i])).toEqual(
      order.map((i) => ids[i]),
    );
    expect(shuffleOrder(newShuffleSeed(), ids)).not.toEqual(order);
  });

  test('every order of three early arrivals is equally likely (chi-square, p = 1e-6)', () => {
    const trials = 12_000;
    const counts = permutationCounts(trials, (ids) =>
      shuffleOrder(newShuffleSeed(), ids).map((i) => ids[i] ?? ''),
    );
    expect(counts.size).toBe(6);
    expect(chiSquare(counts, 6, trials)).toBeLessThan(CHI2_DF5_P1E6);
  });

  test('the chi-square check does catch a biased order', () => {
    // The first arrival keeps place 1 half of the time: the test above must be able to fail.
    const trials = 12_000;
    const counts = permutationCounts(trials, (ids) => {
      const shuffled = shuffleOrder(newShuffleSeed(), ids).map((i) => ids[i] ?? '');
      if (Math.random() < 0.5 && shuffled[0] !== ids[0]) {
        return [ids[0] ?? '', ...shuffled.filter((id) => id !== ids[0])];
      }
      return shuffled;
    });
    expect(chiSquare(counts, 6, trials)).toBeGreaterThan(CHI2_DF5_P1E6);
  });
});
