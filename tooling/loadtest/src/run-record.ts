// run.json: what a finished run hands to the dashboard renderer (and to anyone reading the folder).
import { writeFileSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { z } from 'zod';

export const RunRecordSchema = z.strictObject({
  testid: z.string().min(1),
  start: z.iso.datetime(),
  end: z.iso.datetime(),
  /** Absolute path passed to startPrometheus as dataDir: the renderer starts Prometheus on it. */
  prometheusDir: z.string().refine(isAbsolute, 'an absolute path'),
  eventId: z.string().min(1),
  rateScale: z.number().positive(),
  timeScale: z.number().positive(),
  ticketsTotal: z.number().int().positive(),
  k6Version: z.string().min(1),
  /** os.loadavg() when the run started: a loaded machine explains slow figures. */
  loadAverage: z.tuple([z.number(), z.number(), z.number()]),
  thresholdsPassed: z.boolean(),
});

export type RunRecord = z.infer<typeof RunRecordSchema>;

/** Validates and writes `run.json` into the run's folder; returns its path. */
export function writeRunRecord(dir: string, record: RunRecord): string {
  const file = join(dir, 'run.json');
  writeFileSync(file, `${JSON.stringify(RunRecordSchema.parse(record), null, 2)}\n`);
  return file;
}

/** `k6 version` prints "k6 v0.48.0 (go1.19.8, linux/amd64)"; the version is the second word. */
export function parseK6Version(output: string): string {
  const match = /\bk6 (v\d+\.\d+\.\d+\S*)/.exec(output);
  if (match?.[1] === undefined) throw new Error(`cannot read a k6 version from "${output.trim()}"`);
  return match[1];
}
