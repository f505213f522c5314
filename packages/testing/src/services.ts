import { spawn, type ChildProcess } from 'node:child_process';
import { tmpdir } from 'node:os';
import { stopProcessGroup, waitForPort } from '@frequency/processes';

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
