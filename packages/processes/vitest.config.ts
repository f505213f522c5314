import { defineConfig } from 'vitest/config';

// Generous: the suite shares 2 cores with every other package's tests.
export default defineConfig({ test: { testTimeout: 30_000 } });
