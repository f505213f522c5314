// promtool validates the scrape config and the rules and runs the rule unit tests. It ships with
// Debian's prometheus package; without it these tests fail (they never skip).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packageDir } from '../src/paths.ts';

const prometheusDir = join(packageDir, 'prometheus');

function promtool(...args: string[]): { status: number | null; output: string } {
  const result = spawnSync('promtool', args, { cwd: prometheusDir, encoding: 'utf8' });
  if (result.error !== undefined) {
    throw new Error(
      `promtool could not run (${result.error.message}): it is missing. Install it with ` +
        '`apt-get update && apt-get install -y prometheus` (Debian package, gives promtool).',
    );
  }
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('promtool', () => {
  it('accepts prometheus.yml, including the rule files it loads', () => {
    const result = promtool('check', 'config', 'prometheus.yml');
    expect(result.output).toContain('SUCCESS');
    expect(result.status, result.output).toBe(0);
  });

  it('accepts the recording and alert rules', () => {
    const result = promtool('check', 'rules', 'rules/recording.yml', 'rules/alerts.yml');
    expect(result.status, result.output).toBe(0);
  });

  it('passes the alert unit tests (oversold, admission stalled, target down)', () => {
    const tests = readdirSync(join(prometheusDir, 'rules/tests'))
      .filter((file) => file.endsWith('.test.yml'))
      .map((file) => join('rules/tests', file));
    expect(tests.length).toBeGreaterThan(0);
    const result = promtool('test', 'rules', ...tests);
    expect(result.status, result.output).toBe(0);
  });

  it('rejects a broken rule, so a green run means the rules were really checked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'promtool-'));
    try {
      const good = join(dir, 'good.yml');
      const broken = join(dir, 'broken.yml');
      writeFileSync(
        good,
        'groups:\n  - name: ok\n    rules:\n      - record: x:y:sum\n        expr: sum(y)\n',
      );
      writeFileSync(
        broken,
        'groups:\n  - name: broken\n    rules:\n      - record: x:y:sum\n        expr: sum(\n',
      );
      expect(promtool('check', 'rules', good).status).toBe(0);
      const result = promtool('check', 'rules', broken);
      expect(result.status).not.toBe(0);
      expect(result.output).toMatch(/parse error|unexpected/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
