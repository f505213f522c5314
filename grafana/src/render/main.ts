// pnpm --filter @frequency/grafana render -- --run <dir>
// pnpm --filter @frequency/grafana render -- --prometheus <url> --from <ISO> --to <ISO> [--testid <id>]
// Draws every dashboard of grafana/dashboards into docs/dashboards/<name>.png.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { dashboardsDir, packageDir } from '../paths.ts';
import { renderDashboards } from './render.ts';
import { renderRun } from './render-run.ts';

const USAGE = `usage: render --run <dir> [--out <dir>] [--dashboards <dir>] [--width <px>]
       render --prometheus <url> --from <ISO-8601> --to <ISO-8601> [--testid <id>] [--out <dir>]`;

const Instant = z.iso.datetime({ offset: true }).transform((s) => Date.parse(s));
const Args = z
  .object({
    run: z.string().optional(),
    prometheus: z.url().optional(),
    from: Instant.optional(),
    to: Instant.optional(),
    testid: z.string().min(1).optional(),
    out: z.string().default(join(packageDir, '..', 'docs', 'dashboards')),
    dashboards: z.string().default(dashboardsDir),
    width: z.coerce.number().int().min(800).max(4000).default(1600),
  })
  .superRefine((a, ctx) => {
    const fromRun = a.run !== undefined;
    const direct = [a.prometheus, a.from, a.to, a.testid].some((v) => v !== undefined);
    if (fromRun && direct)
      ctx.addIssue({
        code: 'custom',
        message:
          '--run takes the range and testid from run.json: give no --prometheus/--from/--to/--testid',
      });
    else if (!fromRun && (a.prometheus === undefined || a.from === undefined || a.to === undefined))
      ctx.addIssue({
        code: 'custom',
        message: 'give --run <dir>, or --prometheus, --from and --to',
      });
    else if (a.from !== undefined && a.to !== undefined && a.to <= a.from)
      ctx.addIssue({ code: 'custom', path: ['to'], message: 'must be after --from' });
  });

async function main(): Promise<void> {
  let raw: Record<string, unknown>;
  try {
    raw = parseArgs({
      args: process.argv.slice(2).filter((a) => a !== '--'),
      options: Object.fromEntries(
        ['run', 'prometheus', 'from', 'to', 'testid', 'out', 'dashboards', 'width'].map((n) => [
          n,
          { type: 'string' as const },
        ]),
      ),
      strict: true,
    }).values;
  } catch (err) {
    throw new Error(`${(err as Error).message}\n${USAGE}`);
  }
  const parsed = Args.safeParse(raw);
  if (!parsed.success)
    throw new Error(
      `${parsed.error.issues.map((i) => `${i.path.length ? `--${i.path.join('.')}: ` : ''}${i.message}`).join('; ')}\n${USAGE}`,
    );
  const args = parsed.data;
  const log = (line: string): void => {
    console.log(line);
  };
  const common = {
    outDir: resolve(args.out),
    dashboardsDir: resolve(args.dashboards),
    width: args.width,
    log,
  };
  if (args.run === undefined) {
    if (args.prometheus === undefined || args.from === undefined || args.to === undefined) return;
    await renderDashboards({
      ...common,
      prometheusUrl: args.prometheus,
      range: { fromMs: args.from, toMs: args.to },
      variables: args.testid === undefined ? {} : { testid: args.testid },
    });
    return;
  }
  await renderRun(resolve(args.run), common);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
