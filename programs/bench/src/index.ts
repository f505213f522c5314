import { z } from 'zod';

/**
 * One benchmark figure beside its bare baseline from the same run. Bench scripts print each as one
 * line `BENCH {json}` on stdout (reportBench does it); `pnpm bench` collects them into one table.
 */
export const BenchFigureSchema = z.object({
  name: z.string().min(1),
  value: z.number(),
  unit: z.string().min(1),
  baseline: z.number().nullable(),
  baselineName: z.string().nullable(),
  /** value / baseline; null without a baseline (a figure with no bare twin, such as bytes per fan). */
  ratio: z.number().nullable(),
  /** The figure's target, in words ("≥ 70% of bare", "p99 ≤ 10 ms"). */
  target: z.string().nullable(),
});
export type BenchFigure = z.infer<typeof BenchFigureSchema>;

export const BENCH_PREFIX = 'BENCH ';

export interface BenchInput {
  name: string;
  value: number;
  unit: string;
  baseline?: number | null;
  baselineName?: string | null;
  ratio?: number | null;
  target?: string | null;
}

/** Completes a figure: the ratio is computed from the baseline unless given. */
export function benchFigure(input: BenchInput): BenchFigure {
  const baseline = input.baseline ?? null;
  const ratio =
    input.ratio !== undefined && input.ratio !== null
      ? input.ratio
      : baseline !== null && baseline !== 0
        ? Math.round((input.value / baseline) * 1000) / 1000
        : null;
  return BenchFigureSchema.parse({
    name: input.name,
    value: input.value,
    unit: input.unit,
    baseline,
    baselineName: input.baselineName ?? null,
    ratio,
    target: input.target ?? null,
  });
}

/** Prints one figure as a BENCH line (and returns the line). */
export function reportBench(
  input: BenchInput,
  write: (line: string) => void = (line) => process.stdout.write(line),
): string {
  const line = `${BENCH_PREFIX}${JSON.stringify(benchFigure(input))}\n`;
  write(line);
  return line;
}

/** The figure of a BENCH line, or null for any other line (or a malformed one). */
export function parseBenchLine(line: string): BenchFigure | null {
  const start = line.indexOf(BENCH_PREFIX);
  if (start < 0) return null;
  try {
    const parsed = BenchFigureSchema.safeParse(JSON.parse(line.slice(start + BENCH_PREFIX.length)));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

export interface CollectedFigure extends BenchFigure {
  source: string;
}

function number(value: number): string {
  if (!Number.isFinite(value)) return '-';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return value.toLocaleString('en', { maximumFractionDigits: digits });
}

/** One Markdown table of every figure, readable in a terminal as well. */
export function formatTable(figures: readonly CollectedFigure[]): string {
  const rows = [
    ['package', 'figure', 'value', 'baseline', 'ratio', 'target'],
    ...figures.map((figure) => [
      figure.source,
      figure.name,
      `${number(figure.value)} ${figure.unit}`,
      figure.baseline === null
        ? '-'
        : `${number(figure.baseline)} ${figure.unit} (${figure.baselineName ?? 'baseline'})`,
      figure.ratio === null ? '-' : `${figure.ratio.toFixed(2)}×`,
      figure.target ?? '-',
    ]),
  ];
  const widths =
    rows[0]?.map((_, column) => Math.max(...rows.map((row) => (row[column] ?? '').length))) ?? [];
  const line = (row: readonly string[]) =>
    `| ${row.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const [header, ...body] = rows;
  return [
    line(header ?? []),
    `| ${widths.map((width) => '-'.repeat(width)).join(' | ')} |`,
    ...body.map(line),
  ].join('\n');
}
