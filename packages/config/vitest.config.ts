import { defineConfig } from 'vitest/config';

// Tests beside the code (redis-commands runs against the Redis at TEST_REDIS_URL); tests that need
// the shared fixtures live in @frequency/testing, which depends on this package.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
  // Generous: the suite shares 2 cores with every other package's tests.
  test: { testTimeout: 30_000 },
});
