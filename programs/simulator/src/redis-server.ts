import { spawn } from 'node:child_process';
import { portAnswers } from '@frequency/testing/services';
import { Redis } from 'ioredis';

export interface PrivateRedis {
  url: string;
  stop(): Promise<void>;
}

/** Starts redis-server on `port` without persistence; stopped by its own PID. */
export async function startRedis(port: number): Promise<PrivateRedis> {
  const child = spawn(
    'redis-server',
    ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'],
    {
      stdio: 'ignore',
    },
  );
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (err) => {
      reject(
        new Error(
          `cannot start redis-server (Debian package redis-server), or set SIM_OWN_REDIS=0: ${err.message}`,
        ),
      );
    });
  });
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answered = await Promise.race([portAnswers('127.0.0.1', port), failed]);
    if (answered) break;
    if (Date.now() > deadline)
      throw new Error(`redis-server did not listen on ${port} within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url: `redis://127.0.0.1:${port}/0`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) {
          resolve();
          return;
        }
        child.once('exit', () => {
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/** Commands Redis has processed, per command name (INFO commandstats). */
export async function commandStats(url: string): Promise<Map<string, number>> {
  const redis = new Redis(url, { maxRetriesPerRequest: 2 });
  try {
    const info = await redis.info('commandstats');
    const stats = new Map<string, number>();
    for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) {
      stats.set(match[1] ?? '?', Number(match[2]));
    }
    return stats;
  } finally {
    redis.disconnect();
  }
}
