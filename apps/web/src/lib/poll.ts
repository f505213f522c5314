/**
 * When to ask again. The server's `pollAfterMs` is the pace it can take; each client spreads its polls
 * by ±20 % so a crowd that arrived in the same second does not keep polling in the same second.
 * Failures back off exponentially (1 s, 2 s, 4 s … 30 s); a 429/503 with Retry-After waits at least that.
 */
export interface PollDelayInput {
  pollAfterMs: number;
  /** Consecutive failures so far (0 after a success). */
  failures: number;
  /** From a Retry-After header, when the last answer carried one. */
  retryAfterMs?: number | null;
  /** In [0, 1); injectable so the spread can be tested. */
  random?: number;
}

export const minPollMs = 250;
export const maxBackoffMs = 30_000;

export function nextPollDelay(input: PollDelayInput): number {
  const random = input.random ?? Math.random();
  const jitter = 0.8 + 0.4 * random;
  const base =
    input.failures > 0
      ? Math.min(maxBackoffMs, Math.max(input.pollAfterMs, 1_000 * 2 ** (input.failures - 1)))
      : input.pollAfterMs;
  const delay = Math.max(minPollMs, Math.round(base * jitter));
  return input.retryAfterMs != null ? Math.max(delay, input.retryAfterMs) : delay;
}

/** Retry-After as seconds or an HTTP date, in ms from now; null when absent or unreadable. */
export function parseRetryAfter(header: string | null, now = Date.now()): number | null {
  if (header === null || header.trim() === '') return null;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1_000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}
