import { fileURLToPath } from 'node:url';
import type { ViteUserConfig } from 'vitest/config';

export interface VitestOptions {
  /** Adds the global setup that makes sure a Pub/Sub emulator answers for the run. */
  integration?: boolean;
  testTimeout?: number;
}

/**
 * Shared vitest settings. Workspace packages resolve to their TypeScript sources (the `source`
 * export condition), so tests never run against a stale build.
 */
export function vitestConfig(options: VitestOptions = {}): ViteUserConfig {
  const here = import.meta.url;
  const setupFile = here.endsWith('.ts') ? './global-setup.ts' : './global-setup.js';
  return {
    resolve: { conditions: ['source'] },
    ssr: { resolve: { conditions: ['source'] } },
    test: {
      globalSetup: options.integration ? [fileURLToPath(new URL(setupFile, here))] : [],
      testTimeout: options.testTimeout ?? 30_000,
      hookTimeout: 60_000,
      pool: 'forks',
      env: { METADATA_SERVER_DETECTION: 'none' },
    },
  };
}
