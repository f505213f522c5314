import { defineConfig } from 'vitest/config';

// Unit tests only: integration tests of this package live in @frequency/testing, which depends on it.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  // Generous: the suite shares 2 cores with every other package's tests.
  test: { testTimeout: 30_000 },
});
