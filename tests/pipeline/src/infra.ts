import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pubsubEnv } from '@frequency/config';
import { createPubSub, ensureTopology } from '@frequency/config/pubsub';
import { freePort } from '@frequency/processes';
import { ensurePostgres, type Started } from '@frequency/stack/services';
import {
  killProcessGroup,
  startPubSubEmulator,
  startRedisServer,
  type StartedEmulator,
  type StartedRedis,
} from '@frequency/testing/services';

export const sleep = (ms: number) =>
  new Promise<void>((resolve) => {
    setTimeout(resolve, ms);
  });

/**
 * Last-resort cleanups, run synchronously if the harness itself exits without having stopped what
 * it started (an uncaught error, a second Ctrl-C), so nothing it started outlives it.
 */
const lastResorts = new Set<() => void>();
let exitHook = false;
function atExit(cleanup: () => void): () => void {
  lastResorts.add(cleanup);
  if (!exitHook) {
    exitHook = true;
    process.once('exit', () => {
      for (const run of lastResorts) run();
    });
  }
  return () => lastResorts.delete(cleanup);
}

/** Kills the child's process group with SIGKILL at exit, unless it has exited by then. */
export function ownGroup(child: ChildProcess): void {
  const forget = atExit(() => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  });
  child.once('exit', forget);
}

/** The run's own redis-server (no persistence). `crash` loses every key, as a failover would. */
export class PrivateRedis {
  private constructor(
    readonly port: number,
    private server: StartedRedis,
  ) {}

  static async start(): Promise<PrivateRedis> {
    const port = await freePort();
    const server = await startRedisServer(port);
    ownGroup(server.child);
    return new PrivateRedis(port, server);
  }

  get url(): string {
    return this.server.url;
  }

  /** SIGKILL, then a fresh, empty redis-server on the same port. */
  async crash(): Promise<void> {
    await killProcessGroup(this.server.child);
    this.server = await startRedisServer(this.port);
    ownGroup(this.server.child);
  }

  stop(): Promise<void> {
    return this.server.stop();
  }
}

/** The run's own Pub/Sub emulator. `crash` forgets topics, subscriptions and messages. */
export class PrivatePubSub {
  private constructor(
    readonly port: number,
    private emulator: StartedEmulator,
  ) {}

  static async start(): Promise<PrivatePubSub> {
    const port = await freePort();
    const emulator = await startPubSubEmulator('127.0.0.1', port);
    ownGroup(emulator.child);
    return new PrivatePubSub(port, emulator);
  }

  get hostPort(): string {
    return this.emulator.hostPort;
  }

  /** The wrapper's id: the Java server runs as its child, so its CPU is the wrapper's tree. */
  get pid(): number | undefined {
    return this.emulator.child.pid;
  }

  /** SIGKILL (the Java server and its wrapper), then a new emulator on the same port. */
  async crash(): Promise<void> {
    await killProcessGroup(this.emulator.child);
    this.emulator = await startPubSubEmulator('127.0.0.1', this.port);
    ownGroup(this.emulator.child);
  }

  stop(): Promise<void> {
    return this.emulator.stop();
  }
}

/** Down this long after an immediate stop, so the worker meets refused connections, not a blip. */
const POSTGRES_DOWNTIME_MS = 2_000;

/**
 * The run's own Postgres cluster (initdb under the run directory, on a free port), started as the
 * local stack starts one. `crash` is `pg_ctl stop -m immediate` (no checkpoint: the restart runs
 * crash recovery) and a start on the same data directory.
 */
export class PrivatePostgres {
  private constructor(
    readonly port: number,
    private readonly dir: string,
    private server: Started,
    private readonly forgetAtExit: () => void,
  ) {}

  static async start(dir: string): Promise<PrivatePostgres> {
    const port = await freePort();
    const url = `postgres://postgres@127.0.0.1:${port}/postgres`;
    const server = await ensurePostgres(url, dir);
    if (server === null) throw new Error(`something else answered on port ${port}`);
    const data = join(dir, 'data');
    const forget = atExit(() => {
      spawnSync(...asPostgresUser(pgCtl(data), ['stop', '-D', data, '-m', 'immediate']), {
        stdio: 'ignore',
      });
    });
    return new PrivatePostgres(port, dir, server, forget);
  }

  /** The run's database (created by the harness). */
  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/frequency`;
  }

  async crash(): Promise<void> {
    const data = join(this.dir, 'data');
    await run(...asPostgresUser(pgCtl(data), ['stop', '-D', data, '-m', 'immediate', '-w']));
    await this.server.stop();
    await sleep(POSTGRES_DOWNTIME_MS);
    const server = await ensurePostgres(this.url, this.dir);
    if (server === null) throw new Error(`something else took port ${this.port}`);
    this.server = server;
  }

  /**
   * A fast shutdown through pg_ctl, which waits for it (up to a minute): a signal to the `runuser`
   * wrapper alone can leave the server running when its checkpoint outlasts the wrapper's grace.
   */
  async stop(): Promise<void> {
    const data = join(this.dir, 'data');
    await run(...asPostgresUser(pgCtl(data), ['stop', '-D', data, '-m', 'fast', '-w'])).catch(
      () => undefined,
    );
    await this.server.stop();
    this.forgetAtExit();
  }
}

/** pg_ctl of the cluster's own major version (PG_VERSION), else the one on PATH. */
function pgCtl(data: string): string {
  const version = readFileSync(join(data, 'PG_VERSION'), 'utf8').trim();
  const own = `/usr/lib/postgresql/${version}/bin/pg_ctl`;
  return existsSync(own) ? own : 'pg_ctl';
}

/** Postgres refuses to run as root; as root its tools run as the `postgres` user, as the stack does. */
function asPostgresUser(bin: string, args: string[]): [string, string[]] {
  return process.getuid?.() === 0
    ? ['runuser', ['-u', 'postgres', '--', bin, ...args]]
    : [bin, args];
}

function run(bin: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${bin} ${args.join(' ')} exited ${code ?? 'by a signal'}: ${err}`));
    });
  });
}

/**
 * The topology the local stack creates before the services start: purchase intents (with the
 * worker's subscription and the dead-letter topic), event definitions (with the worker's
 * subscription) and order confirmations (no mailer runs here, so no subscription). After the
 * emulator fault nobody but the services re-creates any of it.
 */
export async function createTopology(emulatorHost: string, projectId: string): Promise<void> {
  const names = pubsubEnv.parse({});
  const pubsub = createPubSub({ projectId, emulatorHost });
  try {
    await ensureTopology(pubsub, {
      topic: names.PUBSUB_TOPIC,
      subscription: names.PUBSUB_SUBSCRIPTION,
      deadLetterTopic: names.PUBSUB_DEAD_LETTER_TOPIC,
    });
    await ensureTopology(pubsub, {
      topic: names.PUBSUB_EVENTS_TOPIC,
      subscription: names.PUBSUB_EVENTS_SUBSCRIPTION,
    });
    await ensureTopology(pubsub, { topic: names.PUBSUB_CONFIRMATIONS_TOPIC });
  } finally {
    await pubsub.close();
  }
}
