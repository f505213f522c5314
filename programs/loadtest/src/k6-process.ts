// Runs k6 with its output both on the terminal and in the run's folder.
import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import type { K6Command } from './k6-command.js';
import { parseK6Version } from './run-record.js';

/** The version of the k6 binary, or a clear error when there is none. */
export function k6Version(k6: string): string {
  const result = spawnSync(k6, ['version'], { encoding: 'utf8', timeout: 10_000 });
  if (result.error !== undefined) {
    throw new Error(
      `cannot run k6 as "${k6}" (${result.error.message}): set K6=/path/to/k6 (v0.48 or newer)`,
    );
  }
  return parseK6Version(`${result.stdout}${result.stderr}`);
}

export interface K6Run {
  /** k6's exit code: 0 passed, 99 thresholds crossed, anything else a failed run. */
  exited: Promise<number>;
  /** Asks k6 to stop (it still writes its summary); a second call kills it. */
  interrupt(): void;
}

export function runK6(
  command: K6Command,
  files: { printedSummary: string; log: string },
  basePath: string,
): K6Run {
  const printed = createWriteStream(files.printedSummary);
  const log = createWriteStream(files.log);
  const child = spawn(command.command, command.args, {
    // k6 needs nothing else from the environment; PATH and HOME for its own lookups.
    env: { PATH: basePath, HOME: process.env.HOME ?? '', ...command.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (chunk: Buffer) => {
    printed.write(chunk);
    process.stdout.write(chunk);
  });
  child.stderr.on('data', (chunk: Buffer) => {
    log.write(chunk);
    process.stderr.write(chunk);
  });
  const exited = new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      printed.end();
      log.end();
      resolve(code ?? (signal === null ? 1 : 128));
    });
  });
  let interrupts = 0;
  return {
    exited,
    interrupt: () => {
      interrupts += 1;
      child.kill(interrupts === 1 ? 'SIGINT' : 'SIGKILL');
    },
  };
}
