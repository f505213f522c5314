import { createRedisClient } from '@frequency/config/redis';
import { eventKeys, type OrderAccepted } from '@frequency/contracts';
import type { HttpApp } from '@frequency/observability';
import {
  afterAll,
  createTestAdmissionIssuer,
  describe,
  expect,
  seedTestEvent,
  startRedisServer,
  test,
  uniqueName,
  type StartedRedis,
} from '@frequency/testing';
import type { Redis } from 'ioredis';
import { bearer, buildTestCheckout, buyer, freePort, uncapped } from '../../test/build.js';

const cleanups: (() => Promise<unknown>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
});

async function replicationUp(replica: Redis): Promise<boolean> {
  return /master_link_status:up/.test(await replica.info('replication'));
}

describe('REDIS_MIN_REPLICAS_ACK', () => {
  test(
    'the 202 waits until a replica holds the reservation; with the replica gone it is counted and still answered',
    { timeout: 60_000 },
    async ({ pubsub }) => {
      // A primary and its replica of our own: the shared Redis has no replica to wait for.
      const primary: StartedRedis = await startRedisServer(await freePort());
      cleanups.push(() => primary.stop());
      const replica: StartedRedis = await startRedisServer(await freePort());
      cleanups.push(() => replica.stop());
      const keyPrefix = `${uniqueName('wait')}:`;
      const onPrimary = createRedisClient({ url: primary.url, keyPrefix, name: 'test' });
      const onReplica = createRedisClient({ url: replica.url, keyPrefix, name: 'test' });
      cleanups.push(() => {
        onPrimary.disconnect();
        onReplica.disconnect();
        return Promise.resolve();
      });
      // The same as starting it with --replicaof.
      await onReplica.replicaof('127.0.0.1', new URL(primary.url).port);
      await expect.poll(() => replicationUp(onReplica), { timeout: 20_000 }).toBe(true);

      const issuer = await createTestAdmissionIssuer();
      cleanups.push(() => issuer.close());
      const app: HttpApp = await buildTestCheckout({
        redis: { client: onPrimary, url: primary.url, keyPrefix },
        pubsub,
        issuer,
        env: { REDIS_MIN_REPLICAS_ACK: '1', REDIS_WAIT_TIMEOUT_MS: '2000' },
      });
      cleanups.push(() => app.close());
      await seedTestEvent(onPrimary, { eventId: 'waited', ticketsTotal: 10, ...uncapped });
      const place = async () => {
        const admission = await issuer.mint({ eventId: 'waited' });
        const response = await app.inject({
          method: 'POST',
          url: '/v1/events/waited/orders',
          headers: bearer(admission.token),
          payload: { quantity: 2, buyer },
        });
        expect(response.statusCode).toBe(202);
        return response.json<OrderAccepted>().orderId;
      };
      const acks = async (result: string) => {
        const text = (await app.inject({ url: '/metrics' })).body;
        const match = new RegExp(
          `checkout_replica_acks_total\\{[^}]*result="${result}"[^}]*\\} (\\d+)`,
        ).exec(text);
        return Number(match?.[1] ?? 0);
      };

      const orderId = await place();
      // WAIT answered 1: the replica has the reservation the moment the fan has the 202.
      expect(await acks('acknowledged')).toBe(1);
      expect(await onReplica.hget(eventKeys('waited').order(orderId), 'status')).toBe('pending');
      expect(await onReplica.get(eventKeys('waited').sold)).toBe('2');

      await replica.stop();
      // No replica acknowledges now: the order is still answered 202 (its intent is in Pub/Sub)
      // and the shortfall is counted.
      await place();
      expect(await acks('short')).toBe(1);
      expect(await onPrimary.get(eventKeys('waited').sold)).toBe('4');
    },
  );
});
