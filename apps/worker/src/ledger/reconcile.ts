import { eventKeys, eventsIndexKey } from '@frequency/contracts';
import type { OrderStore } from '@frequency/db';
import type { Logger } from '@frequency/observability';
import type { RedisClient } from '@frequency/config/redis';
import type { WorkerMetrics } from '../metrics.js';

export interface EventReconciliation {
  eventId: string;
  ticketsTotal: number;
  /** Tickets reserved by accepted orders, according to Redis. */
  soldInRedis: number;
  /** Ticket rows in the database. */
  persisted: number;
  /** Orders reserved but not yet confirmed by the worker. */
  outboxPending: number;
  /** Tickets beyond ticketsTotal, in Redis or in the database: must be 0. */
  oversold: number;
}

/**
 * Compares, per event, what Redis sold with what the database holds. Once the pipeline is idle,
 * soldInRedis = persisted and outboxPending = 0; while it runs, the gap is the pipeline's backlog.
 */
export async function reconcile(
  redis: RedisClient,
  store: OrderStore,
): Promise<EventReconciliation[]> {
  const eventIds = (await redis.smembers(eventsIndexKey)).sort();
  return Promise.all(
    eventIds.map(async (eventId) => {
      const keys = eventKeys(eventId);
      const [[total, sold], outboxPending, persisted] = await Promise.all([
        Promise.all([redis.hget(keys.config, 'ticketsTotal'), redis.get(keys.sold)]),
        redis.zcard(keys.outbox),
        store.ticketsPersisted(eventId),
      ]);
      const ticketsTotal = Number(total ?? 0);
      const soldInRedis = Number(sold ?? 0);
      return {
        eventId,
        ticketsTotal,
        soldInRedis,
        persisted,
        outboxPending,
        oversold: Math.max(0, Math.max(soldInRedis, persisted) - ticketsTotal),
      };
    }),
  );
}

/** Refreshes the reconciliation gauges periodically (every worker replica; they agree). */
export class Reconciler {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly options: {
      redis: RedisClient;
      store: OrderStore;
      metrics: WorkerMetrics;
      logger: Logger;
      intervalMs: number;
    },
  ) {}

  start(): void {
    void this.runOnce();
    this.timer = setInterval(() => {
      void this.runOnce();
    }, this.options.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async runOnce(): Promise<EventReconciliation[]> {
    const { metrics } = this.options;
    try {
      const rows = await reconcile(this.options.redis, this.options.store);
      for (const row of rows) {
        metrics.ticketsSold.set({ event: row.eventId }, row.soldInRedis);
        metrics.ticketsPersisted.set({ event: row.eventId }, row.persisted);
        metrics.oversold.set({ event: row.eventId }, row.oversold);
        if (row.oversold > 0)
          this.options.logger.error(row, 'OVERSOLD: tickets beyond ticketsTotal');
      }
      return rows;
    } catch (err) {
      this.options.logger.warn({ err }, 'reconciliation failed');
      return [];
    }
  }
}
