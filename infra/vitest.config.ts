import { defineConfig } from 'vitest/config';

export default defineConfig({
  // Workspace packages (the CORS plugin) resolve to their TypeScript sources.
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  test: {
    include: ['test/**/*.test.ts'],
    // kubectl, terraform and docker-compose are real processes; each call takes about a second.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
