import { config } from '@frequency/eslint-config';
import nextPlugin from '@next/eslint-plugin-next';
import reactHooks from 'eslint-plugin-react-hooks';

export default [
  ...config,
  { ignores: ['.next/**', 'next-env.d.ts', 'public/**'] },
  {
    files: ['**/*.{ts,tsx}'],
    plugins: { '@next/next': nextPlugin, 'react-hooks': reactHooks },
    rules: {
      ...nextPlugin.configs.recommended.rules,
      ...nextPlugin.configs['core-web-vitals'].rules,
      ...reactHooks.configs.recommended.rules,
    },
  },
  {
    // Next's file conventions (page.tsx, layout.tsx, route config) need default exports.
    files: ['src/app/**/page.tsx', 'src/app/**/layout.tsx', 'src/app/**/not-found.tsx'],
    rules: { 'no-restricted-syntax': 'off' },
  },
];
