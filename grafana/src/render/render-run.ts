// Renders a load-test run from its run.json: the run's Prometheus data is copied and served by a
// Prometheus of the renderer's own, so the run's TSDB is never written to or locked, and the
// dashboards are drawn over the run's time range with its testid.
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@frequency/processes';
import { startPrometheus, type PrometheusServer } from '../prometheus-server.ts';
import { renderDashboards, type Rendered, type RenderOptions } from './render.ts';
import { readRunFile } from './run-file.ts';

export { freePort };

export async function renderRun(
  runDir: string,
  options: Omit<RenderOptions, 'prometheusUrl' | 'range' | 'variables'>,
): Promise<Rendered[]> {
  const run = readRunFile(runDir);
  const copy = mkdtempSync(join(tmpdir(), 'render-prometheus-'));
  let prometheus: PrometheusServer | undefined;
  try {
    cpSync(join(run.prometheusDir, 'data'), join(copy, 'data'), { recursive: true });
    rmSync(join(copy, 'data', 'lock'), { force: true });
    prometheus = await startPrometheus({
      targets: {},
      dataDir: copy,
      listen: `127.0.0.1:${await freePort()}`,
    });
    options.log?.(
      `rendering run ${run.testid} (${run.start} to ${run.end}) from ${run.prometheusDir}`,
    );
    return await renderDashboards({
      ...options,
      prometheusUrl: prometheus.url,
      range: { fromMs: Date.parse(run.start), toMs: Date.parse(run.end) },
      variables: { testid: run.testid },
    });
  } finally {
    await prometheus?.stop();
    rmSync(copy, { recursive: true, force: true });
  }
}
