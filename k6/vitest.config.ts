import { defineConfig } from 'vitest/config';

// Workspace packages are read from source (their `source` export), as the bundle and tsx read them.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: { testTimeout: 30_000 },
});
