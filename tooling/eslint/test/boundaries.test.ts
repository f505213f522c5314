import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import { describe, expect, it } from 'vitest';
import { configFor } from '../index.js';

const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));

type Role = Parameters<typeof configFor>[0];

const boundaryRules = new Set(['@typescript-eslint/no-restricted-imports', 'no-restricted-syntax']);

/**
 * Lints fixture files as the package `dir` under fixtures/ would, with the role it declares: the
 * same flat config a package's eslint.config.js spreads, type-aware parsing included.
 */
async function lint(role: Role, dir: string, file: string): Promise<Linter.LintMessage[]> {
  const eslint = new ESLint({
    cwd: `${fixtures}${dir}`,
    overrideConfigFile: true,
    overrideConfig: [
      ...(configFor(role) as Linter.Config[]),
      { languageOptions: { parserOptions: { tsconfigRootDir: fixtures } } },
    ],
  });
  const [result] = await eslint.lintFiles([file]);
  if (!result) throw new Error(`nothing linted for ${dir}/${file}`);
  return result.messages;
}

async function breaks(role: Role, dir: string, file: string): Promise<string[]> {
  const messages = await lint(role, dir, file);
  const other = messages.filter((m) => !m.ruleId || !boundaryRules.has(m.ruleId));
  expect(other, 'no message besides the boundary rules').toEqual([]);
  return messages.map((m) => m.message);
}

const checkout: Role = { kind: 'app', name: 'checkout' };
const worker: Role = { kind: 'app', name: 'worker' };

describe('apps', () => {
  it('passes a domain module that uses contracts and its own files', async () => {
    expect(await lint(checkout, 'checkout', 'src/orders/clean.ts')).toEqual([]);
  });

  it('keeps the waiting room and checkout off the database', async () => {
    expect(await breaks(checkout, 'checkout', 'src/orders/uses-database.ts')).toEqual([
      expect.stringMatching(/never touch the database/),
    ]);
    expect(await breaks(checkout, 'checkout', 'src/orders/uses-pg.ts')).toEqual([
      expect.stringMatching(/never touch the database/),
    ]);
  });

  it('lets the worker use the database', async () => {
    expect(await lint(worker, 'worker', 'src/ledger/clean.ts')).toEqual([]);
  });

  it('keeps Fastify out of domain folders and allows it in routes/', async () => {
    expect(await breaks(checkout, 'checkout', 'src/orders/uses-fastify.ts')).toEqual([
      expect.stringMatching(/free of Fastify/),
    ]);
    expect(await lint(checkout, 'checkout', 'src/routes/orders/index.ts')).toEqual([]);
  });

  it('never imports another app: by name, lazily, or by relative path', async () => {
    expect(await breaks(checkout, 'checkout', 'src/orders/imports-app.ts')).toEqual([
      expect.stringMatching(/An app is a deployable/),
    ]);
    expect(await breaks(checkout, 'checkout', 'src/orders/imports-app-lazily.ts')).toEqual([
      expect.stringMatching(/An app is a deployable/),
    ]);
    expect(await breaks(checkout, 'checkout', 'test/reaches-into-app.ts')).toEqual([
      expect.stringMatching(/never reaches into another app/),
    ]);
  });

  it("never names another app's files in a string (a spawn by path)", async () => {
    expect(await breaks(worker, 'worker', 'bench/spawns-app-by-path.ts')).toEqual([
      expect.stringMatching(/never reaches into another app/),
    ]);
  });

  it('refuses an app name it does not know', () => {
    expect(() => configFor({ kind: 'app', name: 'shop' } as unknown as Role)).toThrow(/shop/);
  });
});

describe('the web app', () => {
  it('shares only contracts with the services in what it ships', async () => {
    expect(await lint({ kind: 'web' }, 'web', 'src/lib/clean.ts')).toEqual([]);
    expect(await breaks({ kind: 'web' }, 'web', 'src/lib/uses-config.ts')).toEqual([
      expect.stringMatching(/only @frequency\/contracts/),
    ]);
  });

  it('lets its tests use the shared fixtures', async () => {
    expect(await lint({ kind: 'web' }, 'web', 'test/clean.ts')).toEqual([]);
  });
});

describe('packages', () => {
  it('passes a package that uses another package', async () => {
    expect(await lint({ kind: 'package' }, 'package', 'src/clean.ts')).toEqual([]);
  });

  it('never imports an app, by name or by relative path', async () => {
    expect(await breaks({ kind: 'package' }, 'package', 'src/imports-app.ts')).toEqual([
      expect.stringMatching(/An app is a deployable/),
    ]);
    expect(await breaks({ kind: 'package' }, 'package', 'src/reaches-into-app.ts')).toEqual([
      expect.stringMatching(/exports map/),
    ]);
  });
});

describe('pipeline tests', () => {
  it('may depend on apps through their packages', async () => {
    expect(await lint({ kind: 'pipeline-tests' }, 'pipeline', 'test/clean.ts')).toEqual([]);
  });

  it("still never reaches into an app's files by path", async () => {
    expect(
      await breaks({ kind: 'pipeline-tests' }, 'pipeline', 'test/reaches-into-app.ts'),
    ).toEqual([expect.stringMatching(/exports map/)]);
  });
});
