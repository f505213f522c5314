import { dirname } from 'node:path';
import { writeReport, verdicts } from './report.js';
import { readSimulatorSettings, MACHINE_DEFAULTS } from './settings.js';
import { simulate, type Progress } from './simulate.js';

/** Settings a reader needs to repeat the run: the ones given in the environment. */
const COMMAND_VARIABLES = [
  ...Object.keys(MACHINE_DEFAULTS),
  'TICKETS_TOTAL',
  'ADMISSION_RATE_PER_SECOND',
  'MAX_ACTIVE_CHECKOUTS',
  'SIM_CONNECTIONS',
  'SIM_MAX_IN_FLIGHT',
  'SIM_VUS',
];

function commandLine(): string {
  const given = COMMAND_VARIABLES.flatMap((name) => {
    const value = process.env[name];
    return value === undefined || value === '' ? [] : [`${name}=${value}`];
  });
  return [...given, 'pnpm simulate'].join(' ');
}

function progressFor(mode: 'line' | 'log' | 'off'): Progress {
  let last = '';
  let lastLogged = 0;
  let open = false;
  return {
    update(line) {
      last = line;
      if (mode === 'line') {
        const width = process.stdout.columns || 160;
        process.stdout.write(`\r\u001b[2K${line.slice(0, width - 1)}`);
        open = true;
      } else if (mode === 'log' && Date.now() - lastLogged >= 5_000) {
        lastLogged = Date.now();
        process.stdout.write(`${line}\n`);
      }
    },
    done() {
      if (mode === 'line' && open) process.stdout.write('\n');
      else if (mode === 'log' && last !== '') process.stdout.write(`${last}\n`);
      open = false;
      last = '';
    },
  };
}

async function main(): Promise<number> {
  const settings = readSimulatorSettings(process.env, commandLine());
  const controller = new AbortController();
  process.once('SIGINT', () => {
    controller.abort();
  });
  process.once('SIGTERM', () => {
    controller.abort();
  });
  const result = await simulate(settings, progressFor(settings.progress), controller.signal);
  const written = await writeReport(result, settings.reportDir);
  const { ledger } = result;
  process.stdout.write(
    [
      '',
      `sold ${ledger.redisSold.toLocaleString('en')} of ${ledger.ticketsTotal.toLocaleString('en')}, persisted ${ledger.persistedTickets.toLocaleString('en')}, oversold ${ledger.oversold}`,
      ...verdicts(result).map((check) => `${check.ok ? 'ok  ' : 'FAIL'} ${check.label}`),
      `report: ${written.reportPath}`,
      `charts: ${[...written.charts, ...written.pngs].join(', ')}`,
      `stack log: ${result.stackLog}`,
      ...(result.runFile
        ? [
            `run: ${result.runFile} (dashboards: pnpm --filter @frequency/grafana render -- --run ${dirname(result.runFile)})`,
          ]
        : []),
      '',
    ].join('\n'),
  );
  return verdicts(result).every((check) => check.ok) ? 0 : 1;
}

try {
  process.exitCode = await main();
} catch (err) {
  process.stderr.write(
    `\nsimulation failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exitCode = 1;
}
