/**
 * Just enough of the Prometheus text format for the ops console: samples with labels, sums over
 * label sets, and quantiles from histogram buckets. The services expose a few hundred series; a full
 * parser (types, exemplars, escapes beyond \" and \\) would buy nothing here.
 */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const sampleLine = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const labelPair = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const match = sampleLine.exec(line);
    if (!match) continue;
    const [, name = '', labelText = '', valueText = ''] = match;
    const value =
      valueText === '+Inf' ? Infinity : valueText === '-Inf' ? -Infinity : Number(valueText);
    if (Number.isNaN(value)) continue;
    const labels: Record<string, string> = {};
    for (const pair of labelText.matchAll(labelPair)) {
      const [, key = '', val = ''] = pair;
      labels[key] = val.replace(/\\(.)/g, (_, c: string) => (c === 'n' ? '\n' : c));
    }
    samples.push({ name, labels, value });
  }
  return samples;
}

export function sumSamples(
  samples: Sample[],
  name: string,
  where: (labels: Record<string, string>) => boolean = () => true,
): number | null {
  let total: number | null = null;
  for (const sample of samples) {
    if (sample.name === name && where(sample.labels)) total = (total ?? 0) + sample.value;
  }
  return total;
}

/** Cumulative bucket counts by upper bound, summed over every other label, sorted by bound. */
export function histogramBuckets(
  samples: Sample[],
  name: string,
  where: (labels: Record<string, string>) => boolean = () => true,
): [number, number][] {
  const byBound = new Map<number, number>();
  for (const sample of samples) {
    if (sample.name !== `${name}_bucket` || !where(sample.labels)) continue;
    const le = sample.labels.le;
    if (le === undefined) continue;
    const bound = le === '+Inf' ? Infinity : Number(le);
    byBound.set(bound, (byBound.get(bound) ?? 0) + sample.value);
  }
  return [...byBound.entries()].sort((a, b) => a[0] - b[0]);
}

/** Bucket counts observed between two scrapes (a counter reset counts from zero). */
export function bucketDelta(
  previous: [number, number][],
  current: [number, number][],
): [number, number][] {
  const before = new Map(previous);
  return current.map(([bound, count]) => {
    const earlier = before.get(bound) ?? 0;
    return [bound, count >= earlier ? count - earlier : count];
  });
}

/**
 * The q-quantile from cumulative buckets, interpolating linearly inside the bucket as Prometheus's
 * histogram_quantile does. Null with no observations; the largest finite bound if it lands in +Inf.
 */
export function histogramQuantile(q: number, buckets: [number, number][]): number | null {
  const total = buckets.at(-1)?.[1] ?? 0;
  if (total <= 0) return null;
  const rank = q * total;
  let lowerBound = 0;
  let lowerCount = 0;
  for (const [bound, count] of buckets) {
    if (count >= rank) {
      if (bound === Infinity) return lowerBound;
      if (count === lowerCount) return bound;
      return lowerBound + ((bound - lowerBound) * (rank - lowerCount)) / (count - lowerCount);
    }
    lowerBound = bound;
    lowerCount = count;
  }
  return lowerBound;
}
