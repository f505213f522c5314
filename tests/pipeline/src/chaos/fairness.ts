/**
 * How much older than the request a "not admitted" answer may be: the waiting room answers polls
 * from a snapshot refreshed every EVENT_REFRESH_MS (at most 250 ms), later still on a loaded
 * machine whose event loop lags. Only admissions this much before such an answer count against it.
 */
export const STATEMENT_MARGIN_MS = 2_000;

/** What the place check needs to know about one fan that got into the line. */
export interface PlaceRecord {
  /** When the join that got the entry was sent, and when its answer arrived (one clock). */
  joinSentAt: number;
  joinAnsweredAt: number;
  /** The admission tick, as the admission's expiry (epoch ms; every fan of one tick shares it). */
  admittedBatch: number | null;
  /**
   * For a fan never admitted: the expiry a tick would have given it at the latest moment the
   * waiting room still said it was not admitted (last `waiting` or `sold_out` answer, less
   * STATEMENT_MARGIN_MS, plus the checkout window). A later joiner admitted in a tick before then
   * overtook it. Null when the waiting room never said so.
   */
  waitedUntilBatch: number | null;
  /** The fan's queue token stopped working (401, a lasting 404, or its entry gone before admission). */
  refused: boolean;
}

export interface PlaceCheck {
  /** Fans whose join was answered and who stood in line (pre-queue joins are shuffled by design). */
  fans: number;
  refused: number;
  /** Fans with a later joiner admitted in an earlier tick (or while they were still waiting). */
  overtaken: number;
  /** Fans either refused or overtaken, each counted once. */
  lost: number;
}

/**
 * Fans who lost their place. A joined strictly before B when A's join was answered before B's join
 * was sent: the line is first come, first served from the opening on, so A's place is ahead of
 * B's. A lost its place if its queue token stopped working, or if some B that joined strictly after
 * it was admitted in an earlier admission tick than A (or while A was still waiting). Fans of
 * one tick share it: their order inside a tick is not observable from outside and not counted.
 * O(n log n): fans sorted by send time, with the earliest tick of every suffix.
 */
export function checkPlaces(fans: readonly PlaceRecord[]): PlaceCheck {
  const bySent = [...fans].sort((a, b) => a.joinSentAt - b.joinSentAt);
  const earliestFrom = new Array<number>(bySent.length + 1).fill(Number.POSITIVE_INFINITY);
  for (let i = bySent.length - 1; i >= 0; i--) {
    const batch = bySent[i]?.admittedBatch ?? Number.POSITIVE_INFINITY;
    earliestFrom[i] = Math.min(batch, earliestFrom[i + 1] ?? Number.POSITIVE_INFINITY);
  }
  let refused = 0;
  let overtaken = 0;
  let lost = 0;
  for (const fan of fans) {
    // First fan whose join was sent after this fan's join was answered.
    let lo = 0;
    let hi = bySent.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((bySent[mid]?.joinSentAt ?? Number.POSITIVE_INFINITY) > fan.joinAnsweredAt) hi = mid;
      else lo = mid + 1;
    }
    const own = fan.admittedBatch ?? fan.waitedUntilBatch ?? Number.POSITIVE_INFINITY;
    const isOvertaken = (earliestFrom[lo] ?? Number.POSITIVE_INFINITY) < own;
    if (fan.refused) refused += 1;
    if (isOvertaken) overtaken += 1;
    if (fan.refused || isOvertaken) lost += 1;
  }
  return { fans: fans.length, refused, overtaken, lost };
}
