import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { portAnswers, stopProcessGroup, waitForPort } from '@frequency/processes';

export { killProcessGroup, portAnswers, stopProcessGroup, waitForPort } from '@frequency/processes';

/** Where the Google Cloud CLI (Debian package google-cloud-cli-spanner-emulator) puts the binaries. */
export const defaultSpannerEmulatorDir = '/usr/lib/google-cloud-sdk/bin/cloud_spanner_emulator';

export interface SpannerEmulatorOptions {
  host?: string;
  /** gRPC port the clients use (SPANNER_EMULATOR_HOST=host:grpcPort). */
  grpcPort?: number;
  /**
   * REST port. Given, the emulator is started through its gateway (gateway_main), which serves REST
   * and runs the gRPC server (emulator_main) as its child in the same process group. Omitted, only
   * the gRPC server runs, one process.
   */
  restPort?: number;
  /** Directory of emulator_main and gateway_main; defaults to SPANNER_EMULATOR_DIR or the gcloud path. */
  binDir?: string;
  startTimeoutMs?: number;
}

export interface StartedSpannerEmulator {
  /** host:grpcPort, the value of SPANNER_EMULATOR_HOST. */
  hostPort: string;
  pid: number;
  child: ChildProcess;
  /** Stops the process group (gateway and gRPC server) by its PID; SIGKILL after 5 s. */
  stop(): Promise<void>;
}

/**
 * Starts the real Cloud Spanner emulator detached in its own process group, waits until its gRPC
 * port answers, and returns a handle that stops exactly that group. `gcloud emulators spanner start`
 * is not used: it is a wrapper whose children outlive it, so its PID is not the one to stop.
 * The emulator keeps everything in memory; stopping it forgets every instance and database.
 */
export async function startSpannerEmulator(
  options: SpannerEmulatorOptions = {},
): Promise<StartedSpannerEmulator> {
  const host = options.host ?? '127.0.0.1';
  const grpcPort = options.grpcPort ?? 9010;
  const binDir = options.binDir ?? process.env.SPANNER_EMULATOR_DIR ?? defaultSpannerEmulatorDir;
  const emulatorMain = join(binDir, 'emulator_main');
  if (!existsSync(emulatorMain)) {
    throw new Error(
      `no Spanner emulator at ${emulatorMain}: install the Debian package google-cloud-cli-spanner-emulator ` +
        'or set SPANNER_EMULATOR_DIR to the directory holding emulator_main and gateway_main',
    );
  }
  if (await portAnswers(host, grpcPort)) {
    throw new Error(`${host}:${grpcPort} is already in use; choose another grpcPort`);
  }
  const [command, args] =
    options.restPort === undefined
      ? [emulatorMain, ['--host_port', `${host}:${grpcPort}`]]
      : [
          join(binDir, 'gateway_main'),
          [
            '--hostname',
            host,
            '--grpc_port',
            String(grpcPort),
            '--http_port',
            String(options.restPort),
            '--grpc_binary',
            emulatorMain,
            '--copy_emulator_stderr=false',
          ],
        ];
  const child = spawn(command, args, { detached: true, stdio: 'ignore' });
  const { pid } = child;
  if (pid === undefined) {
    const reason = await new Promise<string>((resolve) => {
      child.once('error', (err) => {
        resolve(err.message);
      });
    });
    throw new Error(`cannot start the Spanner emulator (${command}): ${reason}`);
  }
  const exitedEarly = new Promise<never>((_, reject) => {
    child.once('exit', (status) => {
      reject(
        new Error(`the Spanner emulator exited with status ${String(status)} before answering`),
      );
    });
  });
  // Handled by the race below; after startup an exit is what stop() waits for, not an error.
  exitedEarly.catch(() => undefined);
  // The emulator must not keep this process alive: a stack script that exits leaves it running on
  // purpose only if it never calls stop().
  child.unref();
  const stop = async (): Promise<void> => {
    await stopProcessGroup(child);
    // The gateway is only the group's leader: its gRPC child may still hold the port a moment longer.
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline && (await portAnswers(host, grpcPort, 200))) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  };
  try {
    const timeoutMs = options.startTimeoutMs ?? 30_000;
    const ports = [grpcPort, ...(options.restPort === undefined ? [] : [options.restPort])];
    await Promise.race([
      Promise.all(ports.map((port) => waitForPort(host, port, timeoutMs))),
      exitedEarly,
    ]);
  } catch (err) {
    await stop();
    throw err;
  }
  return { hostPort: `${host}:${grpcPort}`, pid, child, stop };
}
