import { createRequire } from 'node:module';
import { dirname } from 'node:path';

export type AppName = 'waiting-room' | 'checkout' | 'worker';

export const APPS: readonly AppName[] = ['waiting-room', 'checkout', 'worker'];

const require = createRequire(import.meta.url);

/**
 * Node's arguments to run the file a package export names. Plain Node resolves the `default`
 * condition, the build in dist, which runs as production runs it; a process that resolves with
 * `--conditions=source` (vitest's workers do) is handed the TypeScript source, run through tsx.
 */
export function nodeArgs(specifier: string): string[] {
  const entry = require.resolve(specifier);
  return entry.endsWith('.ts') ? ['--conditions=source', '--import', 'tsx', entry] : [entry];
}

export function serverArgs(app: AppName): string[] {
  return nodeArgs(`@frequency/${app}/server`);
}

/** The app's package folder (its working directory when it runs). */
export function appDir(app: AppName): string {
  return dirname(dirname(require.resolve(`@frequency/${app}/server`)));
}

/** App servers that cannot be resolved: a build export names a file only once it is built. */
export function missingBuilds(): string[] {
  return APPS.map((app) => `@frequency/${app}/server`).filter((specifier) => {
    try {
      require.resolve(specifier);
      return false;
    } catch {
      return true;
    }
  });
}
