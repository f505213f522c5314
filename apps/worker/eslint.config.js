import { configFor } from '@frequency/eslint-config';

export default [
  ...configFor({ kind: 'app', name: 'worker' }),
  {
    // Cross-app tests that move to tests/pipeline, the package that may depend on apps: delete this
    // entry once they have moved.
    files: ['test/harness.ts', 'bench/e2e-million.ts'],
    rules: { '@typescript-eslint/no-restricted-imports': 'off', 'no-restricted-syntax': 'off' },
  },
];
