// One VU's view of whether the event is sold out, and the judgement of each 409 against it.
//
// A 409 (SOLD_OUT, INSUFFICIENT_TICKETS) is the answer the sale is designed to give once the tickets
// are gone, and a defect before then. A VU cannot know the stock at the instant a 409 is written, so
// a 409 that arrives before this VU has seen the event sold out waits for a stock read taken
// VERIFY_AFTER_MS later. The stock only falls (but for the rare order the ledger rejects), so if that
// later read still holds the tickets asked for, they were there when the 409 was written: the 409
// came early. The wait matters: checkout serves availability from a cache (AVAILABILITY_CACHE_MS,
// 200 ms), and a read right after the 409 can predate it. No k6 imports: unit-tested under Node.
import type { AvailabilityResponse, QueueState } from './contract.ts';

/** Comfortably past checkout's availability cache, so the read reflects the stock after the 409. */
export const VERIFY_AFTER_MS = 1_000;

interface Pending409 {
  quantity: number;
  at: number;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class SoldOutView {
  #soldOut = false;
  #pending: Pending409[] = [];

  get soldOut(): boolean {
    return this.#soldOut;
  }

  /** `GET /v1/events/{eventId}` carries the event's phase. */
  sawEvent(body: unknown): void {
    if (isRecord(body) && body['phase'] === 'sold_out') this.#soldOut = true;
  }

  sawAvailability(availability: AvailabilityResponse): void {
    if (availability.soldOut) this.#soldOut = true;
  }

  sawQueueState(state: QueueState): void {
    if (state === 'sold_out') this.#soldOut = true;
  }

  /**
   * A 409 for `quantity` tickets (1 for a join): its verdict (false, not early) at once when the VU
   * already knew the event sold out, otherwise null and the 409 waits for a stock read.
   */
  on409(quantity: number, now: number): boolean | null {
    if (this.#soldOut) return false;
    this.#pending.push({ quantity, at: now });
    return null;
  }

  /** 409s settled by a sold-out signal seen since (none of them early): their verdicts. */
  settleKnown(): boolean[] {
    return this.#soldOut ? this.#pending.splice(0).map(() => false) : [];
  }

  /** Whether this iteration should read the stock for the 409s that wait for it. */
  needsStockRead(now: number): boolean {
    const [oldest] = this.#pending;
    return !this.#soldOut && oldest !== undefined && now - oldest.at >= VERIFY_AFTER_MS;
  }

  /**
   * Verdicts (true: early) of every waiting 409 against a stock read taken after them. An unreadable
   * stock counts as early: the threshold must not pass on missing evidence.
   */
  judge(availability: AvailabilityResponse | null): boolean[] {
    if (availability !== null) this.sawAvailability(availability);
    return this.#pending
      .splice(0)
      .map(
        ({ quantity }) =>
          availability === null ||
          (!availability.soldOut && availability.ticketsRemaining >= quantity),
      );
  }
}
