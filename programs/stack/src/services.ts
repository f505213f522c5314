import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startMailSink } from '@frequency/testing/mail-sink';
import { portAnswers, startPubSubEmulator, waitForPort } from '@frequency/testing/services';
import pg from 'pg';

/** Something this command started and must stop again (by its own PID), and nothing else. */
export interface Started {
  name: string;
  stop(): Promise<void>;
}

export class MissingBinaryError extends Error {}

function findBinary(names: string[], hint: string): string {
  for (const candidate of names) {
    if (candidate.includes('/') ? existsSync(candidate) : whichSync(candidate)) return candidate;
  }
  throw new MissingBinaryError(`${names[0] ?? '?'} not found: install the Debian package ${hint}`);
}

function whichSync(name: string): boolean {
  return (process.env.PATH ?? '').split(':').some((dir) => existsSync(join(dir, name)));
}

function stopChild(child: ChildProcess, name: string, signal: NodeJS.Signals = 'SIGTERM'): Started {
  return {
    name,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) {
          resolve();
          return;
        }
        const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
        child.once('exit', () => {
          clearTimeout(timer);
          resolve();
        });
        child.kill(signal);
      }),
  };
}

/** Reuses a Redis that answers; otherwise starts one from the local binary, data under `dir`. */
export async function ensureRedis(url: string, dir: string): Promise<Started | null> {
  const { hostname, port } = new URL(url);
  const p = Number(port || 6379);
  if (await portAnswers(hostname, p)) return null;
  const bin = findBinary(['redis-server'], 'redis-server');
  mkdirSync(dir, { recursive: true });
  const child = spawn(
    bin,
    ['--bind', hostname, '--port', String(p), '--save', '', '--appendonly', 'no', '--dir', dir],
    {
      stdio: 'ignore',
    },
  );
  await waitForPort(hostname, p, 10_000);
  return stopChild(child, 'redis');
}

/** Reuses a Postgres that answers; otherwise initialises and starts one under `dir`. */
export async function ensurePostgres(url: string, dir: string): Promise<Started | null> {
  const { hostname, port } = new URL(url);
  const p = Number(port || 5432);
  if (await portAnswers(hostname, p)) return null;
  const versions = existsSync('/usr/lib/postgresql') ? ['15', '16', '17', '14'] : [];
  const candidates = (tool: string) => [
    tool,
    ...versions.map((v) => `/usr/lib/postgresql/${v}/bin/${tool}`),
  ];
  const initdb = findBinary(candidates('initdb'), 'postgresql');
  const postgres = findBinary(candidates('postgres'), 'postgresql');
  const data = join(dir, 'data');
  // Postgres refuses to run as root: as root, run it as the `postgres` system user.
  const asUser = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  const wrap = (bin: string, args: string[]): [string, string[]] =>
    asUser.length > 0 ? [asUser[0] ?? 'runuser', [...asUser.slice(1), bin, ...args]] : [bin, args];
  if (!existsSync(join(data, 'PG_VERSION'))) {
    mkdirSync(dir, { recursive: true });
    if (asUser.length > 0) await run('chown', ['-R', 'postgres', dir]);
    await run(...wrap(initdb, ['-D', data, '-U', 'postgres', '--auth=trust', '--encoding=UTF8']));
  }
  const [bin, args] = wrap(postgres, ['-D', data, '-h', hostname, '-p', String(p), '-k', dir]);
  const child = spawn(bin, args, { stdio: 'ignore' });
  await waitForPort(hostname, p, 20_000);
  // The port answers a moment before the server accepts logins.
  for (let i = 0; i < 50; i++) {
    const client = new pg.Client({ connectionString: url.replace(/\/[^/]*$/, '/postgres') });
    try {
      await client.connect();
      await client.end();
      break;
    } catch {
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  return stopChild(child, 'postgres', 'SIGINT');
}

/** Reuses a Pub/Sub emulator that answers; otherwise starts the real one (stopped by its PID). */
export async function ensurePubSubEmulator(hostPort: string): Promise<Started | null> {
  const index = hostPort.lastIndexOf(':');
  const host = hostPort.slice(0, index);
  const port = Number(hostPort.slice(index + 1));
  if (await portAnswers(host, port)) return null;
  const emulator = await startPubSubEmulator(host, port);
  return { name: 'pubsub-emulator', stop: () => emulator.stop() };
}

/**
 * Reuses a mail sink that answers on the SMTP port (another stack's, a mailpit); otherwise starts
 * the in-process one, SMTP on `smtpPort` and its web inbox on `inboxPort`, stopped with the stack.
 */
export async function ensureMailSink(smtpPort: number, inboxPort: number): Promise<Started | null> {
  if (await portAnswers('127.0.0.1', smtpPort)) return null;
  const sink = await startMailSink({ smtpPort, httpPort: inboxPort });
  return { name: 'mail-sink', stop: () => sink.stop() };
}

function run(bin: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.once('error', reject);
    child.once('exit', (code) => {
      if (code === 0) resolve();
      else reject(new Error(`${bin} exited ${code}: ${err}`));
    });
  });
}
