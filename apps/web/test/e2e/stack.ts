import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopProcessGroup } from '@frequency/testing/services';

export { freePort } from '@frequency/testing/services';
import { exportJWK, generateKeyPair } from 'jose';

export const webRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const repoRoot = resolve(webRoot, '../..');
export const logDir = join(webRoot, 'test-results', 'logs');

/** A fresh `{ keys: [current, next] }` of private ES256 JWKs, as ADMISSION_PRIVATE_JWKS wants. */
export async function generateAdmissionJwks(): Promise<string> {
  const keys = [];
  for (const kid of ['e2e-current', 'e2e-next']) {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    keys.push({
      ...(await exportJWK(privateKey)),
      kid: `${kid}-${Date.now().toString(36)}`,
      alg: 'ES256',
      use: 'sig',
    });
  }
  return JSON.stringify({ keys });
}

export interface Started {
  name: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts a process in its own process group (so its children go with it), logging to
 * test-results/logs/<name>.log, and stops it by that group's id only.
 */
export function startProcess(
  name: string,
  command: string,
  args: string[],
  options: { cwd: string; env: Record<string, string> },
): Started {
  mkdirSync(logDir, { recursive: true });
  const log = createWriteStream(join(logDir, `${name}.log`));
  const child = spawn(command, args, {
    cwd: options.cwd,
    // Every process here runs as in production; Next's types insist on NODE_ENV being spelled out.
    env: { ...options.env, NODE_ENV: 'production' },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.pipe(log);
  child.stderr.pipe(log);
  const stop = () => stopProcessGroup(child, 10_000);
  return { name, child, stop };
}

/** Polls `url` until it answers 200, failing early if the process died. */
export async function waitForHttp(url: string, started: Started, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    if (started.child.exitCode !== null) {
      throw new Error(
        `${started.name} exited with ${started.child.exitCode}; see ${join(logDir, `${started.name}.log`)}`,
      );
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
      last = `HTTP ${response.status}: ${(await response.text()).slice(0, 300)}`;
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(
    `${started.name} not ready at ${url} within ${timeoutMs} ms (${last}); see ${logDir}`,
  );
}

export function binary(name: string): string {
  for (const dir of [
    join(webRoot, 'node_modules', '.bin'),
    join(repoRoot, 'node_modules', '.bin'),
  ]) {
    const candidate = join(dir, name);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${name} is not installed; run pnpm install`);
}
