import { spawn, type ChildProcess } from 'node:child_process';
import type { WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { appDir, serverArgs, type AppName } from './apps.js';
import { ownGroup, sleep } from './infra.js';

export interface ServiceExit {
  /** ms since the run started */
  at: number;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** A service exits on its own at most this often before the supervisor stops restarting it. */
const MAX_UNEXPECTED_EXITS = 5;
/** SIGTERM first: the services drain within their own bounds (the worker's is 20 s + 5 s). */
const STOP_GRACE_MS = 30_000;

/**
 * One service process from dist, supervised as an orchestrator would: killed and started again on
 * purpose by the faults, restarted after a second when it exits by itself (each such exit is kept
 * and reported, since a service that dies on its own under a fault is a finding).
 */
export class ServiceProcess {
  #child: ChildProcess | null = null;
  #expectedExit = false;
  #stopping = false;
  readonly unexpectedExits: ServiceExit[] = [];
  readonly url: string;

  constructor(
    readonly name: string,
    readonly app: AppName,
    readonly port: number,
    private readonly env: Record<string, string>,
    private readonly log: WriteStream,
    private readonly startedAt: number,
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  /** The running process's id, undefined while it is down. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  start(): void {
    this.#expectedExit = false;
    const child = spawn(process.execPath, serverArgs(this.app), {
      cwd: appDir(this.app),
      env: { ...this.env, HOST: '127.0.0.1', PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so the harness's last-resort cleanup can kill it whatever happens.
      detached: true,
    });
    ownGroup(child);
    this.#child = child;
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        this.log.write(`${this.name.padEnd(13)}│ ${line}\n`);
      });
    }
    child.once('exit', (code, signal) => {
      if (this.#child === child) this.#child = null;
      if (this.#expectedExit || this.#stopping) return;
      this.unexpectedExits.push({ at: Date.now() - this.startedAt, code, signal });
      this.log.write(
        `${'chaos'.padEnd(13)}│ ${this.name} exited by itself (${signal ?? String(code)})\n`,
      );
      if (this.unexpectedExits.length <= MAX_UNEXPECTED_EXITS) {
        void sleep(1_000).then(() => {
          if (!this.#stopping && this.#child === null) this.start();
        });
      }
    });
  }

  /** Resolves once GET /readyz answers 200 (its Redis, Pub/Sub, Postgres connections work). */
  async ready(timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer';
    while (Date.now() < deadline) {
      try {
        const response = await fetch(`${this.url}/readyz`, { signal: AbortSignal.timeout(3_000) });
        if (response.status === 200) return;
        last = `${response.status} ${await response.text()}`;
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
      await sleep(200);
    }
    throw new Error(`${this.name} not ready after ${timeoutMs / 1000} s: ${last}`);
  }

  /** SIGKILL: no drain, no goodbye; whatever it held in memory is gone. */
  async kill(): Promise<void> {
    const child = this.#child;
    if (child === null || child.pid === undefined) return;
    this.#expectedExit = true;
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        resolve();
      });
    });
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      return;
    }
    await exited;
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    const child = this.#child;
    if (child === null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        resolve();
      });
    });
    child.kill('SIGTERM');
    const timer = setTimeout(() => {
      if (child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }, STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
}
