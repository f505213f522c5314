// The page's script is TypeScript importing uPlot as a module; esbuild bundles it into one IIFE
// when a render starts (a few milliseconds), so nothing built is committed or can go stale.
import { build } from 'esbuild';

export async function bundleForPage(entry: string): Promise<string> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    // Debian's Chromium is recent; this only keeps esbuild from lowering modern syntax.
    target: 'es2022',
    write: false,
    logLevel: 'silent',
    legalComments: 'none',
    charset: 'utf8',
  });
  const [output] = result.outputFiles;
  if (output === undefined) throw new Error(`esbuild wrote nothing for ${entry}`);
  return output.text;
}
