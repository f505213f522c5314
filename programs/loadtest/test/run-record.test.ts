import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseK6Version, writeRunRecord, type RunRecord } from '../src/run-record.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'loadtest-run-'));
  dirs.push(dir);
  return dir;
}

const record: RunRecord = {
  testid: 'sale-20261201-120000-abcdef',
  start: '2026-12-01T12:00:00.000Z',
  end: '2026-12-01T12:07:30.000Z',
  prometheusDir: '/repo/.loadtest/sale-20261201-120000-abcdef/prometheus',
  eventId: 'sale-20261201-120000-abcdef',
  rateScale: 0.01,
  timeScale: 0.5,
  ticketsTotal: 13_500,
  k6Version: 'v0.48.0',
  loadAverage: [0.5, 0.4, 0.3],
  thresholdsPassed: true,
};

describe('writeRunRecord', () => {
  it('writes run.json with exactly the fields the dashboard renderer reads', () => {
    const dir = tempDir();
    const file = writeRunRecord(dir, record);
    expect(file).toBe(join(dir, 'run.json'));
    const written: unknown = JSON.parse(readFileSync(file, 'utf8'));
    expect(written).toEqual(record);
    expect(Object.keys(written as object).sort()).toEqual(
      [
        'testid',
        'start',
        'end',
        'prometheusDir',
        'eventId',
        'rateScale',
        'timeScale',
        'ticketsTotal',
        'k6Version',
        'loadAverage',
        'thresholdsPassed',
      ].sort(),
    );
  });

  it('refuses a relative Prometheus folder, a bad date or a short load average', () => {
    const dir = tempDir();
    expect(() => writeRunRecord(dir, { ...record, prometheusDir: 'prometheus' })).toThrow(
      /absolute/,
    );
    expect(() => writeRunRecord(dir, { ...record, start: 'yesterday' })).toThrow();
    expect(() =>
      writeRunRecord(dir, {
        ...record,
        loadAverage: [1, 2] as unknown as [number, number, number],
      }),
    ).toThrow();
  });
});

describe('parseK6Version', () => {
  it('reads the version from `k6 version`', () => {
    expect(parseK6Version('k6 v0.48.0 (go1.19.8, linux/amd64)\n')).toBe('v0.48.0');
    expect(parseK6Version('k6 v1.3.0 (commit/5870e99ae8, go1.24.6, linux/amd64)')).toBe('v1.3.0');
  });

  it('says what it got when there is no version', () => {
    expect(() => parseK6Version('command not found')).toThrow(/command not found/);
  });
});
