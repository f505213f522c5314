import { spawn, type ChildProcess } from 'node:child_process';
import { portAnswers, stopProcessGroup, waitForPort } from '@frequency/db/spanner-emulator';

export { portAnswers, stopProcessGroup, waitForPort };

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
