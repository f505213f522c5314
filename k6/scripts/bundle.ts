// Bundles each k6 entry script (src/*.ts) into one plain ES module per script for k6 releases that
// cannot run TypeScript (the newest buildable here is v0.48). k6's own modules stay imports: k6
// provides them at run time. `platform: 'neutral'` means a Node built-in import fails the build
// instead of slipping into a script k6 cannot load.
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import type { BuildResult, Plugin } from 'esbuild';

export const packageDir = fileURLToPath(new URL('..', import.meta.url));

export function entryPoints(): string[] {
  const srcDir = join(packageDir, 'src');
  return readdirSync(srcDir)
    .filter((file) => file.endsWith('.ts') && !file.endsWith('.d.ts'))
    .sort()
    .map((file) => join(srcDir, file));
}

export interface BundleOptions {
  outdir: string;
  /** Replaces k6's modules at bundle time (tests evaluate a script under Node with stubs). */
  plugins?: Plugin[];
  external?: string[];
}

export async function bundle(options: BundleOptions): Promise<BuildResult> {
  return build({
    entryPoints: entryPoints(),
    outdir: options.outdir,
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    // goja in older k6 has no reliable support for syntax newer than this.
    target: 'es2015',
    external: options.external ?? ['k6', 'k6/*'],
    // Workspace packages (the shared proof-of-work check) are bundled from source.
    conditions: ['source'],
    plugins: options.plugins ?? [],
    logLevel: 'silent',
    legalComments: 'none',
    charset: 'utf8',
  });
}
