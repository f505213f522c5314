import { randomUUID } from 'node:crypto';
import type { RedisClient } from '@frequency/config/redis';
import { defineCommands, script, type Commands } from '@frequency/config/redis-commands';
import {
  eventConfigFields,
  eventKeys,
  eventsIndexKey,
  eventTag,
  orderRecordKeys,
  orderRecordScripts,
  restoreOrderArgs,
} from '@frequency/contracts';
import type { LedgerEvent, OrderStore } from '@frequency/db';
import type { Logger } from '@frequency/observability';
import { z } from 'zod';
import type { WorkerMetrics } from '../metrics.js';

/**
 * Writes an event's config, stock and sold back, once, after its order records were rebuilt.
 * Invariant: only while the config is absent. Checkout reserves nothing for an event without config,
 * so until this runs no order can take the stock it sets; a second restorer finds the config and
 * changes nothing.
 *
 * KEYS: 1 config, 2 stock, 3 sold. ARGV: 1 stock, 2 sold, 3… config field/value pairs.
 * Returns 1 when it wrote the event.
 */
const restoreEventLua = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('SET', KEYS[2], ARGV[1])
redis.call('SET', KEYS[3], ARGV[2])
redis.call('HSET', KEYS[1], unpack(ARGV, 3))
return 1
`;

/**
 * Gives the restore lock back. Invariant: only the holder's own lock is deleted, never one another
 * worker took after ours expired.
 *
 * KEYS: 1 lock. ARGV: 1 holder. Returns 1 if the lock was released.
 */
const releaseRestoreLockLua = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

const writtenReply = (raw: unknown): boolean => z.number().parse(raw) === 1;

const restorerScripts = {
  restoreEvent: script({
    keys: ['config', 'stock', 'sold'],
    args: ['stock', 'sold'],
    rest: 'configFields',
    lua: restoreEventLua,
    reply: writtenReply,
  }),
  releaseRestoreLock: script({
    keys: ['lock'],
    args: ['holder'],
    lua: releaseRestoreLockLua,
    reply: writtenReply,
  }),
  restoreOrder: orderRecordScripts.restoreOrder,
};

export interface RestorerOptions {
  redis: RedisClient;
  store: OrderStore;
  metrics: WorkerMetrics;
  logger: Logger;
  intervalMs: number;
  /** Orders read from the ledger and written to Redis per round trip. */
  pageSize?: number;
}

/** The restore lock's lifetime: longer than a restore takes, short enough to survive a crash. */
const lockMs = 120_000;

/**
 * Rebuilds in Redis every event the ledger knows and Redis has lost: a FLUSHDB, a restart without
 * persistence, a failover that dropped the event's keys. It looks every `intervalMs` (an EXISTS per
 * event) and, for an event whose config is gone, under a lock so one worker does it:
 *
 * 1. writes every order record from the ledger (status, quantity, admission, tickets, reason), the
 *    admission -> order index and the buyers' counts, so every fan can read their order again and
 *    one admission still yields one order;
 * 2. writes the config (with `restoredAt`, which tells checkout that admissions signed before it may
 *    have been forgotten), stock = ticketsTotal - tickets in the ledger, and sold, in one script.
 *
 * What this cannot know: orders accepted but not yet in the ledger (in Pub/Sub, or in the outbox Redis
 * just lost) still hold tickets the restored stock offers again. Their records come back when the
 * worker confirms them; the ledger's own cap refuses any that no longer fit (SOLD_OUT), and that
 * rejection caps Redis's stock at what the ledger has left.
 */
export class EventRestorer {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private readonly instance = randomUUID();
  private readonly scripts: Commands<typeof restorerScripts>;

  constructor(private readonly options: RestorerOptions) {
    this.scripts = defineCommands(options.redis, restorerScripts);
  }

  start(): void {
    this.schedule();
  }

  async stop(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.running = this.runOnce()
        .then(() => undefined)
        .catch((err: unknown) => {
          this.options.logger.warn({ err }, 'restore round failed');
        })
        .finally(() => {
          this.running = undefined;
          if (this.timer) this.schedule();
        });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  /** One look at every ledger event; returns the ids it restored. */
  async runOnce(): Promise<string[]> {
    const { redis, store } = this.options;
    const events = await store.listEvents();
    if (events.length === 0) return [];
    // One command per event (each its own cluster slot), batched per node by auto-pipelining.
    const exists = await Promise.all(
      events.map((event) => redis.exists(eventKeys(event.event.id).config)),
    );
    const lost = events.filter((_, index) => exists[index] === 0);
    const restored: string[] = [];
    for (const event of lost) {
      if (await this.restore(event)) restored.push(event.event.id);
    }
    return restored;
  }

  /** Restores one event under the lock; false when another worker holds it or Redis has it again. */
  async restore(event: LedgerEvent): Promise<boolean> {
    const { redis, store, metrics, logger } = this.options;
    const { scripts } = this;
    const eventId = event.event.id;
    const lock = `ev:${eventTag(eventId)}:restoring`;
    if ((await redis.set(lock, this.instance, 'PX', lockMs, 'NX')) !== 'OK') return false;
    const started = Date.now();
    try {
      const keys = eventKeys(eventId);
      const buyers = new Map<string, number>();
      let orders = 0;
      for (let after: string | null = null; ;) {
        const page = await store.pageOrders(eventId, after, this.options.pageSize ?? 2_000);
        if (page.length === 0) break;
        const pipeline = redis.pipeline();
        for (const order of page) {
          const args = restoreOrderArgs(order);
          scripts.restoreOrder.inPipeline(pipeline, orderRecordKeys(eventId, order.orderId), args);
          if (order.status === 'confirmed' && args.buyer)
            buyers.set(args.buyer, (buyers.get(args.buyer) ?? 0) + order.quantity);
        }
        for (const [err] of (await pipeline.exec()) ?? []) if (err) throw err;
        orders += page.length;
        after = page[page.length - 1]?.orderId ?? null;
      }
      const counts = [...buyers];
      for (let i = 0; i < counts.length; i += 5_000) {
        await redis.hset(keys.buyers, Object.fromEntries(counts.slice(i, i + 5_000)));
      }
      // Read last: orders the ledger took while the records were written count too.
      const ledger = (await store.readEvent(eventId)) ?? event;
      const sold = ledger.ticketsSold;
      const stock = Math.max(0, ledger.ticketsTotal - sold);
      const written = await scripts.restoreEvent(keys, {
        stock,
        sold,
        configFields: configFields(ledger, Date.now()),
      });
      await redis.sadd(eventsIndexKey, eventId);
      if (written) {
        metrics.restores.inc({ result: 'restored' });
        logger.warn(
          { eventId, orders, stock, sold, version: ledger.version, ms: Date.now() - started },
          'event rebuilt in Redis from the ledger',
        );
      }
      return written;
    } catch (err) {
      metrics.restores.inc({ result: 'failed' });
      throw err;
    } finally {
      await scripts.releaseRestoreLock({ lock }, { holder: this.instance }).catch(() => undefined);
    }
  }
}

/** The config hash as the waiting room writes it, with the ledger's version and the restore's marks. */
function configFields(event: LedgerEvent, restoredAt: number): string[] {
  return [
    ...eventConfigFields(event.event, event.event.checkoutWindowSeconds),
    'version',
    String(event.version),
    'restoredAt',
    String(restoredAt),
    // The waiting room takes the pre-queue shuffle from here when none of its replicas remembers it.
    ...(event.shuffle
      ? ['shuffleSeed', event.shuffle.seed, 'shuffleCommitment', event.shuffle.commitment]
      : []),
  ];
}
