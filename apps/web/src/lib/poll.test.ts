import { describe, expect, test } from 'vitest';
import { maxBackoffMs, nextPollDelay, parseRetryAfter } from './poll';

describe('when a page polls again', () => {
  test('it follows pollAfterMs, spread by ±20 %', () => {
    expect(nextPollDelay({ pollAfterMs: 2_000, failures: 0, random: 0 })).toBe(1_600);
    expect(nextPollDelay({ pollAfterMs: 2_000, failures: 0, random: 0.5 })).toBe(2_000);
    expect(nextPollDelay({ pollAfterMs: 2_000, failures: 0, random: 0.999 })).toBeLessThan(2_400);
  });

  test('failures back off exponentially up to a bound', () => {
    const delays = [1, 2, 3, 4, 10].map((failures) =>
      nextPollDelay({ pollAfterMs: 500, failures, random: 0.5 }),
    );
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, maxBackoffMs]);
  });

  test('a Retry-After is never undercut', () => {
    expect(nextPollDelay({ pollAfterMs: 1_000, failures: 1, retryAfterMs: 7_000, random: 0 })).toBe(
      7_000,
    );
  });

  test('Retry-After reads seconds and HTTP dates', () => {
    expect(parseRetryAfter('3')).toBe(3_000);
    expect(parseRetryAfter(null)).toBeNull();
    expect(parseRetryAfter('soon')).toBeNull();
    const now = Date.parse('2030-01-01T00:00:00Z');
    expect(parseRetryAfter('Tue, 01 Jan 2030 00:00:05 GMT', now)).toBe(5_000);
  });
});
