import { createHash } from 'node:crypto';

export interface Admitted {
  /** Place in line the service gave the fan. */
  position: number;
  /** When the service admitted the fan (epoch ms, from the admission's expiry minus the window). */
  admittedAt: number;
}

export interface OrderCheck {
  /** Admitted fans with a known place. */
  fans: number;
  /** Fans admitted strictly later than someone standing behind them in line. */
  overtaken: number;
  /** Pairs (a, b) with a ahead of b in line but admitted strictly after b. */
  inversions: number;
}

/**
 * How far admission order departs from line order. Fans admitted in the same admission tick share
 * the same admission time and are not counted as out of order: within a tick the order is not
 * observable from outside.
 */
export function admissionOrder(fans: readonly Admitted[]): OrderCheck {
  const byPosition = [...fans].sort((a, b) => a.position - b.position);
  let overtaken = 0;
  let earliestBehind = Number.POSITIVE_INFINITY;
  for (let i = byPosition.length - 1; i >= 0; i--) {
    const fan = byPosition[i];
    if (!fan) continue;
    if (earliestBehind < fan.admittedAt) overtaken += 1;
    earliestBehind = Math.min(earliestBehind, fan.admittedAt);
  }
  return {
    fans: byPosition.length,
    overtaken,
    inversions: countInversions(byPosition.map((fan) => fan.admittedAt)),
  };
}

/** Pairs i < j with values[i] > values[j] (strictly), by merge sort: O(n log n). */
export function countInversions(values: readonly number[]): number {
  const work = [...values];
  const buffer = new Array<number>(work.length);
  let inversions = 0;
  for (let width = 1; width < work.length; width *= 2) {
    for (let lo = 0; lo < work.length; lo += 2 * width) {
      const mid = Math.min(lo + width, work.length);
      const hi = Math.min(lo + 2 * width, work.length);
      let i = lo;
      let j = mid;
      let k = lo;
      while (i < mid && j < hi) {
        const left = work[i] ?? 0;
        const right = work[j] ?? 0;
        if (left <= right) {
          buffer[k++] = left;
          i++;
        } else {
          buffer[k++] = right;
          j++;
          inversions += mid - i;
        }
      }
      while (i < mid) buffer[k++] = work[i++] ?? 0;
      while (j < hi) buffer[k++] = work[j++] ?? 0;
      for (let m = lo; m < hi; m++) work[m] = buffer[m] ?? 0;
    }
  }
  return inversions;
}

/** Ranks 1..n with ties sharing their average rank. */
export function ranks(values: readonly number[]): number[] {
  const order = values.map((value, index) => ({ value, index })).sort((a, b) => a.value - b.value);
  const result = new Array<number>(values.length).fill(0);
  let i = 0;
  while (i < order.length) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]?.value === order[i]?.value) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) {
      const entry = order[k];
      if (entry) result[entry.index] = rank;
    }
    i = j + 1;
  }
  return result;
}

/** Spearman's rank correlation; NaN with fewer than 3 pairs or no spread. */
export function spearman(x: readonly number[], y: readonly number[]): number {
  const n = Math.min(x.length, y.length);
  if (n < 3) return Number.NaN;
  const rx = ranks(x.slice(0, n));
  const ry = ranks(y.slice(0, n));
  const mean = (n + 1) / 2;
  let covariance = 0;
  let varianceX = 0;
  let varianceY = 0;
  for (let i = 0; i < n; i++) {
    const dx = (rx[i] ?? 0) - mean;
    const dy = (ry[i] ?? 0) - mean;
    covariance += dx * dy;
    varianceX += dx * dx;
    varianceY += dy * dy;
  }
  if (varianceX === 0 || varianceY === 0) return Number.NaN;
  return covariance / Math.sqrt(varianceX * varianceY);
}

export interface PrequeueArrival {
  /** Order in which the fan's join reached the pre-queue (1 = first). */
  arrival: number;
  /** Where the fan came out: its admission time, or its place once known. */
  outcome: number;
}

export interface ShuffleCheck {
  fans: number;
  /** Rank correlation of arrival order and admission order: near 0 when arriving early gives no edge. */
  correlation: number;
  /** Mean percentile (0 = first admitted, 1 = last) of the earliest quarter of arrivals: near 0.5 when fair. */
  earliestQuarterMeanPercentile: number;
  /** sha256(seed) equals the commitment published before opening. */
  commitmentHolds: boolean | null;
}

export function shuffleCheck(
  arrivals: readonly PrequeueArrival[],
  seed: string | null,
  commitment: string | null,
): ShuffleCheck {
  const outcomeRanks = ranks(arrivals.map((fan) => fan.outcome));
  const byArrival = arrivals
    .map((fan, index) => ({
      arrival: fan.arrival,
      percentile: ((outcomeRanks[index] ?? 1) - 1) / Math.max(1, arrivals.length - 1),
    }))
    .sort((a, b) => a.arrival - b.arrival);
  const quarter = byArrival.slice(0, Math.max(1, Math.floor(byArrival.length / 4)));
  return {
    fans: arrivals.length,
    correlation: spearman(
      arrivals.map((fan) => fan.arrival),
      arrivals.map((fan) => fan.outcome),
    ),
    earliestQuarterMeanPercentile:
      byArrival.length === 0
        ? Number.NaN
        : quarter.reduce((sum, fan) => sum + fan.percentile, 0) / quarter.length,
    commitmentHolds:
      seed === null || commitment === null
        ? null
        : createHash('sha256').update(Buffer.from(seed, 'hex')).digest('hex') === commitment,
  };
}
