import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Copy, DockerfileParser, type Dockerfile, type Instruction } from 'dockerfile-ast';
import { validate, ValidationSeverity } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';
import {
  APP_PORTS,
  APPS,
  asRecord,
  asString,
  infraDir,
  readRepoFile,
  type App,
} from './support/repo.js';

function dockerfilePath(app: App): string {
  return path.join(infraDir, 'docker', `${app}.Dockerfile`);
}

function load(app: App): { text: string; ast: Dockerfile } {
  const text = readFileSync(dockerfilePath(app), 'utf8');
  return { text, ast: DockerfileParser.parse(text) };
}

/** Instructions of the last stage: what the shipped image is made of. */
function finalStage(ast: Dockerfile): Instruction[] {
  const instructions = ast.getInstructions();
  const lastFrom = instructions.map((i) => i.getKeyword()).lastIndexOf('FROM');
  return instructions.slice(lastFrom);
}

function argDefault(ast: Dockerfile, name: string): string | undefined {
  for (const instruction of ast.getInstructions()) {
    if (instruction.getKeyword() !== 'ARG') continue;
    const [key, value] = instruction.getArgumentsContent()?.split('=') ?? [];
    if (key === name) return value;
  }
  return undefined;
}

/** Exec form: a JSON array of strings, so no shell sits between the runtime and node. */
function execForm(instruction: Instruction | undefined): string[] {
  const content = instruction?.getArgumentsContent() ?? '';
  const parsed: unknown = JSON.parse(content);
  if (!Array.isArray(parsed) || !parsed.every((p) => typeof p === 'string')) {
    throw new Error(`not exec form: ${content}`);
  }
  return parsed;
}

describe.each(APPS)('infra/docker/%s.Dockerfile', (app) => {
  it('has no problems dockerfile-utils reports', () => {
    const { text } = load(app);
    const problems = validate(text).filter(
      (d) => d.severity === ValidationSeverity.ERROR || d.severity === ValidationSeverity.WARNING,
    );
    expect(problems.map((p) => `${p.range.start.line + 1}: ${p.message}`)).toEqual([]);
  });

  it('builds in stages from a pruned workspace and ships on a slim Node 20 base', () => {
    const { ast, text } = load(app);
    const froms = ast.getFROMs();
    expect(froms.length).toBeGreaterThanOrEqual(3);
    expect(argDefault(ast, 'NODE_IMAGE')).toMatch(/^node:20(\.\d+)*-(bookworm-slim|slim|alpine)/);
    expect(froms.at(-1)?.getImageName()).toBe('${NODE_IMAGE}');
    expect(text).toContain(`turbo prune @frequency/${app} --docker`);
    expect(text).toContain('pnpm install --frozen-lockfile --prod');
    expect(text).toContain(`turbo run build --filter=@frequency/${app}`);
  });

  it('ships no build tooling: the final stage only copies the built tree', () => {
    const { ast } = load(app);
    const runs = finalStage(ast)
      .filter((i) => i.getKeyword() === 'RUN')
      .map((i) => i.getArgumentsContent() ?? '');
    for (const run of runs) {
      expect(run).not.toMatch(/pnpm|npm install|turbo/);
    }
    const copies = finalStage(ast).filter((i) => i.getKeyword() === 'COPY');
    expect(
      copies.map((c) => [
        c instanceof Copy ? c.getFromFlag()?.getValue() : undefined,
        c.getArgumentsContent(),
      ]),
    ).toEqual([['builder', '/repo/ /app/']]);
  });

  it('runs as a numeric non-root user', () => {
    const users = finalStage(load(app).ast).filter((i) => i.getKeyword() === 'USER');
    expect(users).toHaveLength(1);
    const [user] = users[0]?.getArgumentsContent()?.split(':') ?? [];
    expect(user).toMatch(/^[0-9]+$/);
    expect(Number(user)).toBeGreaterThan(0);
  });

  it('checks /healthz on its port and exposes it', () => {
    const { ast } = load(app);
    const stage = finalStage(ast);
    const healthchecks = ast.getHEALTHCHECKs();
    expect(healthchecks).toHaveLength(1);
    const content = healthchecks[0]?.getArgumentsContent() ?? '';
    expect(content).toContain('CMD ["node"');
    expect(content).toContain('/healthz');
    expect(stage.find((i) => i.getKeyword() === 'EXPOSE')?.getArgumentsContent()).toBe(
      String(APP_PORTS[app]),
    );
    expect(stage.find((i) => i.getKeyword() === 'ENV')?.getArgumentsContent()).toContain(
      `PORT=${APP_PORTS[app]}`,
    );
  });

  it('starts node under tini in exec form, so SIGTERM reaches the server', () => {
    const { ast } = load(app);
    const stage = finalStage(ast);
    const entrypoint = execForm(stage.find((i) => i.getKeyword() === 'ENTRYPOINT'));
    expect(entrypoint).toEqual(['/usr/bin/tini', '--']);
    const cmd = execForm(stage.find((i) => i.getKeyword() === 'CMD'));
    expect(cmd[0]).toBe('node');
    expect(cmd[1]).toBe(app === 'web' ? 'node_modules/next/dist/bin/next' : 'dist/server.js');
    expect(stage.find((i) => i.getKeyword() === 'WORKDIR')?.getArgumentsContent()).toBe(
      `/app/apps/${app}`,
    );
  });

  it('pins pnpm and turbo to the versions the repository uses', () => {
    const { ast } = load(app);
    const rootManifest = asRecord(JSON.parse(readRepoFile('package.json')), 'package.json');
    const packageManager = asString(rootManifest['packageManager'], 'packageManager');
    expect(`pnpm@${argDefault(ast, 'PNPM_VERSION')}`).toBe(packageManager);
    const lock = readRepoFile('pnpm-lock.yaml');
    const turbo = /\n {2}turbo@(\d+\.\d+\.\d+):/.exec(lock)?.[1];
    expect(turbo, 'turbo in pnpm-lock.yaml').toBeDefined();
    expect(argDefault(ast, 'TURBO_VERSION')).toBe(turbo);
  });
});

describe('.dockerignore', () => {
  const lines = readRepoFile('.dockerignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'));

  it('keeps host builds, git history and secrets out of the build context', () => {
    for (const pattern of [
      '.git',
      '**/node_modules',
      '**/dist',
      '**/.next',
      '.env',
      '.env.*',
      '**/*.tfstate',
    ]) {
      expect(lines, pattern).toContain(pattern);
    }
  });

  it('keeps what turbo prune needs', () => {
    for (const needed of [
      'pnpm-lock.yaml',
      'pnpm-workspace.yaml',
      'package.json',
      'turbo.json',
      'apps',
      'packages',
    ]) {
      expect(lines, needed).not.toContain(needed);
    }
  });
});
