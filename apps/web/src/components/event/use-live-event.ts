'use client';

import type { Availability, EventView } from '@frequency/contracts';
import { useRef, useState } from 'react';
import { ApiError, type Api } from '../../lib/api';
import { usePollLoop } from '../../lib/hooks';
import { nextPollDelay } from '../../lib/poll';

/** How often the event's own figures refresh: slower than the queue, they are only context. */
const eventPollMs = { idle: 5_000, queued: 15_000 };

export interface LiveEvent {
  event: EventView | null;
  availability: Availability | null;
  problem: 'not_found' | 'unreachable' | null;
}

/**
 * The event and its tickets remaining, polled gently. `queueState` is the fan's state in line: a
 * change of it (e.g. pre-queue -> waiting at opening) refreshes the event at once, so the revealed
 * shuffle seed and the new phase show without waiting for the slow interval.
 */
export function useLiveEvent(eventId: string, api: Api | null, fan: { inQueue: boolean; queueState: string }): LiveEvent {
  const [event, setEvent] = useState<EventView | null>(null);
  const [availability, setAvailability] = useState<Availability | null>(null);
  const [problem, setProblem] = useState<'not_found' | 'unreachable' | null>(null);
  const failures = useRef(0);

  usePollLoop(
    async (signal) => {
      if (!api) return 1_000;
      const pollAfterMs = fan.inQueue ? eventPollMs.queued : eventPollMs.idle;
      const [eventResult, availabilityResult] = await Promise.allSettled([
        api.getEvent(eventId, signal),
        api.availability(eventId, signal),
      ]);
      if (availabilityResult.status === 'fulfilled') setAvailability(availabilityResult.value);
      if (eventResult.status === 'fulfilled') {
        failures.current = 0;
        setEvent(eventResult.value);
        setProblem(null);
        return nextPollDelay({ pollAfterMs, failures: 0 });
      }
      const err: unknown = eventResult.reason;
      if (err instanceof ApiError && err.code === 'NOT_FOUND') {
        setProblem('not_found');
        return 30_000;
      }
      failures.current += 1;
      setProblem('unreachable');
      return nextPollDelay({
        pollAfterMs,
        failures: failures.current,
        retryAfterMs: err instanceof ApiError ? err.retryAfterMs : null,
      });
    },
    api !== null,
    `${eventId}:${fan.inQueue ? 'queued' : 'idle'}:${fan.queueState}`,
  );

  return { event, availability, problem };
}
