import { rowPasses, runChaos } from './run.js';
import { readChaosSettings } from './settings.js';
import { renderReport } from './table.js';

async function main(): Promise<number> {
  // The harness's own Pub/Sub client (topology) talks to the emulator only: no metadata server.
  process.env.METADATA_SERVER_DETECTION ??= 'none';
  const settings = readChaosSettings(process.env);
  const controller = new AbortController();
  const abort = () => {
    process.stdout.write('\nstopping: the sale in progress ends, then everything is stopped\n');
    controller.abort();
  };
  process.once('SIGINT', abort);
  process.once('SIGTERM', abort);
  const report = await runChaos(
    settings,
    (line) => process.stdout.write(`${line}\n`),
    controller.signal,
  );
  process.stdout.write(renderReport(report));
  const passed =
    report.error === null &&
    !controller.signal.aborted &&
    report.rows.length === settings.faults.length &&
    report.rows.every(rowPasses);
  return passed ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (err) {
  process.stderr.write(
    `chaos run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 1;
}
