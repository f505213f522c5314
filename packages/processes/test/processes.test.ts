import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, test } from 'vitest';
import {
  freePort,
  killProcessGroup,
  portAnswers,
  stopProcessGroup,
  waitForPort,
} from '../src/index.js';

/** Running, not a zombie: an orphan whose parent was killed waits for init to reap it. */
const alive = (pid: number) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) Z/.test(stat);
  } catch {
    return false;
  }
};

/** A detached shell that starts a grandchild, so the group holds two processes. */
function spawnGroup(script: string) {
  const child = spawn('sh', ['-c', script], {
    detached: true,
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  const grandchild = new Promise<number>((resolve) => {
    child.stdout.once('data', (chunk: Buffer) => {
      resolve(Number(chunk.toString().trim()));
    });
  });
  return { child, grandchild };
}

describe('ports', () => {
  test('a free port takes a listener; it answers while that listens and not after', async () => {
    const port = await freePort();
    expect(await portAnswers('127.0.0.1', port)).toBe(false);
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    try {
      expect(await portAnswers('127.0.0.1', port)).toBe(true);
      await waitForPort('127.0.0.1', port, 1_000);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
    expect(await portAnswers('127.0.0.1', port)).toBe(false);
  });

  test('waiting for a port nothing opens fails, naming it', async () => {
    const port = await freePort();
    await expect(waitForPort('127.0.0.1', port, 300)).rejects.toThrow(`127.0.0.1:${port}`);
  });
});

describe('process groups', () => {
  test('stopping ends the child and what it started', async () => {
    const { child, grandchild } = spawnGroup('sleep 60 & echo $!; wait');
    const pid = await grandchild;
    expect(alive(pid)).toBe(true);
    await stopProcessGroup(child);
    await expect.poll(() => alive(pid)).toBe(false);
    expect(child.signalCode ?? child.exitCode).not.toBeNull();
  });

  test('a child that ignores SIGTERM is killed after the grace period', async () => {
    const { child, grandchild } = spawnGroup("trap '' TERM; sleep 60 & echo $!; wait");
    const pid = await grandchild;
    await stopProcessGroup(child, 200);
    expect(child.signalCode).toBe('SIGKILL');
    await expect.poll(() => alive(pid)).toBe(false);
  });

  test('killing ends the group at once; a child that has exited is left alone', async () => {
    const { child, grandchild } = spawnGroup('sleep 60 & echo $!; wait');
    const pid = await grandchild;
    await killProcessGroup(child);
    expect(child.signalCode).toBe('SIGKILL');
    await expect.poll(() => alive(pid)).toBe(false);
    await killProcessGroup(child);
  });
});
