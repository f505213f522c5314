import { createHash } from 'node:crypto';
import { describe, expect, test } from '@frequency/testing';
import { shuffleOrder } from '../src/queue/shuffle-order.js';
import { waitingRoomKeys } from '../src/redis/keys.js';
import { createTestEvent, eventually, join, type Joined, startApp, status } from './helpers.js';
import { decodeJwt } from 'jose';

interface EventJson {
  phase: string;
  shuffleCommitment: string | null;
  shuffleSeed: string | null;
  waiting: number;
}

function entryIdOf(queueToken: string): string {
  return decodeJwt(queueToken).sub ?? '';
}

describe('pre-queue', () => {
  test('early arrivals get no place, then a verifiable random order ahead of later arrivals', async ({
    redis,
  }) => {
    const app = await startApp(redis);
    try {
      const event = await createTestEvent(app, {
        opensAt: new Date(Date.now() + 1_500).toISOString(),
      });
      const before = (await app.inject({ url: `/v1/events/${event.id}` })).json<EventJson>();
      expect(before.phase).toBe('prequeue');
      expect(before.shuffleCommitment).toMatch(/^[0-9a-f]{64}$/);
      expect(before.shuffleSeed).toBeNull();

      const early: Joined[] = [];
      for (let i = 0; i < 30; i += 1) early.push(await join(app, event.id));
      expect(early.every((f) => f.state === 'prequeue' && f.position === null)).toBe(true);
      expect((await status(app, event.id, early[0]!.queueToken)).state).toBe('prequeue');

      const opened = await eventually(async () => {
        const view = (await app.inject({ url: `/v1/events/${event.id}` })).json<EventJson>();
        return view.shuffleSeed ? view : undefined;
      });
      expect(
        createHash('sha256').update(Buffer.from(opened.shuffleSeed!, 'hex')).digest('hex'),
      ).toBe(before.shuffleCommitment);
      const late = await join(app, event.id);
      expect(late).toMatchObject({ state: 'waiting', position: 31 });

      // Anyone with the seed and the entry ids recomputes every place.
      const ids = early.map((f) => entryIdOf(f.queueToken));
      const order = shuffleOrder(opened.shuffleSeed!, ids);
      const expected = new Map(order.map((index, place) => [ids[index], place + 1]));
      const positions = await Promise.all(early.map((f) => status(app, event.id, f.queueToken)));
      positions.forEach((s, i) => {
        expect(s.state).toBe('waiting');
        expect(s.position).toBe(expected.get(ids[i]));
      });
      const line = await redis.client.zrange(waitingRoomKeys(event.id).line, 0, -1);
      expect(line.slice(0, 30)).toEqual(order.map((index) => ids[index]));
      expect(line[30]).toBe(entryIdOf(late.queueToken));
    } finally {
      await app.close();
    }
  });

  test('a fan who leaves the pre-queue gets no place', async ({ redis }) => {
    const app = await startApp(redis);
    try {
      const event = await createTestEvent(app, {
        opensAt: new Date(Date.now() + 60_000).toISOString(),
      });
      const fan = await join(app, event.id);
      const left = await app.inject({
        method: 'DELETE',
        url: `/v1/events/${event.id}/queue/me`,
        headers: { authorization: `Bearer ${fan.queueToken}` },
      });
      expect(left.statusCode).toBe(204);
      expect(await redis.client.zcard(waitingRoomKeys(event.id).pre)).toBe(0);
    } finally {
      await app.close();
    }
  });
});
