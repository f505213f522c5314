import type { HttpApp } from '@frequency/observability';
import { describe, expect, test } from '@frequency/testing';
import { waitingRoomKeys } from '../src/redis/keys.js';
import { waitingRoomCommands } from '../src/redis/commands.js';
import {
  createTestEvent,
  eventually,
  join,
  knownEverywhere,
  patch,
  sleep,
  startApp,
} from './helpers.js';

interface View {
  phase: string;
  admissionRatePerSecond: number;
  admittedTotal: number;
}

async function view(app: HttpApp, id: string): Promise<View> {
  return (await app.inject({ url: `/v1/events/${id}` })).json<View>();
}

describe('several replicas', () => {
  test('pause, resume and a new rate set on one replica apply on every replica within 1 s', async ({
    redis,
  }) => {
    const a = await startApp(redis, { INSTANCE_ID: 'replica-a' });
    const b = await startApp(redis, { INSTANCE_ID: 'replica-b' });
    try {
      const event = await createTestEvent(a, { admissionRatePerSecond: 50 });
      await knownEverywhere([a, b], event.id);
      for (let i = 0; i < 200; i += 1) await join(i % 2 ? a : b, event.id);
      const state = waitingRoomKeys(event.id).state;
      await eventually(async () =>
        Number(await redis.client.hget(state, 'admitted')) > 0 ? true : undefined,
      );

      await patch(b, event.id, { paused: true });
      await eventually(async () => {
        const [va, vb] = await Promise.all([view(a, event.id), view(b, event.id)]);
        return va.phase === 'paused' && vb.phase === 'paused' ? true : undefined;
      }, 1_000);
      // The leader (whichever replica) has stopped: the shared count no longer moves.
      await sleep(200);
      const pausedAt = Number(await redis.client.hget(state, 'admitted'));
      await sleep(400);
      expect(Number(await redis.client.hget(state, 'admitted'))).toBe(pausedAt);

      await patch(a, event.id, { paused: false, admissionRatePerSecond: 80 });
      await eventually(async () => {
        const [va, vb] = await Promise.all([view(a, event.id), view(b, event.id)]);
        return va.phase === 'open' &&
          vb.admissionRatePerSecond === 80 &&
          va.admissionRatePerSecond === 80
          ? true
          : undefined;
      }, 1_000);
      await eventually(async () =>
        Number(await redis.client.hget(state, 'admitted')) > pausedAt ? true : undefined,
      );
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('exactly one replica admits; when it dies another takes over and the old fence is refused', async ({
    redis,
  }) => {
    const a = await startApp(redis, { INSTANCE_ID: 'leader-a' });
    const b = await startApp(redis, { INSTANCE_ID: 'leader-b' });
    try {
      const event = await createTestEvent(a, { admissionRatePerSecond: 20 });
      for (let i = 0; i < 300; i += 1) await join(a, event.id);
      const leader = await eventually(() => {
        const la = a.waitingRoom.admission.isLeader(event.id);
        const lb = b.waitingRoom.admission.isLeader(event.id);
        if (la && lb) throw new Error('two leaders');
        return la ? a : lb ? b : undefined;
      });
      const follower = leader === a ? b : a;
      const keys = waitingRoomKeys(event.id);
      const oldLease = await redis.client.get(keys.lease);
      expect(oldLease).toMatch(new RegExp(`^${leader.waitingRoom.instanceId}\\|\\d+$`));

      // The leader stops without giving the lease back, as a crashed process would.
      await leader.waitingRoom.admission.stop({ releaseLeases: false });
      await eventually(
        () => (follower.waitingRoom.admission.isLeader(event.id) ? true : undefined),
        5_000,
      );
      const newLease = await redis.client.get(keys.lease);
      expect(newLease).toMatch(new RegExp(`^${follower.waitingRoom.instanceId}\\|\\d+$`));
      expect(Number(newLease?.split('|')[1])).toBeGreaterThan(Number(oldLease?.split('|')[1]));

      const before = Number(await redis.client.hget(keys.state, 'admitted'));
      await eventually(async () =>
        Number(await redis.client.hget(keys.state, 'admitted')) > before ? true : undefined,
      );

      // A write carrying the old lease and fence changes nothing.
      const { status } = await waitingRoomCommands(redis.client).wrAdmit(keys, {
        leaseValue: oldLease ?? '',
        wanted: 5,
        windowMs: 60_000,
        abandonAfterSeconds: 120,
        maxActive: 1_000,
        maxScanned: 100,
        returnGraceMs: 0,
        admissionIds: ['adm_AAAAAAAAAAAAAAAAAAAAAA', 'adm_BBBBBBBBBBBBBBBBBBBBBB'],
      });
      expect(status).toBe('fenced');
      const metrics = (await follower.inject({ url: '/metrics' })).body;
      expect(metrics).toMatch(/waiting_room_leader\{[^}]*\} 1/);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
