import { createRedisClient } from '@frequency/config/redis';
import type { HttpApp } from '@frequency/observability';
import {
  afterAll,
  beforeAll,
  describe,
  expect,
  freePort,
  startRedisServer,
  test,
} from '@frequency/testing';
import type { StartedRedis } from '@frequency/testing';
import type { Redis } from 'ioredis';
import { LONGEST_POLL_AFTER_MS } from '../src/queue/estimates.js';
import { shuffleOrder } from '../src/queue/shuffle-order.js';
import { waitingRoomKeys } from '../src/redis/keys.js';
import { waitingRoomCommands } from '../src/redis/commands.js';
import {
  createTestEvent,
  eventually,
  join,
  type Joined,
  knownEverywhere,
  ops,
  patch,
  restoreFromLedger,
  startApp,
  status,
} from './helpers.js';
import { decodeJwt } from 'jose';

/**
 * Redis forgets everything mid-sale (FLUSHALL on a redis-server of this file's own) and the ledger's
 * restore writes the shared keys back: the waiting room must put its own state and every fan's place
 * back by itself, in the original order, without ever answering 404 for the event.
 */

let server: StartedRedis;
let client: Redis;
/** No key prefix: FLUSHALL and INFO are the server's. */
let raw: Redis;
const keyPrefix = 'redis-loss:';

beforeAll(async () => {
  server = await startRedisServer(await freePort());
  client = createRedisClient({ url: server.url, keyPrefix, name: 'test' });
  raw = createRedisClient({ url: server.url, name: 'test-raw' });
});

afterAll(async () => {
  client.disconnect();
  raw.disconnect();
  await server.stop();
});

function replica(instanceId: string): Promise<HttpApp> {
  return startApp({ client, url: server.url, keyPrefix }, { INSTANCE_ID: instanceId });
}

function entryIdOf(queueToken: string): string {
  return decodeJwt(queueToken).sub ?? '';
}

/** Reads GET /v1/events/{id} on every replica until stopped; the status codes it saw. */
function watchEvent(apps: HttpApp[], id: string) {
  const codes = new Map<number, number>();
  const watching = { running: true };
  const loop = (async () => {
    while (watching.running) {
      for (const app of apps) {
        const { statusCode } = await app.inject(`/v1/events/${id}`);
        codes.set(statusCode, (codes.get(statusCode) ?? 0) + 1);
      }
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    stop: async () => {
      watching.running = false;
      await loop;
      return codes;
    },
  };
}

async function state(id: string): Promise<Record<string, string>> {
  return client.hgetall(waitingRoomKeys(id).state);
}

/** Waits until the shared admitted count stops moving (admission paused everywhere). */
async function settledAdmitted(id: string): Promise<number> {
  let last = -1;
  return eventually(
    async () => {
      const now = Number((await state(id)).admitted ?? 0);
      if (now === last) return now;
      last = now;
      return undefined;
    },
    10_000,
    300,
  );
}

describe('Redis forgets everything', () => {
  test('fans get their places back in their order, admission goes on in that order, no place is given twice, the event never 404s', async () => {
    const a = await replica('loss-a');
    const b = await replica('loss-b');
    let watcher: ReturnType<typeof watchEvent> | undefined;
    try {
      const event = await createTestEvent(a, { admissionRatePerSecond: 0 });
      const keys = waitingRoomKeys(event.id);
      await knownEverywhere([a, b], event.id);
      const fans: Joined[] = [];
      for (let i = 0; i < 12; i += 1) fans.push(await join(i % 2 ? b : a, event.id));
      expect(fans.map((f) => f.position)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);

      // A few are admitted, then admission is paused.
      await patch(a, event.id, { admissionRatePerSecond: 10 });
      await eventually(async () =>
        Number((await state(event.id)).admitted ?? 0) >= 3 ? true : undefined,
      );
      await patch(a, event.id, { admissionRatePerSecond: 0 });
      const admittedBefore = await settledAdmitted(event.id);
      expect(admittedBefore).toBeLessThan(12);
      const shown = new Map<number, string>();
      for (const [i, fan] of fans.entries()) {
        const s = await status(a, event.id, fan.queueToken);
        if (i < admittedBefore) {
          expect(s.state).toBe('admitted');
          shown.set(i, s.admission?.token ?? '');
        } else expect(s).toMatchObject({ state: 'waiting', position: i + 1 });
      }
      const versionBefore = Number(await client.hget(keys.config, 'version'));
      expect(versionBefore).toBe(3);
      const leaseBefore = await client.get(keys.lease);
      expect(leaseBefore).not.toBeNull();

      watcher = watchEvent([a, b], event.id);
      await raw.flushall();

      // Nothing is given while the event is gone: a join is refused for now, not told 404 or sold out.
      const refused = await a.inject({
        method: 'POST',
        url: `/v1/events/${event.id}/queue`,
        remoteAddress: '10.9.9.9',
      });
      expect(refused.statusCode).toBe(503);
      expect(refused.json<{ error: { code: string } }>().error.code).toBe('UNAVAILABLE');
      expect(refused.headers['retry-after']).toBe('1');

      // The replicas put the queue state back from what they know, before the ledger restore.
      const restored = await eventually(async () => {
        const s = await state(event.id);
        return s.seed && Number(s.seq) === 12 ? s : undefined;
      });
      expect(Number(restored.front)).toBe(admittedBefore);
      expect(Number(restored.admitted)).toBe(admittedBefore);
      expect(restored.sealed).toBe('1');
      expect(restored.shuffled).toBe('1');

      await restoreFromLedger(client, event, { version: versionBefore, ticketsSold: 0 });
      await eventually(() =>
        [a, b].every((app) => app.waitingRoom.cache.get(event.id)?.stale === false)
          ? true
          : undefined,
      );

      // Waiting fans poll (on the other replica, in a scrambled order) and are back at their places.
      const waiting = fans.slice(admittedBefore);
      const scrambled = [...waiting].sort(() => Math.random() - 0.5);
      for (const fan of scrambled) {
        const s = await status(b, event.id, fan.queueToken);
        expect(s).toMatchObject({
          state: 'waiting',
          position: fan.position,
          aheadOfYou: (fan.position ?? 0) - admittedBefore - 1,
        });
      }
      expect(await client.zrange(keys.line, 0, -1)).toEqual(
        waiting.map((f) => entryIdOf(f.queueToken)),
      );

      // An admitted fan keeps the admission this replica showed it.
      for (const [i, token] of shown) {
        const s = await status(a, event.id, fans[i]!.queueToken);
        expect(s.state).toBe('admitted');
        expect(s.admission?.token).toBe(token);
      }
      // On a replica that never saw it, the admission Redis forgot is given again: the fan goes
      // back in at its place, now the front of the line.
      const first = fans[0]!;
      expect(await status(b, event.id, first.queueToken)).toMatchObject({
        state: 'waiting',
        position: 1,
        aheadOfYou: 0,
      });

      // New arrivals get places after every place given before the loss.
      const late = [await join(a, event.id), await join(b, event.id)];
      expect(late.map((f) => f.position)).toEqual([13, 14]);

      // Admission resumes, strictly in place order.
      await patch(b, event.id, { admissionRatePerSecond: 5 });
      expect(Number(await client.hget(keys.config, 'version'))).toBe(versionBefore + 1);
      const expected = [first, ...waiting, ...late].map((f) => entryIdOf(f.queueToken));
      const last = waiting[waiting.length - 1]!;
      const countdown: number[] = [];
      await eventually(
        async () => {
          const admitted = new Set(await client.hkeys(keys.admissions));
          const prefix = expected.slice(0, admitted.size);
          expect(prefix.every((id) => admitted.has(id))).toBe(true);
          const s = await status(a, event.id, last.queueToken);
          if (s.state === 'waiting') countdown.push(s.aheadOfYou ?? -1);
          return admitted.size === expected.length ? true : undefined;
        },
        30_000,
        50,
      );
      expect(countdown[0]).toBe(waiting.length - 1);
      expect(countdown.every((n, i) => i === 0 || n <= (countdown[i - 1] ?? n))).toBe(true);
      expect(countdown[countdown.length - 1]).toBeLessThan(countdown[0] ?? 0);
      expect((await status(a, event.id, last.queueToken)).state).toBe('admitted');

      // One admission per place: every admission given since the loss is still live.
      expect(await client.zcard(keys.active)).toBe(expected.length);
      // The leader holds a new lease, not the one from before the loss.
      const leaseAfter = await client.get(keys.lease);
      expect(leaseAfter).not.toBeNull();
      expect(leaseAfter).not.toBe(leaseBefore);

      const codes = await watcher.stop();
      watcher = undefined;
      expect([...codes.keys()]).toEqual([200]);
      expect(codes.get(200)).toBeGreaterThan(10);
      const metrics = (await b.inject('/metrics')).body;
      expect(metrics).toMatch(/waiting_room_places_returned_total\{[^}]*\} [1-9]/);
      expect(metrics).toMatch(/waiting_room_stale_snapshot_refreshes_total\{[^}]*\} [1-9]/);
    } finally {
      await watcher?.stop();
      await Promise.all([a.close(), b.close()]);
    }
  }, 90_000);

  test('fans admitted just before the loss, who had not learnt it, keep their admissions, and the waiting ones their places: neither a poll in flight nor a late last-seen batch passes them over', async () => {
    const app = await replica('loss-unaware');
    const { cache, recorder } = app.waitingRoom;
    try {
      const event = await createTestEvent(app, { admissionRatePerSecond: 0 });
      const keys = waitingRoomKeys(event.id);
      const fans: Joined[] = [];
      for (let i = 0; i < 8; i += 1) fans.push(await join(app, event.id));
      for (const fan of fans)
        expect((await status(app, event.id, fan.queueToken)).state).toBe('waiting');

      await patch(app, event.id, { admissionRatePerSecond: 10 });
      await eventually(async () =>
        Number((await state(event.id)).admitted ?? 0) >= 3 ? true : undefined,
      );
      await patch(app, event.id, { admissionRatePerSecond: 0 });
      const admittedBefore = await settledAdmitted(event.id);
      expect(admittedBefore).toBeLessThan(fans.length);
      await eventually(() => (cache.get(event.id)?.front === admittedBefore ? true : undefined));

      // Every fan polled just before the loss (the first ones before their admission showed), and
      // the batch of their last-seen seconds is still buffered when Redis forgets everything.
      const version = Number(await client.hget(keys.config, 'version'));
      recorder.stop();
      for (const fan of fans) recorder.seen(event.id, fan.position ?? 0);
      cache.stop();
      await cache.refreshAll(); // none still in flight
      const givenBefore = await client.hgetall(keys.admissions);
      expect(Object.keys(givenBefore)).toHaveLength(admittedBefore);
      await raw.flushall();

      // A fan admission passed polls before this replica noticed the loss: Redis has no admission
      // for it, which is no proof it was passed over. It is asked to try again, not told it expired.
      const early = await app.inject({
        url: `/v1/events/${event.id}/queue/me`,
        headers: { authorization: `Bearer ${fans[0]!.queueToken}` },
      });
      expect(early.statusCode).toBe(503);
      expect(early.json<{ error: { code: string } }>().error.code).toBe('UNAVAILABLE');

      // The late batch lands in the emptied bitfield, then the state is put back.
      await recorder.flush();
      recorder.start();
      cache.start();
      await eventually(async () => {
        const s = await state(event.id);
        return s.seed && Number(s.front) === admittedBefore ? true : undefined;
      });
      await restoreFromLedger(client, event, { version, ticketsSold: 0 });
      await eventually(() => (cache.get(event.id)?.stale === false ? true : undefined));

      // The last fan polls first. The places before it are missing from the line: admission waits
      // for their fans (who poll within the grace) rather than let the last one overtake them.
      const last = fans[fans.length - 1]!;
      expect(await status(app, event.id, last.queueToken)).toMatchObject({
        state: 'waiting',
        position: last.position,
      });
      const { status: result, admitted: admittedNow } = await eventually(async () => {
        const lease = await client.get(keys.lease);
        if (!lease) return undefined;
        const answer = await waitingRoomCommands(client).wrAdmit(keys, {
          leaseValue: lease,
          wanted: 5,
          windowMs: 60_000,
          abandonAfterSeconds: 120,
          maxActive: 1_000,
          maxScanned: 100,
          returnGraceMs: LONGEST_POLL_AFTER_MS,
          admissionIds: ['adm_AAAAAAAAAAAAAAAAAAAAAA'],
        });
        return answer.status === 'fenced' ? undefined : answer;
      });
      expect([result, admittedNow]).toEqual(['ok', 0]);
      expect(await client.zrange(keys.line, 0, -1)).toEqual([entryIdOf(last.queueToken)]);

      // Every other fan is back: the ones this replica admitted before the loss (Redis forgot
      // their admissions before they learnt of them) with the very admission they were given, the
      // others at their place in line, and still so when they poll again.
      for (let round = 0; round < 2; round += 1) {
        for (const fan of fans.slice(0, -1).sort(() => Math.random() - 0.5)) {
          const entryId = entryIdOf(fan.queueToken);
          const answer = await status(app, event.id, fan.queueToken);
          const given = givenBefore[entryId];
          if (given) {
            expect(answer).toMatchObject({ state: 'admitted', position: fan.position });
            expect(Date.parse(answer.admission?.expiresAt ?? '')).toBe(Number(given.split(':')[1]));
          } else {
            expect(answer).toMatchObject({ state: 'waiting', position: fan.position });
          }
        }
      }
      for (const [entryId, admission] of Object.entries(givenBefore)) {
        expect(await client.hget(keys.admissions, entryId)).toBe(admission);
      }
      await patch(app, event.id, { admissionRatePerSecond: 10 });

      // Admission reaches every one of them, in place order.
      const order = fans.map((f) => entryIdOf(f.queueToken));
      const admissions = await eventually(
        async () => {
          const all = await client.hgetall(keys.admissions);
          return Object.keys(all).length === order.length ? all : undefined;
        },
        30_000,
        50,
      );
      const expiries = order.map((id) => Number(admissions[id]?.split(':')[1]));
      expect(expiries.every((at, i) => i === 0 || at >= (expiries[i - 1] ?? at))).toBe(true);
      // Each is told once this replica's snapshot has the front past it.
      for (const fan of fans) {
        await eventually(async () =>
          (await status(app, event.id, fan.queueToken)).state === 'admitted' ? true : undefined,
        );
      }
    } finally {
      await app.close();
    }
  }, 60_000);

  test('early arrivals come back into the pre-queue, keep the commitment, and after the shuffle keep their shuffled places', async () => {
    const app = await replica('loss-pre');
    try {
      const event = await createTestEvent(app, {
        opensAt: new Date(Date.now() + 3_600_000).toISOString(),
        admissionRatePerSecond: 0,
      });
      const keys = waitingRoomKeys(event.id);
      const commitment = (await app.inject(`/v1/events/${event.id}`)).json<{
        shuffleCommitment: string;
      }>().shuffleCommitment;
      const early: Joined[] = [];
      for (let i = 0; i < 8; i += 1) early.push(await join(app, event.id));
      const gone = early.pop()!;
      expect(
        (
          await app.inject({
            method: 'DELETE',
            url: `/v1/events/${event.id}/queue/me`,
            headers: { authorization: `Bearer ${gone.queueToken}` },
          })
        ).statusCode,
      ).toBe(204);

      await raw.flushall();
      await eventually(async () => {
        const s = await state(event.id);
        return s.seed && Number(s.preSeq) === 8 ? true : undefined;
      });
      await restoreFromLedger(client, event, { version: 1, ticketsSold: 0 });
      await eventually(() =>
        app.waitingRoom.cache.get(event.id)?.stale === false ? true : undefined,
      );

      for (const fan of [...early].reverse()) {
        expect((await status(app, event.id, fan.queueToken)).state).toBe('prequeue');
      }
      // The one who left before the loss is not brought back.
      expect((await status(app, event.id, gone.queueToken)).state).toBe('expired');
      const pre = await client.zrange(keys.pre, 0, -1, 'WITHSCORES');
      expect(pre).toEqual(early.flatMap((f, i) => [entryIdOf(f.queueToken), String(i + 1)]));
      const view = (await app.inject(`/v1/events/${event.id}`)).json<{
        shuffleCommitment: string;
      }>();
      expect(view.shuffleCommitment).toBe(commitment);

      // Opening: the shuffle of the returned arrivals, verifiable against the same commitment.
      await patch(app, event.id, { opensAt: new Date(Date.now() - 1_000).toISOString() });
      const seed = await eventually(async () => {
        const v = (await app.inject(`/v1/events/${event.id}`)).json<{
          shuffleSeed: string | null;
        }>();
        return v.shuffleSeed ?? undefined;
      });
      const ids = early.map((f) => entryIdOf(f.queueToken));
      const order = shuffleOrder(seed, ids).map((index) => ids[index]);
      const places = new Map(order.map((id, place) => [id, place + 1]));
      for (const fan of early) {
        expect(await status(app, event.id, fan.queueToken)).toMatchObject({
          state: 'waiting',
          position: places.get(entryIdOf(fan.queueToken)),
        });
      }

      // Redis forgets again, after the shuffle: the places this replica resolved come back.
      await raw.flushall();
      await eventually(async () => ((await state(event.id)).shuffled === '1' ? true : undefined));
      await restoreFromLedger(client, event, { version: 2, ticketsSold: 0 });
      await eventually(() =>
        app.waitingRoom.cache.get(event.id)?.stale === false ? true : undefined,
      );
      for (const fan of [...early].reverse()) {
        expect(await status(app, event.id, fan.queueToken)).toMatchObject({
          state: 'waiting',
          position: places.get(entryIdOf(fan.queueToken)),
        });
      }
      expect(await client.zrange(keys.line, 0, -1)).toEqual(order);
      expect((await join(app, event.id)).position).toBe(early.length + 1);
      const admin = await app.inject({ url: `/v1/admin/events/${event.id}`, headers: ops });
      expect(admin.statusCode).toBe(200);
    } finally {
      await app.close();
    }
  }, 60_000);
});
