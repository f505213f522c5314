// `pnpm loadtest`: the sale lifecycle in real k6 against the local stack, with a real Prometheus,
// an event sized to sell out inside the run, and everything the run leaves in .loadtest/<testid>/.
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { startPrometheus, type PrometheusServer } from '@frequency/grafana/prometheus-server';
import { createEvent, eventFor } from './event-setup.js';
import { sizeEvent } from './event-sizing.js';
import { buildK6Command } from './k6-command.js';
import { k6Version, runK6, type K6Run } from './k6-process.js';
import { writeRunRecord } from './run-record.js';
import { fansPerVu, vuSecondsForJoinLimit } from './vu-sizing.js';
import {
  DEFAULT_JOIN_LIMIT,
  newTestId,
  readLoadTestEnv,
  repoRoot,
  SettingsError,
} from './settings.js';
import { reuseStack, serviceUrls, startStack, type RunningStack } from './stack-process.js';
import { formatThresholds, readThresholds, type ThresholdSummary } from './thresholds.js';

const say = (line: string) => process.stdout.write(`\u001b[35mloadtest    \u001b[0m│ ${line}\n`);

/** After k6 ends, one more scrape lands the pipeline's final figures (persisted = sold). */
const FINAL_SCRAPE_MS = 6_000;

async function main(): Promise<number> {
  const env = readLoadTestEnv(process.env);
  const script = join(repoRoot, 'k6', 'dist', 'sale-lifecycle.js');
  if (!existsSync(script)) {
    throw new SettingsError(`${script} is missing: run \`pnpm --filter @frequency/k6 build\``);
  }
  // The lifecycle loads fans' pages too; the stack runs the web app only once it is built.
  if (!env.REUSE_STACK && !existsSync(join(repoRoot, 'apps', 'web', '.next', 'BUILD_ID'))) {
    throw new SettingsError(
      'apps/web is not built: run `pnpm loadtest` from the repository root, which builds it',
    );
  }
  const version = k6Version(env.K6);
  const testid = env.TESTID ?? newTestId(new Date());
  const runDir = join(env.RESULTS_DIR, testid);
  if (existsSync(runDir)) throw new SettingsError(`${runDir} exists: pick another TESTID`);
  mkdirSync(runDir, { recursive: true });

  const sizing = sizeEvent({ rateScale: env.RATE_SCALE, timeScale: env.TIME_SCALE });
  const ticketsTotal = env.TICKETS_TOTAL ?? sizing.ticketsTotal;
  const admissionRatePerSecond = env.ADMISSION_RATE_PER_SECOND ?? sizing.admissionRatePerSecond;
  const joinLimit = {
    max: env.JOIN_RATE_LIMIT_MAX ?? DEFAULT_JOIN_LIMIT.max,
    windowSeconds: env.JOIN_RATE_LIMIT_WINDOW_SECONDS ?? DEFAULT_JOIN_LIMIT.windowSeconds,
  };
  const ports = {
    web: env.WEB_PORT,
    waitingRoom: env.WAITING_ROOM_PORT,
    checkout: env.CHECKOUT_PORT,
    worker: env.WORKER_PORT,
  };
  const urls = serviceUrls(ports);
  const opsToken = env.OPS_TOKEN ?? `ops_${randomBytes(18).toString('base64url')}`;

  say(`k6 ${version}, RATE_SCALE=${env.RATE_SCALE} TIME_SCALE=${env.TIME_SCALE}, testid ${testid}`);
  say(
    `event ${testid}: ${ticketsTotal.toLocaleString('en')} tickets, ${admissionRatePerSecond} admissions/s` +
      (env.TICKETS_TOTAL === undefined
        ? `, sized to sell out ~${sizing.expectedSellOutSeconds} s into the run`
        : ' (TICKETS_TOTAL given)'),
  );
  if (env.JOIN_RATE_LIMIT_MAX !== undefined || env.JOIN_RATE_LIMIT_WINDOW_SECONDS !== undefined) {
    say(
      `JOIN RATE LIMIT CHANGED: ${joinLimit.max} joins per address per ${joinLimit.windowSeconds} s ` +
        `(the waiting room's default is ${DEFAULT_JOIN_LIMIT.max} per ${DEFAULT_JOIN_LIMIT.windowSeconds} s); the 429 share no longer shows the production limit`,
    );
    if (env.REUSE_STACK) say('  (a reused stack keeps the limit it was started with)');
  }

  const started: { name: string; stop: () => Promise<void> }[] = [];
  let k6: K6Run | null = null;
  const interrupted = new AbortController();
  const onSignal = () => {
    interrupted.abort();
    if (k6 === null) say('interrupted: stopping what this command started…');
    else {
      say('interrupted: asking k6 to stop (again to kill it)…');
      k6.interrupt();
    }
  };
  const isInterrupted = () => interrupted.signal.aborted;
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const stopAll = async () => {
    // Last started, first stopped; each only once.
    for (let service = started.pop(); service !== undefined; service = started.pop()) {
      const { name } = service;
      await service.stop().catch((err: unknown) => {
        say(`stopping ${name} failed: ${err instanceof Error ? err.message : String(err)}`);
      });
    }
  };

  try {
    const loadAverage = loadavg() as [number, number, number];
    const start = new Date();
    let stack: RunningStack;
    if (env.REUSE_STACK) {
      stack = await reuseStack(ports);
      say(`using the stack already running at ${urls.waitingRoom}`);
    } else {
      say(`starting the stack (its output: ${join(runDir, 'stack.log')})…`);
      stack = await startStack({
        logFile: join(runDir, 'stack.log'),
        env: {
          ...definedEnv(process.env),
          WEB_PORT: String(ports.web),
          WAITING_ROOM_PORT: String(ports.waitingRoom),
          CHECKOUT_PORT: String(ports.checkout),
          WORKER_PORT: String(ports.worker),
          OPS_TOKEN: opsToken,
          LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
        },
      });
      started.push({ name: 'the stack', stop: () => stack.stop() });
      say('the stack is ready');
    }
    if (isInterrupted()) return 130;

    const prometheusDir = join(runDir, 'prometheus');
    const prometheus: PrometheusServer = await startPrometheus({
      targets: {
        web: `127.0.0.1:${ports.web}`,
        'waiting-room': `127.0.0.1:${ports.waitingRoom}`,
        checkout: `127.0.0.1:${ports.checkout}`,
        worker: `127.0.0.1:${ports.worker}`,
      },
      listen: env.PROMETHEUS_LISTEN,
      dataDir: prometheusDir,
      binary: env.PROMETHEUS_BIN,
    });
    started.push({ name: 'Prometheus', stop: () => prometheus.stop() });
    say(`Prometheus at ${prometheus.url} (data: ${prometheusDir})`);
    if (isInterrupted()) return 130;

    await createEvent(
      urls.waitingRoom,
      opsToken,
      eventFor(testid, { ...sizing, ticketsTotal, admissionRatePerSecond }, new Date()),
    );
    say(`created event ${testid} through ${urls.waitingRoom}/v1/admin/events`);

    const vuSeconds = vuSecondsForJoinLimit(joinLimit);
    const command = buildK6Command({
      k6: env.K6,
      script,
      testid,
      resultsDir: runDir,
      prometheusUrl: prometheus.url,
      rateScale: env.RATE_SCALE,
      timeScale: env.TIME_SCALE,
      eventId: testid,
      opsToken,
      urls,
      preAllocatedVuSeconds: vuSeconds,
      maxFansPerVu: fansPerVu(vuSeconds),
    });
    say(
      `k6 with up to ${command.addresses.toLocaleString('en')} VUs (${command.env['MAX_FANS_PER_VU'] ?? '?'} fans each), one client address each (${command.args.find((arg) => arg.startsWith('--local-ips=')) ?? ''})`,
    );
    k6 = runK6(
      command,
      { printedSummary: join(runDir, 'k6-summary.txt'), log: join(runDir, 'k6.log') },
      process.env.PATH ?? '',
    );
    const code = await k6.exited;
    const end = new Date();
    await new Promise((resolve) => setTimeout(resolve, FINAL_SCRAPE_MS));

    let thresholds: ThresholdSummary = { results: [], passed: false };
    if (existsSync(command.summaryExport)) thresholds = readThresholds(command.summaryExport);
    else say(`k6 wrote no ${command.summaryExport} (exit ${code})`);
    const passed = thresholds.passed && code === 0;
    const runFile = writeRunRecord(runDir, {
      testid,
      start: start.toISOString(),
      end: end.toISOString(),
      prometheusDir: prometheus.dataDir,
      eventId: testid,
      rateScale: env.RATE_SCALE,
      timeScale: env.TIME_SCALE,
      ticketsTotal,
      k6Version: version,
      loadAverage,
      thresholdsPassed: passed,
    });
    await stopAll();
    say('');
    for (const line of formatThresholds(thresholds)) say(line);
    say('');
    say(`results: ${runDir}`);
    say(`  ${runFile}, k6-summary.json, k6-summary.txt, k6.log, stack.log, prometheus/`);
    say(
      passed
        ? `every threshold passed (k6 exit ${code})`
        : `THRESHOLDS FAILED or k6 did not finish (k6 exit ${code})`,
    );
    return passed ? 0 : 1;
  } finally {
    await stopAll();
  }
}

function definedEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

try {
  process.exitCode = await main();
} catch (err) {
  if (err instanceof SettingsError) say(err.message);
  else say(`failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exitCode = 2;
}
