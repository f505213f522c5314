import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from '@frequency/testing';
import { readSimulatorSettings, simulate, verdicts, writeReport } from '../src/index.js';
import { TINY_SALE } from './tiny-sale.js';

describe('the sale simulator', () => {
  test('plays a tiny lifecycle to sold out against a stack it starts: sold = persisted = total, none oversold', async () => {
    const reportDir = mkdtempSync(join(tmpdir(), 'sim-report-'));
    try {
      const settings = readSimulatorSettings(
        {
          ...process.env,
          ...TINY_SALE,
          // Every joining fan solves a (cheap) proof of work, as on sale day.
          SIM_JOIN_CHALLENGE_BITS: '8',
        },
        'smoke test',
      );
      const result = await simulate(settings, { update: () => undefined, done: () => undefined });
      const written = await writeReport(result, reportDir);

      const { ledger } = result;
      expect(ledger.oversold).toBe(0);
      expect(ledger.redisSold).toBe(500);
      expect(ledger.persistedTickets).toBe(500);
      expect(ledger.confirmedQuantity).toBe(500);
      expect(result.fanTickets).toBe(500);
      expect(verdicts(result).filter((check) => !check.ok)).toEqual([]);
      // Every join carried a solved challenge, and none was refused: neither the proof nor the
      // per-client join limit (fans come from many loopback addresses, not a forged header).
      expect(result.counters.joined).toBeGreaterThan(0);
      expect(result.counters.challengesSolved).toBeGreaterThanOrEqual(result.counters.joined);
      const joinAnswers = [...result.recorder.outcomes.values()].flatMap((byKey) =>
        [...byKey.keys()].filter((key) => key.startsWith('join ')),
      );
      expect(joinAnswers.filter((key) => / (403|429)\b/.test(key))).toEqual([]);
      // Every phase sent requests and the fans followed the whole flow.
      for (const phase of result.phases)
        expect(result.recorder.outcomes.get(phase.name)?.size ?? 0).toBeGreaterThan(0);
      expect(result.recorder.latencies.get('order')?.length ?? 0).toBeGreaterThan(0);
      expect(result.recorder.latencies.get('order_status')?.length ?? 0).toBeGreaterThan(0);

      const report = readFileSync(written.reportPath, 'utf8');
      expect(report).toContain('| **oversold** | **0** |');
      expect(report).toContain('smoke test');
      for (const chart of written.charts) {
        expect(existsSync(chart)).toBe(true);
        expect(readFileSync(chart, 'utf8')).toMatch(/^<svg[\s\S]*<polyline[\s\S]*<\/svg>\n$/);
      }
    } finally {
      rmSync(reportDir, { recursive: true, force: true });
    }
  }, 150_000);
});
