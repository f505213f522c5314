// Every committed dashboard drawn from a Prometheus that scraped a short real sale: the services'
// own series for the sale overview, the simulator's k6 series for the load-test dashboard. The
// renderer fails on any panel or query without series, so this proves each dashboard query works
// against the metrics the stack really exports.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, readRunFile, renderRun } from '@frequency/grafana/render';
import { describe, expect, test } from '@frequency/testing';
import { readSimulatorSettings, simulate } from '../src/index.js';
import { repoRoot } from '../src/settings.js';
import { TINY_SALE } from './tiny-sale.js';

const dashboardsDir = join(repoRoot, 'grafana', 'dashboards');

function queriedPanels(file: string): number {
  const dashboard = JSON.parse(readFileSync(join(dashboardsDir, file), 'utf8')) as {
    panels: { type: string }[];
  };
  return dashboard.panels.filter((panel) => panel.type !== 'row').length;
}

describe('the dashboards under a real sale', () => {
  test('every panel of every dashboard has series from a short run’s Prometheus', async () => {
    const runDir = mkdtempSync(join(tmpdir(), 'sim-dashboards-'));
    try {
      const settings = readSimulatorSettings(
        {
          ...process.env,
          // The same tiny lifecycle as the simulator smoke test.
          ...TINY_SALE,
          RUN_DIR: runDir,
          SIM_PROMETHEUS_LISTEN: `127.0.0.1:${await freePort()}`,
        },
        'dashboards test',
      );
      const result = await simulate(settings, { update: () => undefined, done: () => undefined });
      expect(result.ledger.persistedTickets).toBe(500);
      expect(result.runFile).toBe(join(runDir, 'run.json'));
      const run = readRunFile(runDir);
      expect(run.prometheusDir).toBe(join(runDir, 'prometheus'));

      const outDir = join(runDir, 'png');
      const rendered = await renderRun(runDir, { dashboardsDir, outDir });
      const files = readdirSync(dashboardsDir).filter((file) => file.endsWith('.json'));
      expect(rendered.map((r) => r.file).sort()).toEqual(
        files.map((file) => join(outDir, file.replace(/\.json$/, '.png'))).sort(),
      );
      for (const file of files) {
        const entry = rendered.find((r) => r.file.endsWith(file.replace(/\.json$/, '.png')));
        expect(entry?.panels, file).toBe(queriedPanels(file));
        expect(entry?.series ?? 0, file).toBeGreaterThanOrEqual(queriedPanels(file));
        expect(existsSync(entry?.file ?? '')).toBe(true);
      }
    } finally {
      rmSync(runDir, { recursive: true, force: true });
    }
  }, 180_000);
});
