import type { RedisClient } from '@frequency/config/redis';
import { describe, expect, test } from '@frequency/testing';
import { waitingRoomKeys } from '../src/redis/keys.js';
import {
  createTestEvent,
  eventually,
  join,
  type Joined,
  patch,
  sleep,
  startApp,
  status,
} from './helpers.js';

async function admittedTotal(client: RedisClient, eventId: string): Promise<number> {
  return Number((await client.hget(waitingRoomKeys(eventId).state, 'admitted')) ?? 0);
}

describe('admission', () => {
  test('admits at the configured rate, within 5% over 10 s', async ({ redis }) => {
    const app = await startApp(redis);
    try {
      const rate = 40;
      const event = await createTestEvent(app);
      for (let i = 0; i < 600; i += 1) await join(app, event.id);
      await patch(app, event.id, { admissionRatePerSecond: rate });
      // Measure between two reads of the shared counter, once admission is under way.
      await eventually(async () =>
        (await admittedTotal(redis.client, event.id)) > 0 ? true : undefined,
      );
      const a0 = await admittedTotal(redis.client, event.id);
      const t0 = performance.now();
      await sleep(10_000);
      const a1 = await admittedTotal(redis.client, event.id);
      const t1 = performance.now();
      const achieved = (a1 - a0) / ((t1 - t0) / 1000);
      expect(Math.abs(achieved - rate) / rate).toBeLessThan(0.05);
      const admin = await app.inject({
        url: `/v1/admin/events/${event.id}`,
        headers: { authorization: 'Bearer ops-token-for-tests-0123456789' },
      });
      const view = admin.json<{ achievedAdmissionRatePerSecond: number }>();
      expect(Math.abs(view.achievedAdmissionRatePerSecond - rate) / rate).toBeLessThan(0.15);
      // The estimate of a far-back fan comes from the measured rate.
      const last = await join(app, event.id);
      const s = await status(app, event.id, last.queueToken);
      expect(s.aheadOfYou).toBeGreaterThan(100);
      expect(s.estimatedWaitSeconds).toBeGreaterThanOrEqual(
        Math.floor(s.aheadOfYou! / (rate * 1.2)),
      );
      expect(s.estimatedWaitSeconds).toBeLessThanOrEqual(Math.ceil(s.aheadOfYou! / (rate * 0.8)));
    } finally {
      await app.close();
    }
  }, 90_000);

  test('never has more live admissions than maxActiveCheckouts; an order frees a slot', async ({
    redis,
  }) => {
    const app = await startApp(redis);
    try {
      const event = await createTestEvent(app, { maxActiveCheckouts: 3 });
      const fans: Joined[] = [];
      for (let i = 0; i < 8; i += 1) fans.push(await join(app, event.id));
      await patch(app, event.id, { admissionRatePerSecond: 200 });
      await eventually(async () =>
        (await admittedTotal(redis.client, event.id)) === 3 ? true : undefined,
      );
      // Many ticks later the cap still holds.
      await eventually(async () => {
        const s = await status(app, event.id, fans[3]!.queueToken);
        return s.position === 4 ? true : undefined;
      });
      await sleep(300);
      expect(await admittedTotal(redis.client, event.id)).toBe(3);
      const keys = waitingRoomKeys(event.id);
      expect(await redis.client.zcard(keys.active)).toBe(3);
      // Checkout removes the admission from `active` when the order is placed.
      const [jti] = await redis.client.zrange(keys.active, 0, 0);
      await redis.client.zrem(keys.active, jti!);
      await eventually(async () =>
        (await admittedTotal(redis.client, event.id)) === 4 ? true : undefined,
      );
      expect(await redis.client.zcard(keys.active)).toBe(3);
      const fourth = await eventually(async () => {
        const s = await status(app, event.id, fans[3]!.queueToken);
        return s.state === 'admitted' ? s : undefined;
      });
      expect(fourth.admission?.token).toBeTruthy();
    } finally {
      await app.close();
    }
  });

  test('sold out: waiting fans see sold_out, joins get 409, nobody more is admitted', async ({
    redis,
  }) => {
    const app = await startApp(redis);
    try {
      const event = await createTestEvent(app, { ticketsTotal: 8 });
      const fans: Joined[] = [];
      for (let i = 0; i < 4; i += 1) fans.push(await join(app, event.id));
      const keys = waitingRoomKeys(event.id);
      // What checkout's reservations do: stock down, sold up.
      await redis.client.multi().decrby(keys.stock, 8).incrby(keys.sold, 8).exec();
      await eventually(async () => {
        const s = await status(app, event.id, fans[2]!.queueToken);
        return s.state === 'sold_out' ? true : undefined;
      });
      const view = (await app.inject({ url: `/v1/events/${event.id}` })).json<{ phase: string }>();
      expect(view.phase).toBe('sold_out');
      const joinAgain = await app.inject({ method: 'POST', url: `/v1/events/${event.id}/queue` });
      expect(joinAgain.statusCode).toBe(409);
      expect(joinAgain.json<{ error: { code: string } }>().error.code).toBe('SOLD_OUT');
      await patch(app, event.id, { admissionRatePerSecond: 100 });
      await sleep(300);
      expect(await admittedTotal(redis.client, event.id)).toBe(0);
    } finally {
      await app.close();
    }
  });

  test('a fan who stops polling or leaves is passed over and the slot goes to the next', async ({
    redis,
  }) => {
    const app = await startApp(redis, { QUEUE_ABANDON_AFTER_SECONDS: '1' });
    try {
      const event = await createTestEvent(app);
      const [gone, leaver, stays] = [
        await join(app, event.id),
        await join(app, event.id),
        await join(app, event.id),
      ];
      const left = await app.inject({
        method: 'DELETE',
        url: `/v1/events/${event.id}/queue/me`,
        headers: { authorization: `Bearer ${leaver.queueToken}` },
      });
      expect(left.statusCode).toBe(204);
      // `stays` keeps polling past the grace period, `gone` does not poll at all.
      const until = Date.now() + 2_500;
      while (Date.now() < until) {
        await status(app, event.id, stays.queueToken);
        await sleep(150);
      }
      await patch(app, event.id, { admissionRatePerSecond: 1 });
      const admitted = await eventually(async () => {
        const s = await status(app, event.id, stays.queueToken);
        return s.state === 'admitted' ? s : undefined;
      });
      expect(admitted.admission).not.toBeNull();
      expect((await status(app, event.id, gone.queueToken)).state).toBe('expired');
      expect(await admittedTotal(redis.client, event.id)).toBe(1);
      const metrics = (await app.inject({ url: '/metrics' })).body;
      expect(metrics).toMatch(
        new RegExp(`waiting_room_skipped_total\\{event="${event.id}",reason="abandoned"[^}]*\\} 1`),
      );
      expect(metrics).toMatch(
        new RegExp(`waiting_room_skipped_total\\{event="${event.id}",reason="left"[^}]*\\} 1`),
      );
    } finally {
      await app.close();
    }
  });
});
