import type { TestProject } from 'vitest/node';
import { portAnswers, startSpannerEmulator } from '../src/spanner-emulator.js';

/**
 * Makes sure a Spanner emulator answers for the whole run. One that already answers on
 * SPANNER_EMULATOR_HOST (default 127.0.0.1:9010: the local stack's, CI's) is reused; otherwise one
 * is started here and stopped by its own PID at the end. Postgres is a machine service, never started
 * here. (packages/db cannot use @frequency/testing's setup: that package depends on this one.)
 */
declare module 'vitest' {
  export interface ProvidedContext {
    spannerEmulatorHost: string;
  }
}

export async function setup(project: TestProject): Promise<() => Promise<void>> {
  const hostPort = process.env.SPANNER_EMULATOR_HOST ?? '127.0.0.1:9010';
  const index = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, index);
  const grpcPort = Number(hostPort.slice(index + 1));
  project.provide('spannerEmulatorHost', hostPort);
  if (await portAnswers(host, grpcPort)) return () => Promise.resolve();
  const emulator = await startSpannerEmulator({ host, grpcPort });
  return () => emulator.stop();
}
