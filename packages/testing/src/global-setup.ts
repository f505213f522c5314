import { spawn, type ChildProcess } from 'node:child_process';
import { createConnection } from 'node:net';
import type { TestProject } from 'vitest/node';

/**
 * Vitest global setup: makes sure a Pub/Sub emulator answers for the whole test run. One that already
 * answers (the local stack's, CI's) is reused; otherwise one is started here and stopped by its own
 * PID (and process group) at the end, so nothing is left running and nothing else is touched.
 */
export const defaultEmulatorBin =
  '/usr/lib/google-cloud-sdk/platform/pubsub-emulator/bin/cloud-pubsub-emulator';

export function portAnswers(host: string, port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => {
      done(false);
    });
    socket.once('connect', () => {
      done(true);
    });
    socket.once('error', () => {
      done(false);
    });
  });
}

export async function waitForPort(host: string, port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await portAnswers(host, port)) return;
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new Error(`nothing answered on ${host}:${port} within ${timeoutMs} ms`);
}

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
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => {
      child.once('exit', () => {
        resolve();
      });
    });
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    const timer = setTimeout(() => {
      if (child.pid !== undefined && child.exitCode === null) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }
    }, 5_000);
    await exited;
    clearTimeout(timer);
  };
  return { hostPort: `${host}:${port}`, child, stop };
}

declare module 'vitest' {
  export interface ProvidedContext {
    pubsubEmulatorHost: string;
  }
}

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const hostPort = process.env.PUBSUB_EMULATOR_HOST ?? '127.0.0.1:8085';
  const index = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, index);
  const port = Number(hostPort.slice(index + 1));
  process.env.PUBSUB_EMULATOR_HOST = hostPort;
  project.provide('pubsubEmulatorHost', hostPort);
  if (await portAnswers(host, port)) return () => Promise.resolve();
  const emulator = await startPubSubEmulator(host, port);
  return () => emulator.stop();
}
