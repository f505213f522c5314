// Grafana's query intervals, so the renderer sends the queries Grafana would send for the same
// panel width and time range: `$__interval` is the range over the panel's data points, rounded to a
// "nice" value and never below the datasource's scrape interval; `$__rate_interval` is
// max($__interval + scrape interval, 4 × scrape interval), so a rate() always spans four samples.

/** Grafana's roundInterval (public/app/core/utils/kbn): [upper bound of the raw interval, rounded], ms. */
const NICE_INTERVALS: readonly (readonly [number, number])[] = [
  [15, 10],
  [35, 20],
  [75, 50],
  [150, 100],
  [350, 200],
  [750, 500],
  [1_500, 1_000],
  [3_500, 2_000],
  [7_500, 5_000],
  [12_500, 10_000],
  [17_500, 15_000],
  [25_000, 20_000],
  [45_000, 30_000],
  [90_000, 60_000],
  [210_000, 120_000],
  [450_000, 300_000],
  [750_000, 600_000],
  [1_050_000, 900_000],
  [1_500_000, 1_200_000],
  [2_700_000, 1_800_000],
  [5_400_000, 3_600_000],
  [9_000_000, 7_200_000],
  [16_200_000, 10_800_000],
  [32_400_000, 21_600_000],
  [86_400_000, 43_200_000],
];

export function roundInterval(ms: number): number {
  for (const [bound, rounded] of NICE_INTERVALS) if (ms < bound) return rounded;
  return 86_400_000;
}

export interface QueryIntervals {
  /** `$__interval` and the query_range step, ms. */
  intervalMs: number;
  /** `$__rate_interval`, ms. */
  rateIntervalMs: number;
}

export function queryIntervals(
  rangeMs: number,
  maxDataPoints: number,
  scrapeMs: number,
): QueryIntervals {
  const intervalMs = Math.max(scrapeMs, roundInterval(rangeMs / maxDataPoints));
  return { intervalMs, rateIntervalMs: Math.max(intervalMs + scrapeMs, 4 * scrapeMs) };
}

/** A duration as PromQL writes it: whole seconds when exact, else milliseconds. */
export function promDuration(ms: number): string {
  return ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`;
}
