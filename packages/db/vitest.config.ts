import { defineConfig } from 'vitest/config';

/**
 * Unit tests beside the code (src/) and the store tests (test/) against real Postgres and the Spanner
 * emulator, which the global setup starts if none answers. Workspace packages resolve to their
 * TypeScript sources (the `source` condition), so tests never run against a stale build.
 */
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // No GCP metadata server here: without this google-auth probes for one on every client.
    env: { METADATA_SERVER_DETECTION: 'none' },
  },
});
