import { describe, expect, test } from 'vitest';
import { benchFigure, formatTable, parseBenchLine, reportBench } from '../src/index.js';

describe('the BENCH line convention', () => {
  test('a reported figure parses back to the same figure, with the ratio computed from the baseline', () => {
    const lines: string[] = [];
    reportBench(
      {
        name: 'status poll',
        value: 42_000,
        unit: 'req/s',
        baseline: 60_000,
        baselineName: 'bare fastify',
        target: '>= 70% of bare',
      },
      (line) => lines.push(line),
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^BENCH \{.*\}\n$/);
    expect(parseBenchLine(lines[0] ?? '')).toEqual({
      name: 'status poll',
      value: 42_000,
      unit: 'req/s',
      baseline: 60_000,
      baselineName: 'bare fastify',
      ratio: 0.7,
      target: '>= 70% of bare',
    });
  });

  test('a figure without a baseline has no ratio; an explicit ratio wins', () => {
    expect(benchFigure({ name: 'bytes per fan', value: 120, unit: 'B' }).ratio).toBeNull();
    expect(benchFigure({ name: 'p99', value: 4, unit: 'ms', baseline: 2, ratio: 0.5 }).ratio).toBe(
      0.5,
    );
  });

  test('other output, prefixed log lines and malformed BENCH lines are not figures', () => {
    expect(parseBenchLine('Waiting-room benchmark: 100 connections')).toBeNull();
    expect(parseBenchLine('BENCH {not json')).toBeNull();
    expect(parseBenchLine('BENCH {"name":"x","value":"fast"}')).toBeNull();
    expect(
      parseBenchLine(
        'worker │ BENCH {"name":"rows","value":5,"unit":"rows/s","baseline":null,"baselineName":null,"ratio":null,"target":null}',
      )?.name,
    ).toBe('rows');
  });

  test('the table lists every figure with its baseline and ratio', () => {
    const table = formatTable([
      {
        ...benchFigure({
          name: 'join',
          value: 9_000,
          unit: 'req/s',
          baseline: 30_000,
          baselineName: 'bare',
        }),
        source: 'waiting-room',
      },
      {
        ...benchFigure({ name: 'memory per fan', value: 96.5, unit: 'B' }),
        source: 'waiting-room',
      },
    ]);
    const rows = table.split('\n');
    expect(rows).toHaveLength(4);
    expect(rows[2]).toMatch(
      /\| waiting-room \| join +\| 9,000 req\/s \| 30,000 req\/s \(bare\) \| 0\.30× \|/,
    );
    expect(rows[3]).toMatch(/memory per fan \| 96\.5 B +\| - +\| - +\|/);
  });
});
