import { createMetrics, type ServiceMetrics } from '@frequency/observability';
import { Counter, Gauge } from 'prom-client';

export interface CheckoutMetrics extends ServiceMetrics {
  orders: Counter<'event' | 'result'>;
  ticketsRemaining: Gauge<'event'>;
  ticketsSold: Gauge<'event'>;
  outboxPending: Gauge;
  publishFailures: Counter;
  replicaAcks: Counter<'result'>;
  signatureThreadLost: Counter;
  signatureChecksRefused: Counter;
}

/** The checkout series named in docs/conventions.md, on top of the shared HTTP ones. */
export function createCheckoutMetrics(): CheckoutMetrics {
  const base = createMetrics('checkout');
  const registers = [base.registry];
  return {
    ...base,
    orders: new Counter({
      name: 'checkout_orders_total',
      help: 'Order attempts by event and result (accepted, duplicate, withdrawn, sold_out, insufficient, buyer_limit, revoked, expired)',
      labelNames: ['event', 'result'] as const,
      registers,
    }),
    ticketsRemaining: new Gauge({
      name: 'checkout_tickets_remaining',
      help: 'Tickets remaining per event, as last seen in Redis',
      labelNames: ['event'] as const,
      registers,
    }),
    ticketsSold: new Gauge({
      name: 'checkout_tickets_sold',
      help: 'Tickets sold per event, as last seen in Redis',
      labelNames: ['event'] as const,
      registers,
    }),
    outboxPending: new Gauge({
      name: 'checkout_outbox_pending',
      help: 'Orders reserved but not yet confirmed by the worker',
      registers,
    }),
    publishFailures: new Counter({
      name: 'checkout_publish_failures_total',
      help: 'Purchase intent publishes that missed their deadline (inline: the order is withdrawn and answered 503; relay: tried again)',
      registers,
    }),
    replicaAcks: new Counter({
      name: 'checkout_replica_acks_total',
      help: 'Redis WAITs after order reservations by result: acknowledged by REDIS_MIN_REPLICAS_ACK replicas, or short (fewer in time; the order was still answered)',
      labelNames: ['result'] as const,
      registers,
    }),
    signatureChecksRefused: new Counter({
      name: 'checkout_signature_checks_refused_total',
      help: 'Admission signature checks refused (503) because SIGNATURE_QUEUE_MAX were pending',
      registers,
    }),
    signatureThreadLost: new Counter({
      name: 'checkout_signature_thread_lost_total',
      help: 'Admission signature threads that died (their checks fell back to the thread pool)',
      registers,
    }),
  };
}

/** The signature queue's length, read when Prometheus scrapes: nothing on the request path. */
export function observeSignatureQueue(metrics: CheckoutMetrics, pending: () => number): void {
  new Gauge({
    name: 'checkout_signature_checks_pending',
    help: 'Admission signature checks waiting or being checked (bounded by SIGNATURE_QUEUE_MAX)',
    registers: [metrics.registry],
    collect() {
      this.set(pending());
    },
  });
}
