import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';
import { COLUMNS, DEFAULT_FAULTS } from '../../src/chaos/index.js';

const main = fileURLToPath(new URL('../../src/chaos/main.ts', import.meta.url));

/** Runs `pnpm chaos` as a user would (the CLI in a process of its own) and keeps what it printed. */
function runCli(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', main], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      resolve({ code, output });
    });
  });
}

/** The table's rows by fault: every column's figure, by the column's title. */
function tableRows(output: string): Map<string, Record<string, number>> {
  const lines = output.split('\n');
  const header = lines.findIndex((line) => line.startsWith('fault  '));
  const rows = new Map<string, Record<string, number>>();
  if (header < 0) return rows;
  for (const line of lines.slice(header + 1)) {
    if (line.trim() === '') break;
    const [fault, ...cells] = line.trim().split(/\s{2,}/);
    if (fault === undefined) continue;
    rows.set(
      fault,
      Object.fromEntries(
        COLUMNS.map((column, i) => [column.title, Number((cells[i] ?? 'NaN').replaceAll(',', ''))]),
      ),
    );
  }
  return rows;
}

describe('pnpm chaos', () => {
  test(
    'sells 2,000 tickets through each of the five faults: exit 0, and nothing oversold, duplicated, lost or overtaken',
    { timeout: 330_000 },
    async () => {
      const { code, output } = await runCli({
        CHAOS_TICKETS_PER_FAULT: '2000',
        CHAOS_FAULTS: DEFAULT_FAULTS.join(','),
        CHAOS_FANS: '300',
        CHAOS_SALE_SECONDS: '12',
        CHAOS_SALE_TIMEOUT_SECONDS: '60',
        CHAOS_DRAIN_SECONDS: '45',
      });
      const rows = tableRows(output);
      expect([...rows.keys()], output).toEqual([...DEFAULT_FAULTS]);
      for (const [fault, row] of rows) {
        const why = `${fault}\n${output}`;
        expect(row.oversold, why).toBe(0);
        expect(row['duplicate codes'], why).toBe(0);
        expect(row['orders lost'], why).toBe(0);
        expect(row['fans who lost their place'], why).toBe(0);
        expect(row.tickets, why).toBe(2000);
        expect(row['accepted 202s'], why).toBeGreaterThan(0);
        expect((row.confirmed ?? 0) + (row.rejected ?? 0), why).toBe(row['accepted 202s']);
        expect(row['persisted tickets'], why).toBeLessThanOrEqual(2000);
      }
      expect(output).toMatch(/^load average: .+ cores\)$/m);
      expect(output).toMatch(/^command: .*CHAOS_TICKETS_PER_FAULT=2000 .*pnpm chaos$/m);
      expect(code, output).toBe(0);
    },
  );
});
