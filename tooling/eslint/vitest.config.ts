import { defineConfig } from 'vitest/config';

// Generous: each role's first lint builds a TypeScript program, on 2 shared cores.
export default defineConfig({ test: { testTimeout: 60_000 } });
