// The run.json a load-test run writes beside its results: which Prometheus data holds the run, and
// when it ran. The renderer needs testid, start, end and prometheusDir; the rest is the run's record.
import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';

/** The fields every run writes (`pnpm loadtest`, the simulator with RUN_DIR); a writer may add its own. */
export const RunFileFields = z.object({
  testid: z.string().min(1),
  start: z.iso.datetime({ offset: true }),
  end: z.iso.datetime({ offset: true }),
  /** Absolute path passed to startPrometheus as dataDir: the renderer starts Prometheus on a copy. */
  prometheusDir: z.string().refine(isAbsolute, 'must be an absolute path'),
  eventId: z.string().min(1),
  rateScale: z.number().positive(),
  timeScale: z.number().positive(),
  ticketsTotal: z.number().int().positive(),
  k6Version: z.string().min(1),
});

export const RunFile = RunFileFields.loose().refine(
  (run) => Date.parse(run.end) > Date.parse(run.start),
  'end must be after start',
);
export type RunFile = z.infer<typeof RunFile>;

export function readRunFile(dir: string): RunFile {
  const file = join(dir, 'run.json');
  if (!existsSync(file))
    throw new Error(`${file} does not exist: --run takes a load-test result folder`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`${file} is not JSON: ${(err as Error).message}`);
  }
  const parsed = RunFile.safeParse(json);
  if (!parsed.success)
    throw new Error(
      `${file}: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(file)'}: ${i.message}`).join('; ')}`,
    );
  if (!existsSync(parsed.data.prometheusDir))
    throw new Error(`${file}: prometheusDir ${parsed.data.prometheusDir} does not exist`);
  return parsed.data;
}
