import { describe, expect, test } from 'vitest';
import { RingBuffer } from './ring-buffer';

describe('the chart history', () => {
  test('keeps the newest items, oldest first', () => {
    const ring = new RingBuffer<number>(3);
    for (const n of [1, 2, 3, 4, 5]) ring.push(n);
    expect(ring.toArray()).toEqual([3, 4, 5]);
    expect(ring.length).toBe(3);
    ring.clear();
    expect(ring.toArray()).toEqual([]);
  });

  test('refuses a useless capacity', () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});
