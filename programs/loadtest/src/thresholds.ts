// Reads k6's --summary-export file: which thresholds held. In that (legacy) format each metric
// lists its thresholds as `{ "<expression>": <crossed> }`: true means the threshold FAILED.
import { readFileSync } from 'node:fs';
import { z } from 'zod';

const SummaryExportSchema = z.object({
  metrics: z.record(
    z.string(),
    z.looseObject({ thresholds: z.record(z.string(), z.boolean()).optional() }),
  ),
});

export interface ThresholdResult {
  /** The metric as written in the script, sub-metric tags included: `http_req_duration{scenario:sustained}`. */
  metric: string;
  expression: string;
  passed: boolean;
}

export interface ThresholdSummary {
  results: ThresholdResult[];
  passed: boolean;
}

export function parseThresholds(summaryExport: unknown): ThresholdSummary {
  const parsed = SummaryExportSchema.safeParse(summaryExport);
  if (!parsed.success) throw new Error('not a k6 --summary-export file (no metrics object)');
  const results: ThresholdResult[] = [];
  for (const [metric, data] of Object.entries(parsed.data.metrics)) {
    for (const [expression, crossed] of Object.entries(data.thresholds ?? {})) {
      results.push({ metric, expression, passed: !crossed });
    }
  }
  results.sort(
    (a, b) => a.metric.localeCompare(b.metric) || a.expression.localeCompare(b.expression),
  );
  // A run without thresholds proves nothing: the script always defines them.
  return { results, passed: results.length > 0 && results.every((result) => result.passed) };
}

export function readThresholds(file: string): ThresholdSummary {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`cannot read ${file}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return parseThresholds(raw);
}

/** One line per threshold, failures first, for the end of the run. */
export function formatThresholds(summary: ThresholdSummary): string[] {
  const ordered = [
    ...summary.results.filter((r) => !r.passed),
    ...summary.results.filter((r) => r.passed),
  ];
  return ordered.map((r) => `${r.passed ? 'pass' : 'FAIL'}  ${r.metric}: ${r.expression}`);
}
