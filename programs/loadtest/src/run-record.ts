// run.json: what a finished run hands to the dashboard renderer (and to anyone reading the folder).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunFileFields } from '@frequency/grafana/run-file';
import { z } from 'zod';

/** The renderer's run.json fields, and the load test's own. */
export const RunRecordSchema = RunFileFields.extend({
  /** os.loadavg() when the run started: a loaded machine explains slow figures. */
  loadAverage: z.tuple([z.number(), z.number(), z.number()]),
  thresholdsPassed: z.boolean(),
}).strict();

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
