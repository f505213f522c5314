import type { EventSnapshot } from '../events/event-cache.js';

const MIN_POLL_MS = 1_000;
const MAX_POLL_MS = 30_000;
/** The longest pollAfterMs a fan is ever told (jitter included): every waiting fan polls within it. */
export const LONGEST_POLL_AFTER_MS = MAX_POLL_MS * 1.2;

/**
 * Fans not yet admitted in front of place `seq`. Places between the front and `seq` whose holders left
 * are not known per place without Redis; they are assumed to be spread evenly over the line (the
 * count of such places is exact, their distribution is the approximation).
 */
export function aheadOfYou(snapshot: EventSnapshot, seq: number): number {
  const between = Math.max(0, seq - snapshot.front - 1);
  const lineLength = Math.max(1, snapshot.seq - snapshot.front);
  const leftBetween = Math.round((snapshot.leftPending * between) / lineLength);
  return Math.max(0, between - leftBetween);
}

/**
 * The admission rate fans can expect: the measured one once there is one, the configured one before
 * the first admissions. Null while paused or stopped, when no honest estimate exists.
 */
export function expectedRate(snapshot: EventSnapshot): number | null {
  if (snapshot.config.paused || snapshot.config.admissionRatePerSecond <= 0) return null;
  return snapshot.achievedRatePerSecond > 0
    ? snapshot.achievedRatePerSecond
    : snapshot.config.admissionRatePerSecond;
}

/** Seconds until admission: those ahead who will show up, at the measured rate. */
export function estimatedWaitSeconds(snapshot: EventSnapshot, ahead: number): number | null {
  const rate = expectedRate(snapshot);
  if (rate === null) return null;
  return Math.ceil((ahead * (1 - snapshot.noShowRate)) / rate);
}

/**
 * Far-back fans poll rarely, fans near the front every second: about a fifth of the expected wait,
 * bounded to 1..30 s, with +-20% jitter so that polls do not synchronise into waves.
 */
export function pollAfterMs(expectedWaitSeconds: number | null, ahead: number): number {
  const target =
    expectedWaitSeconds === null ? MIN_POLL_MS + ahead * 10 : (expectedWaitSeconds * 1000) / 5;
  return jitter(Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, target)));
}

/** Before opening: poll rarely, but often enough to notice the opening quickly. */
export function prequeuePollAfterMs(msUntilOpen: number): number {
  return jitter(Math.min(MAX_POLL_MS, Math.max(MIN_POLL_MS, msUntilOpen / 2)));
}

export function jitter(ms: number): number {
  return Math.round(ms * (0.8 + Math.random() * 0.4));
}
