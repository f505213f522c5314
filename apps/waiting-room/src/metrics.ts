import type { ServiceMetrics } from '@frequency/observability';
import { Counter, Gauge } from 'prom-client';
import { type EventCache, waitingCount } from './events/event-cache.js';

export interface WaitingRoomMetrics {
  admittedTotal: Counter<'event'>;
  skippedTotal: Counter<'event' | 'reason'>;
  joinsTotal: Counter<'event' | 'result'>;
  tokenRejections: Counter<'kind' | 'reason'>;
  leader: Gauge;
  opsChanges: Counter<'actor' | 'field'>;
  opsLoginFailures: Counter<'outcome'>;
  staleSnapshots: Counter<'event'>;
  stateRestores: Counter<'event'>;
  placesReturned: Counter<'event'>;
  definitionsPublished: Counter<'trigger' | 'result'>;
}

/**
 * The waiting room's metrics (names in docs/conventions.md). Gauges that describe an event are read
 * from the in-process snapshot when Prometheus scrapes, so they cost nothing on the request path.
 */
export function createWaitingRoomMetrics(
  base: ServiceMetrics,
  cache: EventCache,
): WaitingRoomMetrics {
  const registers = [base.registry];
  const eachEvent = (gauge: Gauge<'event'>, value: (id: string) => number | undefined) => {
    gauge.reset();
    for (const id of cache.ids()) {
      const v = value(id);
      if (v !== undefined) gauge.set({ event: id }, v);
    }
  };
  new Gauge({
    name: 'waiting_room_waiting',
    help: 'Fans in line, not yet admitted',
    labelNames: ['event'] as const,
    registers,
    collect() {
      eachEvent(this, (id) => {
        const s = cache.get(id);
        return s && waitingCount(s);
      });
    },
  });
  new Gauge({
    name: 'waiting_room_admission_rate_configured',
    help: 'Admission rate set by ops (per second)',
    labelNames: ['event'] as const,
    registers,
    collect() {
      eachEvent(this, (id) => {
        const s = cache.get(id);
        return s && (s.config.paused ? 0 : s.config.admissionRatePerSecond);
      });
    },
  });
  new Gauge({
    name: 'waiting_room_admission_rate_achieved',
    help: 'Admissions per second, measured over the last 10 s',
    labelNames: ['event'] as const,
    registers,
    collect() {
      eachEvent(this, (id) => cache.get(id)?.achievedRatePerSecond);
    },
  });
  new Gauge({
    name: 'waiting_room_active_admissions',
    help: 'Admissions whose checkout window is open and that have not ordered yet',
    labelNames: ['event'] as const,
    registers,
    collect() {
      eachEvent(this, (id) => cache.get(id)?.activeCheckouts);
    },
  });
  return {
    admittedTotal: new Counter({
      name: 'waiting_room_admitted_total',
      help: 'Fans admitted to checkout (counted by the replica that admitted them)',
      labelNames: ['event'] as const,
      registers,
    }),
    skippedTotal: new Counter({
      name: 'waiting_room_skipped_total',
      help: 'Places passed over by admission because the fan left or stopped polling',
      labelNames: ['event', 'reason'] as const,
      registers,
    }),
    joinsTotal: new Counter({
      name: 'waiting_room_joins_total',
      help: 'Join requests by result',
      labelNames: ['event', 'result'] as const,
      registers,
    }),
    tokenRejections: new Counter({
      name: 'waiting_room_token_rejections_total',
      help: 'Rejected tokens by kind and reason',
      labelNames: ['kind', 'reason'] as const,
      registers,
    }),
    leader: new Gauge({
      name: 'waiting_room_leader',
      help: '1 while this replica runs admission (holds at least one event lease)',
      registers,
    }),
    // Labels are bounded: actors are the configured token names, fields the event config's.
    opsChanges: new Counter({
      name: 'waiting_room_ops_changes_total',
      help: 'Successful ops changes by token name and config field (field "event" for a new event)',
      labelNames: ['actor', 'field'] as const,
      registers,
    }),
    opsLoginFailures: new Counter({
      name: 'waiting_room_ops_login_failures_total',
      help: 'Refused ops API requests: wrong or missing token, or the client is locked out',
      labelNames: ['outcome'] as const,
      registers,
    }),
    staleSnapshots: new Counter({
      name: 'waiting_room_stale_snapshot_refreshes_total',
      help: 'Refreshes that found the config or stock gone from Redis and kept the last snapshot',
      labelNames: ['event'] as const,
      registers,
    }),
    stateRestores: new Counter({
      name: 'waiting_room_state_restores_total',
      help: 'Times this replica wrote the queue state back after Redis forgot or lost part of it',
      labelNames: ['event'] as const,
      registers,
    }),
    placesReturned: new Counter({
      name: 'waiting_room_places_returned_total',
      help: 'Entries put back into the line (or pre-queue) from their queue tokens after Redis forgot them',
      labelNames: ['event'] as const,
      registers,
    }),
    // trigger = create | patch | sync; result = published | failed.
    definitionsPublished: new Counter({
      name: 'waiting_room_event_definitions_total',
      help: 'Event definitions sent to the ledger topic, by trigger and result',
      labelNames: ['trigger', 'result'] as const,
      registers,
    }),
  };
}
