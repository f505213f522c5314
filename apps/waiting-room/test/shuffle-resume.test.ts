import { newId } from '@frequency/contracts';
import { describe, expect, test } from '@frequency/testing';
import { runShuffle } from '../src/admission/run-shuffle.js';
import { createEvent, patchEvent } from '../src/events/event-store.js';
import { shuffleOrder } from '../src/queue/shuffle-order.js';
import { waitingRoomKeys } from '../src/redis/keys.js';
import { defineScripts } from '../src/redis/scripts.js';
import { eventBody } from './helpers.js';

describe('shuffle at opening', () => {
  test('a new leader resumes a half-written shuffle with the same order; the old one is fenced', async ({
    redis,
  }) => {
    const client = defineScripts(redis.client);
    const body = eventBody({ opensAt: new Date(Date.now() + 3_600_000).toISOString() });
    await createEvent(client, body, { checkoutWindowSeconds: 60 });
    const keys = waitingRoomKeys(body.id);
    const ids = Array.from({ length: 23 }, () => newId('queueEntry'));
    for (const id of ids) {
      await client.wrJoin(
        keys.config,
        keys.state,
        keys.pre,
        keys.line,
        keys.seen,
        keys.preSeen,
        keys.stock,
        keys.rateLimit('t'),
        keys.challenge(''),
        id,
        0,
        1000,
        86_400_000,
        '',
      );
    }
    await patchEvent(client, body.id, { opensAt: new Date(Date.now() - 1_000).toISOString() });
    // A join after opening seals the pre-queue and queues behind it.
    const late = newId('queueEntry');
    const [state, place] = await client.wrJoin(
      keys.config,
      keys.state,
      keys.pre,
      keys.line,
      keys.seen,
      keys.preSeen,
      keys.stock,
      keys.rateLimit('t'),
      keys.challenge(''),
      late,
      0,
      1000,
      86_400_000,
      '',
    );
    expect([state, place]).toEqual(['waiting', 24]);

    const first = await client.wrLease(keys.lease, keys.fence, 'first', 60_000, '');
    // The first leader writes one chunk of 5, then dies; its lease is gone.
    const seed = await client.hget(keys.state, 'seed');
    const order = shuffleOrder(seed!, await client.zrange(keys.pre, 0, -1));
    const preIds = await client.zrange(keys.pre, 0, -1, 'WITHSCORES');
    const arrival = new Map<string, string>();
    for (let i = 0; i < preIds.length; i += 2) arrival.set(preIds[i]!, preIds[i + 1]!);
    const members = preIds.filter((_, i) => i % 2 === 0);
    const chunk = order
      .slice(0, 5)
      .flatMap((index, place) => [members[index]!, place + 1, arrival.get(members[index]!)!]);
    const [status] = await client.wrShuffleChunk(
      keys.lease,
      keys.fence,
      keys.state,
      keys.line,
      keys.seen,
      keys.preSeen,
      keys.pre,
      first!,
      0,
      ...chunk,
    );
    expect(status).toBe('ok');
    expect(await client.hget(keys.state, 'shuffleNext')).toBe('5');
    await client.del(keys.lease);

    const second = await client.wrLease(keys.lease, keys.fence, 'second', 60_000, '');
    expect(await runShuffle(client, keys, second!, { writeChunk: 4 })).toBe(true);
    // The first leader's late writes change nothing.
    const [stale] = await client.wrShuffleChunk(
      keys.lease,
      keys.fence,
      keys.state,
      keys.line,
      keys.seen,
      keys.preSeen,
      keys.pre,
      first!,
      5,
      ...chunk,
    );
    expect(stale).toBe('fenced');

    const line = await client.zrange(keys.line, 0, -1, 'WITHSCORES');
    const expected = order.map((index) => members[index]!);
    expect(line.filter((_, i) => i % 2 === 0)).toEqual([...expected, late]);
    expect(line.filter((_, i) => i % 2 === 1).map(Number)).toEqual(
      Array.from({ length: 24 }, (_, i) => i + 1),
    );
    expect(await client.hget(keys.state, 'shuffled')).toBe('1');
    expect(await client.exists(keys.pre)).toBe(0);
    expect(new Set(ids)).toEqual(new Set(expected));
  });
});
