import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, test } from 'vitest';

const main = fileURLToPath(new URL('../bench/e2e-million.ts', import.meta.url));

/** Runs `pnpm e2e:million` as a user would (its own process, plain Node: the apps' builds). */
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

/** The invariant's printed figures, by their label. */
function figures(output: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const [, label, value] of output.matchAll(/^ {2}(\S.*?) {2,}([\d,]+)$/gm))
    if (label !== undefined && value !== undefined)
      found.set(label, Number(value.replaceAll(',', '')));
  return found;
}

describe('pnpm e2e:million, small', () => {
  test(
    '2,000 tickets through waiting room, checkout and worker: every printed figure of the invariant agrees, exit 0',
    { timeout: 300_000 },
    async () => {
      const { code, output } = await runCli({
        E2E_TICKETS: '2000',
        E2E_ADMISSION_RATE: '1000',
        E2E_ADDRESSES: '50',
        E2E_SAMPLE_READS: '100',
        E2E_TIMEOUT_SECONDS: '180',
      });
      const fans = Number(
        /, ([\d,]+) fans \(1-4 tickets each/.exec(output)?.[1]?.replaceAll(',', ''),
      );
      expect(fans, output).toBeGreaterThanOrEqual(500);
      expect(fans, output).toBeLessThanOrEqual(2000);
      const seen = figures(output);
      const why = output;
      expect(seen.get('tickets sold (Redis)'), why).toBe(2000);
      expect(seen.get('ticket rows (Postgres)'), why).toBe(2000);
      expect(seen.get('sum of confirmed quantities'), why).toBe(2000);
      expect(seen.get('distinct ticket codes'), why).toBe(2000);
      expect(seen.get('orders confirmed'), why).toBe(fans);
      expect(seen.get('orders rejected'), why).toBe(0);
      expect(seen.get('orders pending'), why).toBe(0);
      expect(seen.get('outbox pending'), why).toBe(0);
      expect(seen.get('sampled reads not confirmed (of 100)'), why).toBe(0);
      expect(output).toMatch(/^ {2}holds +yes$/m);
      // About 800 fans over 50 addresses: more joins per address than the default 10 per window.
      expect(output).toContain(
        `JOIN_RATE_LIMIT_MAX raised from 10 to ${Math.ceil(fans / 50)} per 10 s`,
      );
      expect(output).toMatch(/^wall: [\d.]+ s from the first join to the last confirmed order/m);
      for (const part of [
        'waiting-room',
        'checkout',
        'worker-1',
        'Pub/Sub emulator',
        'Redis',
        'Postgres',
        'load generator',
      ])
        expect(output).toMatch(
          new RegExp(`^ {2}${part.replace('/', '\\/')} +[\\d.]+ s +[\\d.]+ %`, 'm'),
        );
      expect(output).toMatch(/^load average: [\d. ]+ at the start, [\d. ]+ at the end$/m);
      expect(output).not.toContain('PROBLEM');
      expect(code, output).toBe(0);
    },
  );
});
