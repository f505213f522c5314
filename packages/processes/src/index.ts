import type { ChildProcess } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

/**
 * The local processes tests and programs start (emulators, servers, the apps): a port to give them,
 * whether they answer, and how to stop them with everything they started. Free of dependencies, so
 * the database package, the test fixtures and the chart renderer all take it from here.
 */

/** A TCP port on loopback that nothing listens on now, for a child process to take. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

/** Whether something accepts a TCP connection on host:port within `timeoutMs`. */
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
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing answered on ${host}:${port} within ${timeoutMs} ms`);
}

/** SIGKILL to a child started with `detached: true` and everything it started; resolves on exit. */
export function killProcessGroup(child: ChildProcess): Promise<void> {
  return endProcessGroup(child, 'SIGKILL');
}

/**
 * Stops a child started with `detached: true` together with everything it started (its process
 * group): SIGTERM, SIGKILL after `killAfterMs`, resolved once the child has exited.
 */
export function stopProcessGroup(child: ChildProcess, killAfterMs = 5_000): Promise<void> {
  return endProcessGroup(child, 'SIGTERM', killAfterMs);
}

async function endProcessGroup(
  child: ChildProcess,
  signal: NodeJS.Signals,
  killAfterMs?: number,
): Promise<void> {
  const { pid } = child;
  if (child.exitCode !== null || child.signalCode !== null || pid === undefined) return;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => {
      resolve();
    });
  });
  try {
    process.kill(-pid, signal);
  } catch {
    return;
  }
  const timer =
    killAfterMs === undefined
      ? undefined
      : setTimeout(() => {
          try {
            process.kill(-pid, 'SIGKILL');
          } catch {
            /* already gone */
          }
        }, killAfterMs);
  await exited;
  clearTimeout(timer);
}
