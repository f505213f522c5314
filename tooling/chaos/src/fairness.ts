/** What the place check needs to know about one fan that got into the line. */
export interface PlaceRecord {
  /** When the join that got the entry was sent, and when its answer arrived (one clock). */
  joinSentAt: number;
  joinAnsweredAt: number;
  /** The admission tick, as the admission's expiry (epoch ms; every fan of one tick shares it). */
  admittedBatch: number | null;
  /**
   * For a fan never admitted: when it stopped waiting (sold out, or the sale ended), plus the
   * checkout window, i.e. the expiry of a tick it would have had to be in. A later joiner admitted
   * in a tick before then overtook it.
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
