import { join } from 'node:path';
import { bundle, packageDir } from './bundle.ts';

const outdir = join(packageDir, 'dist');
const result = await bundle({ outdir });
for (const warning of result.warnings) console.warn(warning.text);
console.log(`k6 scripts bundled into ${outdir}`);
