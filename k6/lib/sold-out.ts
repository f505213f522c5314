// One VU's view of whether the event is sold out, and the judgement of each 409 against it.
//
// A 409 (SOLD_OUT, INSUFFICIENT_TICKETS) is the answer the sale is designed to give once the tickets
// are gone, and a defect before then. A VU cannot know the event's state at the instant a 409 is
// written, so a 409 that arrives before this VU has seen the event sold out is checked against the
// stock right after (one availability read). Only a 409 the stock contradicts is early: the tickets
// were still there. No k6 imports: unit-tested under Node.
import type { AvailabilityResponse, QueueState } from './contract.ts';

export type SoldOutVerdict =
  /** The VU already knew the event was sold out: no check needed. */
  | 'known'
  /** The VU had not seen it yet: read the stock before judging. */
  | 'verify';

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class SoldOutView {
  #soldOut = false;

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

  /** What a 409 needs before it can be judged. */
  on409(): SoldOutVerdict {
    return this.#soldOut ? 'known' : 'verify';
  }

  /**
   * Judges a 409 by the stock read right after it: true when it came early (tickets enough for
   * the order were still on sale). `quantity` is what the fan asked for; a join asks for 1.
   * An unreadable stock counts as early: the threshold must not pass on missing evidence.
   */
  judge(availability: AvailabilityResponse | null, quantity: number): boolean {
    if (availability === null) return true;
    this.sawAvailability(availability);
    if (availability.soldOut) return false;
    return availability.ticketsRemaining >= quantity;
  }
}
