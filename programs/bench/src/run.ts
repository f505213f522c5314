// `pnpm bench`: runs every workspace package's `bench` script, one after the other (benchmarks on
// 2 cores must not share them), streams their output, and prints one table of the BENCH lines.
//   BENCH_ONLY=@frequency/waiting-room,@frequency/worker   run only these packages
//   BENCH_OUTPUT=path.md                                   also write the table there
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { formatTable, parseBenchLine, type CollectedFigure } from './index.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const WORKSPACE_DIRS = ['apps', 'packages', 'programs'];

interface BenchPackage {
  name: string;
  dir: string;
}

function benchPackages(): BenchPackage[] {
  const found: BenchPackage[] = [];
  for (const parent of WORKSPACE_DIRS) {
    const base = join(root, parent);
    if (!existsSync(base)) continue;
    for (const entry of readdirSync(base, { withFileTypes: true })) {
      const manifest = join(base, entry.name, 'package.json');
      if (!entry.isDirectory() || !existsSync(manifest)) continue;
      const pkg = JSON.parse(readFileSync(manifest, 'utf8')) as {
        name?: string;
        scripts?: Record<string, string>;
      };
      if (pkg.name && pkg.name !== '@frequency/bench' && pkg.scripts?.['bench']) {
        found.push({ name: pkg.name, dir: join(base, entry.name) });
      }
    }
  }
  return found.sort((a, b) => a.name.localeCompare(b.name));
}

function runBench(pkg: BenchPackage, figures: CollectedFigure[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('pnpm', ['run', '--silent', 'bench'], {
      cwd: pkg.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const prefix = `${pkg.name.replace('@frequency/', '').padEnd(13)}│ `;
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream }).on('line', (line) => {
        const figure = parseBenchLine(line);
        if (figure) figures.push({ ...figure, source: pkg.name.replace('@frequency/', '') });
        else process.stdout.write(`${prefix}${line}\n`);
      });
    }
    child.once('error', () => {
      resolve(1);
    });
    child.once('exit', (code) => {
      resolve(code ?? 1);
    });
  });
}

const only = (process.env.BENCH_ONLY ?? '')
  .split(',')
  .map((name) => name.trim())
  .filter((name) => name !== '');
const packages = benchPackages().filter((pkg) => only.length === 0 || only.includes(pkg.name));
const figures: CollectedFigure[] = [];
const failed: string[] = [];
for (const pkg of packages) {
  process.stdout.write(`\n── ${pkg.name} bench ──\n`);
  const before = figures.length;
  const code = await runBench(pkg, figures);
  if (code !== 0) failed.push(`${pkg.name} (exit ${code})`);
  else if (figures.length === before) failed.push(`${pkg.name} (printed no BENCH line)`);
}
const table = formatTable(figures);
process.stdout.write(`\n${table}\n`);
if (failed.length > 0) process.stdout.write(`\nfailed: ${failed.join(', ')}\n`);
if (process.env.BENCH_OUTPUT) writeFileSync(process.env.BENCH_OUTPUT, `${table}\n`);
process.exitCode = failed.length > 0 ? 1 : 0;
