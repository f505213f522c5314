import { describe, expect, test } from 'vitest';
import { toSpannerTimestamp } from './spanner-store.js';

describe('toSpannerTimestamp', () => {
  test('moves an offset timestamp to UTC and keeps every fractional digit', () => {
    expect(toSpannerTimestamp('2030-06-01T10:00:00.123456+02:00')).toBe(
      '2030-06-01T08:00:00.123456Z',
    );
    expect(toSpannerTimestamp('2030-01-01T00:30:00-01:00')).toBe('2030-01-01T01:30:00Z');
    expect(toSpannerTimestamp('2030-12-31T23:59:59.999999999Z')).toBe(
      '2030-12-31T23:59:59.999999999Z',
    );
  });

  test('rejects what is not RFC 3339 instead of storing a shifted instant', () => {
    expect(() => toSpannerTimestamp('2030-06-01 10:00:00')).toThrow(/RFC 3339/);
    expect(() => toSpannerTimestamp('yesterday')).toThrow(/RFC 3339/);
  });
});
