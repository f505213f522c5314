import { defineConfig } from 'vitest/config';
import { vitestConfig } from '@frequency/testing/vitest';

const base = vitestConfig({ integration: true, testTimeout: 180_000 });

/**
 * Unit tests beside the code run alone; the browser tests under test/e2e get a global setup that
 * starts the real services and `next start` of the built app (turbo builds it first).
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    globalSetup: [...(base.test?.globalSetup ?? []), './test/e2e/global-setup.ts'],
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
