import type { Logger } from '@frequency/observability';
import { primaries, type RedisClient } from '@frequency/config/redis';
import type { CheckoutMetrics } from '../metrics.js';

export interface ReplicaAcksOptions {
  /** The connection the reservation scripts ran on: WAIT covers only that connection's writes. */
  redis: RedisClient;
  minReplicas: number;
  timeoutMs: number;
  metrics: CheckoutMetrics;
  logger: Logger;
}

interface Batch {
  promise: Promise<void>;
  resolve: () => void;
}

/**
 * Waits until `minReplicas` Redis replicas hold the reservations made so far (WAIT), grouped like
 * a group commit: one WAIT is in flight at a time, and every caller arriving meanwhile shares the
 * next one. A caller calls after its script's reply arrived, so a WAIT sent after that covers its
 * write (one joining a WAIT already sent might not be covered, hence the next one). WAIT blocks its
 * connection, so grouping also bounds how often that connection stalls: once per WAIT, at most
 * `timeoutMs`.
 *
 * Never fails and never refuses: fewer acknowledgements are logged and counted, and the order is
 * answered all the same (see OrderService for why).
 */
export class ReplicaAcks {
  private next: Batch | undefined;
  private inflight = false;

  constructor(private readonly options: ReplicaAcksOptions) {}

  get enabled(): boolean {
    return this.options.minReplicas > 0;
  }

  wait(): Promise<void> {
    if (!this.enabled) return Promise.resolve();
    if (!this.next) {
      let resolve: () => void = () => undefined;
      const promise = new Promise<void>((settle) => {
        resolve = settle;
      });
      this.next = { promise, resolve };
    }
    const batch = this.next;
    if (!this.inflight) this.send();
    return batch.promise;
  }

  private send(): void {
    const batch = this.next;
    if (!batch) return;
    this.next = undefined;
    this.inflight = true;
    const { redis, minReplicas, timeoutMs, metrics, logger } = this.options;
    // WAIT covers the writes of the connection it is sent on; on a cluster each primary took some
    // of them on its own connection, so each is asked and the fewest acknowledgements count.
    Promise.all(primaries(redis).map((node) => node.wait(minReplicas, timeoutMs)))
      .then((counts) => Math.min(...counts))
      .then(
        (acknowledged) => {
          if (acknowledged >= minReplicas) {
            metrics.replicaAcks.inc({ result: 'acknowledged' });
            return;
          }
          metrics.replicaAcks.inc({ result: 'short' });
          logger.warn(
            { acknowledged, required: minReplicas, timeoutMs },
            'fewer Redis replicas than REDIS_MIN_REPLICAS_ACK acknowledged the reservations',
          );
        },
        (err: unknown) => {
          metrics.replicaAcks.inc({ result: 'short' });
          logger.warn({ err }, 'Redis WAIT failed after reservations');
        },
      )
      .finally(() => {
        batch.resolve();
        this.inflight = false;
        this.send();
      });
  }
}
