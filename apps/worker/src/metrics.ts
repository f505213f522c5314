import { createMetrics, type ServiceMetrics } from '@frequency/observability';
import { Counter, Gauge, Histogram } from 'prom-client';

export type MessageResult = 'persisted' | 'duplicate' | 'rejected' | 'dead_lettered' | 'retried';

export interface WorkerMetrics extends ServiceMetrics {
  messages: Counter<'result'>;
  rejected: Counter<'reason'>;
  definitions: Counter<'result'>;
  restores: Counter<'result'>;
  batchSize: Histogram;
  batchDuration: Histogram;
  lag: Histogram;
  inflight: Gauge;
  ticketsSold: Gauge<'event'>;
  ticketsPersisted: Gauge<'event'>;
  oversold: Gauge<'event'>;
  mails: Counter<'result'>;
}

/** The worker series named in docs/conventions.md. */
export function createWorkerMetrics(): WorkerMetrics {
  const base = createMetrics('worker');
  const registers = [base.registry];
  return {
    ...base,
    messages: new Counter({
      name: 'worker_messages_total',
      help: 'Purchase-intent messages by outcome (persisted, duplicate, rejected, dead_lettered, retried)',
      labelNames: ['result'] as const,
      registers,
    }),
    rejected: new Counter({
      name: 'worker_orders_rejected_total',
      help: 'Orders the ledger refused, by reason (SOLD_OUT, INVALID, FAILED); each counted once',
      labelNames: ['reason'] as const,
      registers,
    }),
    definitions: new Counter({
      name: 'worker_event_definitions_total',
      help: 'Event definitions from the waiting room by outcome (stored, stale, invalid, retried)',
      labelNames: ['result'] as const,
      registers,
    }),
    restores: new Counter({
      name: 'worker_event_restores_total',
      help: 'Events rebuilt in Redis from the ledger after Redis lost them, by result (restored, failed)',
      labelNames: ['result'] as const,
      registers,
    }),
    batchSize: new Histogram({
      name: 'worker_batch_size',
      help: 'Messages per database batch',
      buckets: [1, 10, 50, 100, 250, 500, 1_000, 2_500, 5_000],
      registers,
    }),
    batchDuration: new Histogram({
      name: 'worker_batch_duration_seconds',
      help: 'Time to persist, confirm and ack one batch',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
    lag: new Histogram({
      name: 'worker_lag_seconds',
      help: 'From publish to commit',
      buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
      registers,
    }),
    inflight: new Gauge({
      name: 'worker_inflight_messages',
      help: 'Messages received and not yet acked or nacked',
      registers,
    }),
    ticketsSold: new Gauge({
      name: 'reconciliation_tickets_sold',
      help: 'Tickets sold according to Redis',
      labelNames: ['event'] as const,
      registers,
    }),
    ticketsPersisted: new Gauge({
      name: 'reconciliation_tickets_persisted',
      help: 'Tickets persisted in the database',
      labelNames: ['event'] as const,
      registers,
    }),
    oversold: new Gauge({
      name: 'reconciliation_oversold',
      help: 'Tickets sold beyond ticketsTotal (must be 0)',
      labelNames: ['event'] as const,
      registers,
    }),
    mails: new Counter({
      name: 'worker_mails_total',
      help: 'Confirmation e-mails by outcome (sent, failed, duplicate, dead_lettered)',
      labelNames: ['result'] as const,
      registers,
    }),
  };
}
