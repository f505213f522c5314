import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Type-aware lint for every package, and the import rules of the architecture. Each package's
 * eslint.config.js spreads `configFor(role)`, naming what it is, so the rules live in one place and a
 * break fails `pnpm lint` instead of waiting for a reviewer.
 *
 * @typedef {'waiting-room' | 'checkout' | 'worker' | 'web'} AppName
 * @typedef {{ kind: 'app', name: Exclude<AppName, 'web'> }
 *   | { kind: 'web' }
 *   | { kind: 'package' }
 *   | { kind: 'pipeline-tests' }} Role
 *   `app`: a Fastify service under apps/. `web`: apps/web. `package`: packages/*, programs/*,
 *   grafana. `pipeline-tests`: the package of tests that run several apps together, the one place
 *   that may depend on apps.
 */

/** @type {readonly AppName[]} */
const appNames = ['waiting-room', 'checkout', 'worker', 'web'];

/** Apps in the hot path: Redis holds the line and the stock there, so no database client either. */
const appsWithoutDatabase = new Set(['waiting-room', 'checkout']);

/** Where an app keeps its Fastify wiring; everything else under src/ is plain domain logic. */
const fastifyFiles = ['src/routes/**', 'src/plugins/**', 'src/app.ts', 'src/server.ts'];

const tsFiles = ['**/*.{ts,tsx,mts,cts}'];

const namedExports = { selector: 'ExportDefaultDeclaration', message: 'Use named exports.' };

/** Escapes a regular expression's slashes for a selector, whose regex literal cannot hold any. */
const inSelector = (source) => source.replaceAll('/', '\\x2F');

/**
 * One forbidden family of import sources: `regex` matches the source string, `message` says why.
 * Static imports and re-exports go through no-restricted-imports; `import()` through a selector.
 *
 * @typedef {{ regex: string, message: string }} Forbidden
 */

/** @param {readonly string[]} names */
const appPackages = (names) => ({
  regex: `^@frequency/(${names.join('|')})(/|$)`,
  message:
    'An app is a deployable, not a library: share the code through a package under packages/ ' +
    '(tests that need several apps belong in tests/pipeline).',
});

const appPaths = {
  regex: '^(\\.\\./)+(.*/)?apps/',
  message: "Another package's files are reached through its exports map, never by relative path.",
};

/** @param {readonly string[]} names */
const siblingAppPaths = (names) => ({
  regex: `^(\\.\\./)+(${names.join('|')})/`,
  message: "An app never reaches into another app's files.",
});

const database = {
  regex: '^(@frequency/db|pg)(/|$)',
  message:
    'The waiting room and checkout never touch the database: they reserve in Redis and publish to ' +
    'Pub/Sub; the worker persists.',
};

const fastify = {
  regex: '^(fastify|fastify-plugin|@fastify/.*)$',
  message:
    'Domain logic stays free of Fastify: routes/ and plugins/ (and app.ts, server.ts) adapt it to ' +
    'HTTP.',
};

const workspaceBeyondContracts = {
  regex: '^@frequency/(?!contracts(/|$))',
  message:
    'The web app shares only @frequency/contracts with the services: it talks to them over HTTP.',
};

/**
 * The rule settings for one set of files: the sources it may not import, and, for apps, string
 * literals that name another app's files (a spawn of its server by path is an import in disguise).
 *
 * @param {readonly Forbidden[]} forbidden
 * @param {{ literals?: Forbidden, defaultExports?: boolean }} options
 */
function restrictions(forbidden, { literals, defaultExports = false } = {}) {
  const syntax = [
    ...(defaultExports ? [] : [namedExports]),
    ...forbidden.map(({ regex, message }) => ({
      selector: `ImportExpression[source.value=/${inSelector(regex)}/]`,
      message,
    })),
    ...(literals
      ? [
          {
            // Import sources are the import rules' to report, once.
            selector: `Literal[value=/${inSelector(literals.regex)}/]:not(ImportDeclaration > Literal, ExportNamedDeclaration > Literal, ExportAllDeclaration > Literal, ImportExpression > Literal)`,
            message: literals.message,
          },
        ]
      : []),
  ];
  return {
    'no-restricted-imports': 'off',
    '@typescript-eslint/no-restricted-imports':
      forbidden.length === 0
        ? 'off'
        : ['error', { patterns: forbidden.map(({ regex, message }) => ({ regex, message })) }],
    'no-restricted-syntax': ['error', ...syntax],
  };
}

/**
 * The import rules for a role, as flat-config entries. Later entries replace a rule's settings for
 * the files they match, so each entry carries everything that applies to its files.
 *
 * @param {Role} role
 */
function boundaries(role) {
  switch (role.kind) {
    case 'package':
      return [{ files: tsFiles, rules: restrictions([appPackages(appNames), appPaths]) }];
    case 'pipeline-tests':
      return [{ files: tsFiles, rules: restrictions([appPaths]) }];
    case 'web': {
      const others = appNames.filter((name) => name !== 'web');
      const literals = siblingAppPaths(others);
      const base = [appPackages(others), appPaths, literals];
      return [
        { files: tsFiles, rules: restrictions(base, { literals }) },
        {
          files: ['src/**/*.{ts,tsx}'],
          rules: restrictions([...base, workspaceBeyondContracts], { literals }),
        },
        {
          // Next's file conventions (page.tsx, layout.tsx, route config) need default exports.
          files: ['src/app/**/page.tsx', 'src/app/**/layout.tsx', 'src/app/**/not-found.tsx'],
          rules: restrictions([...base, workspaceBeyondContracts], {
            literals,
            defaultExports: true,
          }),
        },
      ];
    }
    case 'app': {
      if (!appNames.includes(role.name) || role.name === 'web') {
        throw new Error(`configFor: unknown app ${JSON.stringify(role.name)}`);
      }
      const others = appNames.filter((name) => name !== role.name);
      const literals = siblingAppPaths(others);
      const base = [
        appPackages(others),
        appPaths,
        literals,
        ...(appsWithoutDatabase.has(role.name) ? [database] : []),
      ];
      return [
        { files: tsFiles, rules: restrictions(base, { literals }) },
        {
          files: ['src/**/*.ts'],
          ignores: [...fastifyFiles, 'src/**/*.test.ts'],
          rules: restrictions([...base, fastify], { literals }),
        },
      ];
    }
    default:
      throw new Error(`configFor: unknown role ${JSON.stringify(role)}`);
  }
}

/**
 * The lint config of one package, which says what it is.
 *
 * @param {Role} role
 */
export function configFor(role) {
  return tseslint.config(
    {
      ignores: ['dist/**', '.next/**', 'coverage/**', 'drizzle/**', '*.config.*', 'next-env.d.ts'],
    },
    js.configs.recommended,
    ...tseslint.configs.strictTypeChecked,
    {
      languageOptions: {
        parserOptions: { projectService: true, tsconfigRootDir: process.cwd() },
      },
      rules: {
        '@typescript-eslint/no-explicit-any': 'error',
        '@typescript-eslint/no-non-null-assertion': 'error',
        '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
        '@typescript-eslint/consistent-type-imports': 'error',
        '@typescript-eslint/no-floating-promises': 'error',
        '@typescript-eslint/no-unused-vars': [
          'error',
          { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
        ],
      },
    },
    ...boundaries(role),
    {
      files: ['**/*.test.ts', 'test/**/*.ts'],
      rules: {
        '@typescript-eslint/no-non-null-assertion': 'off',
        '@typescript-eslint/no-unsafe-assignment': 'off',
        '@typescript-eslint/no-unsafe-member-access': 'off',
      },
    },
  );
}

/** A config that does not say what it is gets the strictest role that fits most: a package's. */
export const config = configFor({ kind: 'package' });
