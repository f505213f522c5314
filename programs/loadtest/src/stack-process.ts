// The local stack for a run: programs/stack started as `npm start` starts it (or one already
// running, when told to reuse it), with its output in the run's folder.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { waitForStackReady } from '@frequency/stack/ready';
import { repoRoot } from './settings.js';

export interface StackPorts {
  web: number;
  waitingRoom: number;
  checkout: number;
  worker: number;
}

export interface RunningStack {
  /** Stops what this command started; a reused stack is left running. */
  stop(): Promise<void>;
}

/** The last line the stack prints once every service answers and its event is seeded. */
/** Three Node processes, Next.js and a migration on a shared 2-core machine. */
const START_TIMEOUT_MS = 180_000;

export function serviceUrls(ports: StackPorts): Record<keyof StackPorts, string> {
  return {
    web: `http://127.0.0.1:${ports.web}`,
    waitingRoom: `http://127.0.0.1:${ports.waitingRoom}`,
    checkout: `http://127.0.0.1:${ports.checkout}`,
    worker: `http://127.0.0.1:${ports.worker}`,
  };
}

/**
 * Starts programs/stack with the caller's environment (its ports, Redis key prefix, database and
 * emulator carry through) plus the ops token this run uses to create its event.
 */
export async function startStack(options: {
  env: Record<string, string>;
  logFile: string;
}): Promise<RunningStack> {
  const stackDir = join(repoRoot, 'programs', 'stack');
  const log = createWriteStream(options.logFile);
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', join(stackDir, 'src', 'main.ts')],
    { cwd: stackDir, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout.pipe(log, { end: false });
  child.stderr.pipe(log, { end: false });
  const stop = async () => {
    await stopChild(child);
    log.end();
  };
  try {
    await waitForStackReady(child, START_TIMEOUT_MS);
  } catch (err) {
    await stop();
    throw new Error(
      `${err instanceof Error ? err.message : String(err)} (its output: ${options.logFile})`,
    );
  }
  return { stop };
}

/** A stack already running: every service must answer /readyz (the web app its home page). */
export async function reuseStack(ports: StackPorts): Promise<RunningStack> {
  const urls = serviceUrls(ports);
  const checks = [
    `${urls.waitingRoom}/readyz`,
    `${urls.checkout}/readyz`,
    `${urls.worker}/readyz`,
    `${urls.web}/`,
  ];
  for (const url of checks) {
    const status = await fetch(url, { signal: AbortSignal.timeout(5_000) })
      .then((response) => response.status)
      .catch(() => 0);
    if (status !== 200) {
      throw new Error(`REUSE_STACK=1 but ${url} answered ${status || 'nothing'}: is it running?`);
    }
  }
  return { stop: () => Promise.resolve() };
}

/** SIGTERM, then SIGKILL if the stack has not drained its apps (it gives them 15 s) in 25 s. */
export function stopChild(child: ChildProcess, graceMs = 25_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) {
      resolve();
      return;
    }
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
