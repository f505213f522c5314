import type { TestProject } from 'vitest/node';
import { portAnswers, startPubSubEmulator } from './services.js';

/**
 * Vitest global setup: makes sure a Pub/Sub emulator answers for the whole test run. One that already
 * answers (the local stack's, CI's) is reused; otherwise one is started here and stopped by its own
 * PID (and process group) at the end, so nothing is left running and nothing else is touched.
 */
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
