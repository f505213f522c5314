import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const infraDir = path.join(repoRoot, 'infra');

export const APPS = ['web', 'waiting-room', 'checkout', 'worker'] as const;
export type App = (typeof APPS)[number];

export function readRepoFile(relative: string): string {
  return readFileSync(path.join(repoRoot, relative), 'utf8');
}

export function repoPathExists(relative: string): boolean {
  return existsSync(path.join(repoRoot, relative));
}

export function listFiles(dir: string, suffix: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name === '.terraform' || entry.name === 'node_modules') continue;
      out.push(...listFiles(full, suffix));
    } else if (entry.name.endsWith(suffix)) {
      out.push(full);
    }
  }
  return out.sort();
}

export interface RunOptions {
  cwd?: string;
  env?: Record<string, string>;
  /** How to install the tool when it is missing; shown in the failure. */
  installHint: string;
}

export class CommandError extends Error {
  constructor(
    message: string,
    readonly stdout: string,
    readonly stderr: string,
  ) {
    super(message);
  }
}

function isErrnoException(err: unknown): err is NodeJS.ErrnoException {
  return err instanceof Error && 'code' in err;
}

function outputOf(err: unknown, key: 'stdout' | 'stderr'): string {
  if (typeof err !== 'object' || err === null || !(key in err)) return '';
  const value: unknown = Reflect.get(err, key);
  if (typeof value === 'string') return value;
  if (Buffer.isBuffer(value)) return value.toString('utf8');
  return '';
}

/** Runs a tool and returns its stdout; a missing tool fails with how to install it. */
export function run(command: string, args: readonly string[], options: RunOptions): string {
  try {
    return execFileSync(command, args, {
      cwd: options.cwd ?? repoRoot,
      env: { ...process.env, ...options.env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (err) {
    if (isErrnoException(err) && err.code === 'ENOENT') {
      throw new Error(`${command} is not installed (not on PATH): ${options.installHint}`);
    }
    const stderr = outputOf(err, 'stderr');
    throw new CommandError(
      `${command} ${args.join(' ')} failed:\n${stderr}`,
      outputOf(err, 'stdout'),
      stderr,
    );
  }
}

/** Names in the environment-variable table of docs/conventions.md. */
export function conventionEnvNames(): Map<string, string> {
  const table = new Map<string, string>();
  for (const line of readRepoFile('docs/conventions.md').split('\n')) {
    const match = /^\| `([A-Z_]+)` \| ([^|]+) \|/.exec(line);
    if (match?.[1] !== undefined && match[2] !== undefined) table.set(match[1], match[2].trim());
  }
  return table;
}

/** Default port of each process, from docs/conventions.md. */
export const APP_PORTS: Record<App, number> = {
  web: 3000,
  'waiting-room': 3001,
  checkout: 3002,
  worker: 3003,
};

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asRecord(value: unknown, what: string): Record<string, unknown> {
  if (!isRecord(value))
    throw new Error(`${what}: expected an object, got ${JSON.stringify(value)}`);
  return value;
}

export function asArray(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value))
    throw new Error(`${what}: expected a list, got ${JSON.stringify(value)}`);
  return value;
}

export function asString(value: unknown, what: string): string {
  if (typeof value !== 'string')
    throw new Error(`${what}: expected a string, got ${JSON.stringify(value)}`);
  return value;
}
