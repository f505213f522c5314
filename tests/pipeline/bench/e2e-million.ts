import { renderMillion } from '../src/million/report.js';
import { runMillion } from '../src/million/run.js';
import { readMillionSettings } from '../src/million/settings.js';

/**
 * One million tickets through the whole chain, timed from the first join to the last confirmed
 * order: fans join the waiting room over HTTP, are admitted at the event's rate, order at checkout,
 * and the worker persists every order through Pub/Sub into Postgres. Every service runs as its own
 * process from its package's built server. Prints the time, the invariant, each process's share of
 * the CPU and the load average; exits 1 unless the invariant holds.
 *
 *   pnpm e2e:million                      (E2E_TICKETS=100000 for a shorter run)
 */
const settings = readMillionSettings(process.env);
const controller = new AbortController();
const stop = () => {
  process.stdout.write('\nstopping: the fans stop, then everything the run started is stopped\n');
  controller.abort();
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
process.env.METADATA_SERVER_DETECTION ??= 'none';
try {
  const report = await runMillion(
    settings,
    (line) => process.stdout.write(`${line}\n`),
    controller.signal,
  );
  process.stdout.write(renderMillion(report));
  process.exitCode = report.ok ? 0 : 1;
} catch (err) {
  process.stderr.write(
    `e2e run failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 1;
}
