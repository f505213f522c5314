// The command line of `pnpm autoscaling`, parsed with zod so a bad value gets a sentence, not a
// stack trace.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';

export const USAGE = `pnpm autoscaling [options]

Runs the waiting-room, checkout and worker benches (about 2 minutes; keep the machine idle), then
replays the full-scale lifecycle through each service's HPA and writes the charts and summary.

  --bench-output FILE        reuse a bench output captured by an earlier run instead of benching
  --out DIR                  where the PNGs, summary.md, summary.json and bench-output.txt go
                             (default docs/autoscaling)
  --plan FILE                the capacity plan whose marked block gets the tables
                             (default docs/capacity-plan.md)
  --bench-seconds N          seconds per bench case (default 5)
  --bench-rounds N           rounds of the checkout and worker benches (default 3)
  --admission-rate N         fans admitted to checkout per second (default 1000, docs/deploy.md)
  --pod-start-seconds N      scheduling + image pull + process start of a new pod (default 20)
  --vcpu-per-core N          GKE vCPU per core of this machine (default 2, docs/deploy.md)
  --web-pages-per-core N     page renders per core, not benched (default 1000)
  --chromium PATH            Chromium for the screenshots (default $CHROMIUM_PATH or /usr/bin/chromium)
  --help`;

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

const positive = (name: string) =>
  z.coerce.number({ error: `--${name} must be a number` }).positive(`--${name} must be > 0`);

const OptionsSchema = z.object({
  benchOutput: z.string().min(1).optional(),
  out: z.string().min(1),
  plan: z.string().min(1),
  benchSeconds: positive('bench-seconds').int('--bench-seconds must be a whole number'),
  benchRounds: positive('bench-rounds').int('--bench-rounds must be a whole number'),
  admissionRate: positive('admission-rate'),
  podStartSeconds: positive('pod-start-seconds').int('--pod-start-seconds must be whole seconds'),
  vcpuPerCore: positive('vcpu-per-core'),
  webPagesPerCore: positive('web-pages-per-core'),
  chromium: z.string().min(1),
});
export type Options = z.infer<typeof OptionsSchema>;

export type ParsedArgs = { help: true } | { help: false; options: Options };

export function parseOptions(argv: readonly string[], env: NodeJS.ProcessEnv): ParsedArgs {
  const { values } = parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: false,
    options: {
      'bench-output': { type: 'string' },
      out: { type: 'string', default: join(repoRoot, 'docs/autoscaling') },
      plan: { type: 'string', default: join(repoRoot, 'docs/capacity-plan.md') },
      'bench-seconds': { type: 'string', default: '5' },
      'bench-rounds': { type: 'string', default: '3' },
      'admission-rate': { type: 'string', default: '1000' },
      'pod-start-seconds': { type: 'string', default: '20' },
      'vcpu-per-core': { type: 'string', default: '2' },
      'web-pages-per-core': { type: 'string', default: '1000' },
      chromium: { type: 'string', default: env['CHROMIUM_PATH'] ?? '/usr/bin/chromium' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) return { help: true };
  const parsed = OptionsSchema.safeParse({
    benchOutput: values['bench-output'],
    out: values.out,
    plan: values.plan,
    benchSeconds: values['bench-seconds'],
    benchRounds: values['bench-rounds'],
    admissionRate: values['admission-rate'],
    podStartSeconds: values['pod-start-seconds'],
    vcpuPerCore: values['vcpu-per-core'],
    webPagesPerCore: values['web-pages-per-core'],
    chromium: values.chromium,
  });
  if (!parsed.success) throw new Error(parsed.error.issues.map((i) => i.message).join('; '));
  return { help: false, options: parsed.data };
}
