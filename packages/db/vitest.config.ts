import { defineConfig } from 'vitest/config';

// Unit tests only: integration tests of this package live in @frequency/testing, which depends on it.
export default defineConfig({
  resolve: { conditions: ['source'] },
  ssr: { resolve: { conditions: ['source'] } },
});
