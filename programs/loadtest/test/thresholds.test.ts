import { describe, expect, it } from 'vitest';
import { formatThresholds, parseThresholds } from '../src/thresholds.js';

/** The shape k6 v0.48 writes with --summary-export (thresholds: expression → crossed). */
const exported = {
  root_group: { name: '', path: '', groups: {}, checks: {} },
  metrics: {
    join_rate_limited: { fails: 990, passes: 10, thresholds: { 'rate<0.01': false }, value: 0.01 },
    early_sold_out_responses: { fails: 40, passes: 0, thresholds: { 'rate==0': false }, value: 0 },
    'http_req_duration{scenario:sustained,surface:api}': {
      avg: 12,
      'p(99)': 950,
      thresholds: { 'p(99)<800': true },
    },
    'http_req_duration{endpoint:join}': {
      'p(95)': 40,
      'p(99)': 90,
      thresholds: { 'p(95)<200': false, 'p(99)<500': false },
    },
    data_sent: { count: 100, rate: 10 },
  },
};

describe('parseThresholds', () => {
  it('reads every threshold of every metric, a crossed one as failed', () => {
    const summary = parseThresholds(exported);
    expect(summary.passed).toBe(false);
    expect(summary.results).toHaveLength(5);
    expect(summary.results.filter((result) => !result.passed)).toEqual([
      {
        metric: 'http_req_duration{scenario:sustained,surface:api}',
        expression: 'p(99)<800',
        passed: false,
      },
    ]);
  });

  it('passes when no threshold was crossed', () => {
    const metrics = Object.fromEntries(
      Object.entries(exported.metrics).filter(([name]) => !name.includes('sustained')),
    );
    expect(parseThresholds({ ...exported, metrics }).passed).toBe(true);
  });

  it('does not pass a run without thresholds', () => {
    expect(parseThresholds({ metrics: { data_sent: { count: 1 } } })).toEqual({
      results: [],
      passed: false,
    });
  });

  it('refuses what is not a summary export', () => {
    expect(() => parseThresholds({ state: { isStdOutTTY: true } })).toThrow(/summary-export/);
    expect(() =>
      parseThresholds({ metrics: { x: { thresholds: { 'rate<1': 'yes' } } } }),
    ).toThrow();
  });
});

describe('formatThresholds', () => {
  it('lists failures first', () => {
    const lines = formatThresholds(parseThresholds(exported));
    expect(lines[0]).toBe('FAIL  http_req_duration{scenario:sustained,surface:api}: p(99)<800');
    expect(lines.slice(1).every((line) => line.startsWith('pass  '))).toBe(true);
  });
});
