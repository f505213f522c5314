// The run's event, created through the waiting room's ops API as ops would create one.
import type { CreateEventBody } from '@frequency/contracts';
import { MAX_PER_ORDER, type EventSizing } from './event-sizing.js';

/**
 * The event a run sells. It opens in an hour: the k6 script's setup() moves `opensAt` to the start
 * of its sale_opening phase (it has the ops token), so the opening follows k6's own clock. Until
 * then it is in its pre-queue, where pre_sale joins wait.
 */
export function eventFor(
  eventId: string,
  sizing: Pick<EventSizing, 'ticketsTotal' | 'admissionRatePerSecond' | 'maxActiveCheckouts'>,
  now: Date,
): CreateEventBody {
  return {
    id: eventId,
    name: 'Frequency Festival 20XX (load test)',
    venue: 'St. Pölten, Austria',
    ticketsTotal: sizing.ticketsTotal,
    maxPerOrder: MAX_PER_ORDER,
    opensAt: new Date(now.getTime() + 3_600_000).toISOString(),
    admissionRatePerSecond: sizing.admissionRatePerSecond,
    maxActiveCheckouts: sizing.maxActiveCheckouts,
  };
}

export async function createEvent(
  waitingRoomUrl: string,
  opsToken: string,
  event: CreateEventBody,
): Promise<void> {
  const response = await fetch(`${waitingRoomUrl}/v1/admin/events`, {
    method: 'POST',
    headers: { authorization: `Bearer ${opsToken}`, 'content-type': 'application/json' },
    body: JSON.stringify(event),
    signal: AbortSignal.timeout(10_000),
  });
  if (response.status !== 201) {
    throw new Error(
      `creating event ${event.id} answered ${response.status}: ${(await response.text()).slice(0, 300)}`,
    );
  }
}
