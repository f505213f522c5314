// How a program that starts the stack as a child (the simulator, the load test) knows it is ready.
import type { ChildProcess } from 'node:child_process';

/** The last line the stack prints once everything answers and the event is seeded. */
export const STACK_READY_LINE = 'Ctrl-C stops everything this command started.';

/** Resolves once the stack's stdout carries the ready line; rejects on exit or after the timeout. */
export function waitForStackReady(child: ChildProcess, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => {
      finish(new Error(`the stack was not ready within ${timeoutMs / 1000} s`));
    }, timeoutMs);
    const onData = (chunk: Buffer) => {
      // Only the tail matters: the ready line is the last thing the stack prints.
      seen = (seen + chunk.toString('utf8')).slice(-4_096);
      if (seen.includes(STACK_READY_LINE)) finish(null);
    };
    const onExit = (code: number | null) => {
      finish(new Error(`the stack exited (${code ?? 'signal'}) before it was ready`));
    };
    const finish = (err: Error | null) => {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.off('exit', onExit);
      if (err) reject(err);
      else resolve();
    };
    child.stdout?.on('data', onData);
    child.once('exit', onExit);
  });
}
