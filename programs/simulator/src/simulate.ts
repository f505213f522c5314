import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { saleOpeningOffsetSeconds, scalePhases, type ScaledPhase } from '@frequency/k6/lifecycle';
import { admissionOrder, shuffleCheck, type OrderCheck, type ShuffleCheck } from './fairness.js';
import { Fans, type FanRecord } from './fans.js';
import { HttpClient } from './http.js';
import { Monitor, type Reading } from './monitor.js';
import { startPrometheus, type PrometheusServer } from '@frequency/grafana/prometheus-server';
import { RunFile } from '@frequency/grafana/run-file';
import { K6Series } from './k6-series.js';
import { Recorder } from './recorder.js';
import { CommandSources, type CommandSource } from './command-sources.js';
import { commandStats } from './redis-server.js';
import { cores, type SimulatorSettings } from './settings.js';
import { startStack } from './stack.js';
import { readLedger, type Ledger } from './verify.js';

export interface Machine {
  cores: number;
  memoryGiB: number;
  cpu: string;
  node: string;
  /** 1-minute load average when the lifecycle started: other work on the machine skews every figure. */
  loadAverage: number;
}

export interface Fairness {
  /** Fans who joined after the opening (place given at the join): admission order vs place. */
  afterOpening: OrderCheck;
  /** Every admitted fan whose place is known (pre-queue places learned from polls). */
  allKnown: OrderCheck;
  prequeue: ShuffleCheck;
}

export interface SimulationResult {
  settings: SimulatorSettings;
  phases: ScaledPhase[];
  machine: Machine;
  startedAt: Date;
  /** Wall time of the lifecycle (without stack start and drain). */
  lifecycleSeconds: number;
  recorder: Recorder;
  readings: Reading[];
  counters: Fans['counters'];
  fans: FanRecord[];
  webServed: boolean;
  soldOutAtSeconds: number | null;
  ledger: Ledger;
  fairness: Fairness;
  /**
   * Redis commands processed during the lifecycle, by command, when the run had Redis to itself
   * (SIM_OWN_REDIS=1); null on a shared Redis, where other clients' commands would be counted too.
   */
  redisCommands: Map<string, number> | null;
  /** Where those commands came from (client and command or script), from MONITOR; null likewise. */
  redisSources: CommandSource[] | null;
  /** Tickets in orders the fans saw confirmed. */
  fanTickets: number;
  stackLog: string;
  /** RUN_DIR/run.json when the run had its own Prometheus (RUN_DIR set). */
  runFile: string | null;
}

export interface Progress {
  update(line: string): void;
  done(): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Starts a stack, plays the lifecycle against it, checks the ledger, stops the stack. */
export async function simulate(
  settings: SimulatorSettings,
  progress: Progress,
  signal?: AbortSignal,
): Promise<SimulationResult> {
  const logDir = join(tmpdir(), 'frequency-simulator');
  mkdirSync(logDir, { recursive: true });
  progress.update('starting the local stack (programs/stack)…');
  const stack = await startStack(settings, logDir);
  const http = new HttpClient(settings.connections);
  const k6 = settings.run ? new K6Series(stack.runId, settings.maxInFlight) : null;
  let k6Endpoint: Awaited<ReturnType<K6Series['serve']>> | null = null;
  let prometheus: PrometheusServer | null = null;
  try {
    if (k6 && settings.run) {
      k6Endpoint = await k6.serve();
      prometheus = await startPrometheus({
        targets: { ...stack.metricsTargets, k6: k6Endpoint.target },
        dataDir: join(settings.run.dir, 'prometheus'),
        listen: settings.run.prometheusListen,
      });
      progress.update(`Prometheus at ${prometheus.url} scrapes the stack and the k6 series…`);
    }
    const phases = scalePhases(settings.lifecycle);
    const recorder = new Recorder(k6);
    const startedAt = new Date(Date.now() + 500);
    const t0 = startedAt.getTime();
    const eventUrl = `${stack.waitingRoomUrl}/v1/events/${stack.eventId}`;
    const adminUrl = `${stack.waitingRoomUrl}/v1/admin/events/${stack.eventId}`;
    const opensAt = new Date(t0 + saleOpeningOffsetSeconds(settings.lifecycle) * 1000);
    const patched = await http.send({
      method: 'PATCH',
      url: adminUrl,
      headers: { authorization: `Bearer ${stack.opsToken}` },
      json: { opensAt: opensAt.toISOString(), joinChallengeBits: settings.joinChallengeBits },
    });
    if (patched.status !== 200) throw new Error(`PATCH opensAt answered ${patched.status}`);
    const before = await http.send({ method: 'GET', url: eventUrl });
    const commitment = stringField(before.body, 'shuffleCommitment');

    const monitor = new Monitor(http, adminUrl, stack.opsToken, t0);
    const fans = new Fans(
      {
        waitingRoomUrl: stack.waitingRoomUrl,
        checkoutUrl: stack.checkoutUrl,
        webUrl: stack.webUrl,
        eventId: stack.eventId,
        joinChallengeBits: settings.joinChallengeBits,
        clientAddresses: settings.clients.addresses,
      },
      http,
      recorder,
      settings.lifecycle,
      settings.vus,
      t0,
    );
    let inFlight = 0;
    let failure: unknown = null;
    let current: ScaledPhase | undefined = phases[0];
    const totalSeconds = phases.reduce((sum, phase) => sum + phase.scaledDurationSeconds, 0);
    const render = () => {
      const now = Date.now() - t0;
      const recent = recorder.recent(now);
      const reading = monitor.last;
      const phase = current;
      const elapsed = phase
        ? Math.min(phase.scaledDurationSeconds, Math.max(0, now / 1000 - phase.startSeconds))
        : 0;
      progress.update(
        [
          `${(phase?.name ?? 'done').padEnd(12)} ${Math.floor(elapsed)}/${phase?.scaledDurationSeconds ?? 0}s (${Math.floor(now / 1000)}/${totalSeconds}s)`,
          `${Math.round(recent.rate)} req/s`,
          `waiting ${fmt(reading?.waiting)}`,
          `admitted ${fmt(reading?.admittedTotal)}`,
          `remaining ${fmt(reading?.ticketsRemaining)}`,
          `p99 ${Number.isFinite(recent.p99) ? recent.p99.toFixed(0) : '-'} ms`,
          `errors ${recorder.unexpected}`,
          `in flight ${inFlight}`,
        ].join(' │ '),
      );
    };
    await sleep(Math.max(0, t0 - Date.now()));
    const loadAtStart = machine().loadAverage;
    const commandsBefore = settings.ownRedis ? await commandStats(stack.redisUrl) : null;
    const sources = settings.ownRedis ? new CommandSources(stack.redisUrl) : null;
    await sources?.start();
    monitor.start();
    const ticker = setInterval(render, 500);
    for (const phase of phases) {
      current = phase;
      const start = t0 + phase.startSeconds * 1000;
      const end = start + phase.scaledDurationSeconds * 1000;
      await sleep(Math.max(0, start - Date.now()));
      let sent = 0;
      for (let now = Date.now(); now < end; now = Date.now()) {
        if (signal?.aborted) {
          failure ??= new Error('interrupted');
          break;
        }
        // Open model: requests go out at the phase's rate whether or not earlier ones were answered.
        const due = Math.floor(((now - start) / 1000) * phase.scaledRatePerSecond);
        for (; sent < due; sent++) {
          if (inFlight >= settings.maxInFlight) {
            recorder.skipped(phase.name);
            continue;
          }
          inFlight++;
          if (k6) k6.inFlight = inFlight;
          fans
            .step(phase)
            .catch((err: unknown) => {
              failure ??= err;
            })
            .finally(() => {
              inFlight--;
              if (k6) k6.inFlight = inFlight;
            });
        }
        await sleep(5);
      }
      if (failure !== null) break;
    }
    current = undefined;
    for (let waited = 0; inFlight > 0 && waited < 20_000; waited += 50) await sleep(50);
    const lifecycleSeconds = (Date.now() - t0) / 1000;
    clearInterval(ticker);
    render();
    monitor.stop();
    await monitor.read();
    const redisSources = (await sources?.stop()) ?? null;
    const commandsAfter = commandsBefore ? await commandStats(stack.redisUrl) : null;
    if (failure !== null)
      throw failure instanceof Error ? failure : new Error('a fan step failed', { cause: failure });

    progress.update(
      `lifecycle done in ${lifecycleSeconds.toFixed(0)} s; waiting for the pipeline to persist what was sold…`,
    );
    const ledger = await readLedger(
      {
        redisUrl: stack.redisUrl,
        redisKeyPrefix: stack.redisKeyPrefix,
        databaseUrl: stack.databaseUrl,
        eventId: stack.eventId,
        ticketsTotal: settings.ticketsTotal,
      },
      settings.drainSeconds * 1000,
    );
    await fans.settlePending();
    const after = await http.send({ method: 'GET', url: eventUrl });
    let runFile: string | null = null;
    if (prometheus && settings.run) {
      // One more scrape and rule evaluation (every 5 s), so the last figures (persisted = sold) are in.
      await sleep(6_000);
      runFile = join(settings.run.dir, 'run.json');
      writeFileSync(
        runFile,
        `${JSON.stringify(
          RunFile.parse({
            testid: stack.runId,
            start: startedAt.toISOString(),
            end: new Date().toISOString(),
            prometheusDir: prometheus.dataDir,
            eventId: stack.eventId,
            rateScale: settings.lifecycle.rateScale,
            timeScale: settings.lifecycle.timeScale,
            ticketsTotal: settings.ticketsTotal,
            k6Version: 'none: played by @frequency/simulator, reporting in k6 series',
            generator: 'simulator',
            command: settings.command,
          }),
          null,
          2,
        )}\n`,
      );
    }
    progress.done();

    const records = [...fans.records.values()];
    const host = machine();
    host.loadAverage = loadAtStart;
    const soldOut = monitor.readings.find((reading) => reading.ticketsRemaining === 0);
    return {
      settings,
      phases,
      machine: host,
      startedAt,
      lifecycleSeconds,
      recorder,
      readings: monitor.readings,
      counters: fans.counters,
      fans: records,
      webServed: stack.webUrl !== null,
      soldOutAtSeconds: soldOut ? soldOut.at / 1000 : null,
      ledger,
      fairness: fairness(records, stringField(after.body, 'shuffleSeed'), commitment),
      redisCommands:
        commandsBefore && commandsAfter ? difference(commandsBefore, commandsAfter) : null,
      redisSources,
      fanTickets: records.reduce(
        (sum, record) => sum + (record.orderStatus === 'confirmed' ? record.tickets : 0),
        0,
      ),
      stackLog: stack.logFile,
      runFile,
    };
  } finally {
    progress.done();
    await prometheus?.stop();
    await k6Endpoint?.close();
    await http.close();
    await stack.stop();
  }
}

function fairness(
  records: readonly FanRecord[],
  seed: string | null,
  commitment: string | null,
): Fairness {
  const admitted = records.filter((record) => record.admissionExpiresAt !== null);
  const withPlace = (list: readonly FanRecord[]) =>
    list.flatMap((record) =>
      record.position !== null && record.admissionExpiresAt !== null
        ? [{ position: record.position, admittedAt: record.admissionExpiresAt }]
        : [],
    );
  const prequeue = admitted.filter((record) => record.prequeue);
  return {
    afterOpening: admissionOrder(withPlace(admitted.filter((record) => !record.prequeue))),
    allKnown: admissionOrder(withPlace(admitted)),
    // The admission time is the outcome that matters to a fan, and it is known for every admitted fan.
    prequeue: shuffleCheck(
      prequeue.map((record) => ({
        arrival: record.joinSent,
        outcome: record.admissionExpiresAt ?? 0,
      })),
      seed,
      commitment,
    ),
  };
}

const PROBES = new Set(['info', 'client|list', 'monitor']);

function difference(before: Map<string, number>, after: Map<string, number>): Map<string, number> {
  const delta = new Map<string, number>();
  for (const [command, calls] of after) {
    const n = calls - (before.get(command) ?? 0);
    // INFO, CLIENT LIST and MONITOR are the simulator's own probes.
    if (n > 0 && !PROBES.has(command)) delta.set(command, n);
  }
  return delta;
}

function machine(): Machine {
  return {
    cores: cores(),
    memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    cpu: cpus()[0]?.model.trim() ?? 'unknown',
    node: process.version,
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

function stringField(body: unknown, key: string): string | null {
  if (typeof body !== 'object' || body === null) return null;
  const value = (body as Record<string, unknown>)[key];
  return typeof value === 'string' ? value : null;
}

function fmt(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? '-' : value.toLocaleString('en');
}
