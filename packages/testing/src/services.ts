import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { portAnswers, stopProcessGroup, waitForPort } from '@frequency/processes';

export {
  freePort,
  killProcessGroup,
  portAnswers,
  stopProcessGroup,
  waitForPort,
} from '@frequency/processes';

/** Local service processes for tests and the local stack; free of vitest, usable from any script. */
export const defaultEmulatorBin =
  '/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator';

export interface StartedEmulator {
  hostPort: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** Starts the real Pub/Sub emulator (the Java server directly, so its PID is the one we stop). */
export async function startPubSubEmulator(
  host: string,
  port: number,
  bin = process.env.PUBSUB_EMULATOR_BIN ?? defaultEmulatorBin,
): Promise<StartedEmulator> {
  const child = spawn(bin, [`--host=${host}`, `--port=${port}`], {
    detached: true,
    stdio: 'ignore',
  });
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (err) => {
      reject(
        new Error(
          `cannot start the Pub/Sub emulator (${bin}): ${err.message}. It ships with the Google Cloud CLI ` +
            '(Debian package google-cloud-cli-pubsub-emulator); set PUBSUB_EMULATOR_BIN to its path.',
        ),
      );
    });
  });
  await Promise.race([waitForPort(host, port, 30_000), spawnError]);
  const stop = () => stopProcessGroup(child);
  return { hostPort: `${host}:${port}`, child, stop };
}

export interface StartedRedis {
  url: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * A private redis-server on its own port, for tests that count what reaches Redis (INFO
 * commandstats): on the shared server other test files' traffic would be counted too. Nothing is
 * persisted, and the process is stopped by its own PID.
 */
export async function startRedisServer(
  port: number,
  bin = process.env.REDIS_SERVER_BIN ?? 'redis-server',
): Promise<StartedRedis> {
  const child = spawn(
    bin,
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
    { detached: true, stdio: 'ignore', cwd: tmpdir() },
  );
  const spawnError = new Promise<never>((_, reject) => {
    child.once('error', (err) => {
      reject(new Error(`cannot start ${bin}: ${err.message} (Debian package redis-server)`));
    });
  });
  await Promise.race([waitForPort('127.0.0.1', port, 10_000), spawnError]);
  return { url: `redis://127.0.0.1:${port}/0`, child, stop: () => stopProcessGroup(child) };
}

export interface StartedRedisCluster {
  /** `host:port` of each primary, the form REDIS_CLUSTER_NODES takes. */
  nodes: string[];
  children: ChildProcess[];
  stop(): Promise<void>;
}

/**
 * A port whose cluster bus port (port + 10000) is free as well: the bus must fit below 65536, so the
 * kernel's ephemeral range (up to 60999) cannot be used as it is.
 */
async function freeClusterPort(taken: Set<number>): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt += 1) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    if (taken.has(port) || taken.has(port + 10_000)) continue;
    const [busy, busBusy] = await Promise.all([
      portAnswers('127.0.0.1', port, 200),
      portAnswers('127.0.0.1', port + 10_000, 200),
    ]);
    if (!busy && !busBusy) return port;
  }
  throw new Error('no free port pair (port, port + 10000) for a Redis Cluster node');
}

function runToEnd(bin: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('error', (err) => {
      reject(new Error(`cannot run ${bin}: ${err.message} (Debian package redis-tools)`));
    });
    child.once('exit', (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`${bin} ${args.join(' ')} exited ${String(code)}:\n${output}`));
    });
  });
}

/**
 * A local Redis Cluster of `primaries` redis-server processes (no replicas), each in a temporary
 * directory of its own (nodes.conf lives there), nothing persisted; joined by
 * `redis-cli --cluster create` and ready when every node reports cluster_state:ok. stop() ends each
 * process by its PID and removes the directories.
 */
export async function startRedisCluster(
  primaries = 3,
  bins: { server?: string; cli?: string } = {},
): Promise<StartedRedisCluster> {
  const serverBin = bins.server ?? process.env.REDIS_SERVER_BIN ?? 'redis-server';
  const cliBin = bins.cli ?? process.env.REDIS_CLI_BIN ?? 'redis-cli';
  const taken = new Set<number>();
  const ports: number[] = [];
  for (let i = 0; i < primaries; i += 1) {
    const port = await freeClusterPort(taken);
    taken.add(port).add(port + 10_000);
    ports.push(port);
  }
  const dirs = await Promise.all(ports.map(() => mkdtemp(join(tmpdir(), 'redis-cluster-'))));
  const children = ports.map((port, i) =>
    spawn(
      serverBin,
      [
        '--bind',
        '127.0.0.1',
        '--port',
        String(port),
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        'nodes.conf',
        // Failure detection for a test cluster: a stopped node is noticed within 2 s.
        '--cluster-node-timeout',
        '2000',
        '--save',
        '',
        '--appendonly',
        'no',
      ],
      { detached: true, stdio: 'ignore', cwd: dirs[i] },
    ),
  );
  const stop = async () => {
    await Promise.all(children.map((child) => stopProcessGroup(child)));
    await Promise.all(dirs.map((dir) => rm(dir, { recursive: true, force: true })));
  };
  try {
    const spawnErrors = children.map(
      (child) =>
        new Promise<never>((_, reject) => {
          child.once('error', (err) => {
            reject(
              new Error(`cannot start ${serverBin}: ${err.message} (Debian package redis-server)`),
            );
          });
        }),
    );
    await Promise.race([
      Promise.all(ports.map((port) => waitForPort('127.0.0.1', port, 10_000))),
      ...spawnErrors,
    ]);
    const nodes = ports.map((port) => `127.0.0.1:${port}`);
    await runToEnd(cliBin, [
      '--cluster',
      'create',
      ...nodes,
      '--cluster-replicas',
      '0',
      '--cluster-yes',
    ]);
    const deadline = Date.now() + 15_000;
    for (;;) {
      const states = await Promise.all(
        ports.map((port) =>
          runToEnd(cliBin, ['-h', '127.0.0.1', '-p', String(port), 'cluster', 'info']),
        ),
      );
      if (states.every((info) => info.includes('cluster_state:ok'))) break;
      if (Date.now() > deadline)
        throw new Error(`the Redis Cluster did not become ready:\n${states.join('\n')}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return { nodes, children, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
