import { newId } from '@frequency/contracts';
import { describe, expect, test } from '@frequency/testing';
import { runShuffle } from '../src/admission/run-shuffle.js';
import { createEvent, patchEvent } from '../src/events/event-store.js';
import { joinParams } from '../src/queue/join-script.js';
import { shuffleOrder } from '../src/queue/shuffle-order.js';
import { waitingRoomCommands } from '../src/redis/commands.js';
import { waitingRoomKeys } from '../src/redis/keys.js';
import { eventBody } from './helpers.js';

describe('shuffle at opening', () => {
  test('a new leader resumes a half-written shuffle with the same order; the old one is fenced', async ({
    redis,
  }) => {
    const client = redis.client;
    const commands = waitingRoomCommands(client);
    const join = (entryId: string) =>
      commands.wrJoin(
        ...joinParams({
          eventId: body.id,
          entryId,
          client: 't',
          proof: null,
          rateLimit: 0,
          rateWindowMs: 1000,
          prequeueWindowMs: 86_400_000,
        }),
      );
    const body = eventBody({ opensAt: new Date(Date.now() + 3_600_000).toISOString() });
    await createEvent(client, body, { checkoutWindowSeconds: 60 });
    const keys = waitingRoomKeys(body.id);
    const ids = Array.from({ length: 23 }, () => newId('queueEntry'));
    for (const id of ids) {
      await join(id);
    }
    await patchEvent(client, body.id, { opensAt: new Date(Date.now() - 1_000).toISOString() });
    // A join after opening seals the pre-queue and queues behind it.
    const late = newId('queueEntry');
    expect(await join(late)).toEqual({ outcome: 'waiting', value: 24 });

    const lease = (instanceId: string) =>
      commands.wrLease(keys, { instanceId, ttlMs: 60_000, held: '', highestFence: 0 });
    const first = await lease('first');
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
    const written = await commands.wrShuffleChunk(keys, {
      leaseValue: first!,
      start: 0,
      entries: chunk,
    });
    expect(written).toEqual({ status: 'ok', next: 5, done: false });
    expect(await client.hget(keys.state, 'shuffleNext')).toBe('5');
    await client.del(keys.lease);

    const second = await lease('second');
    expect(await runShuffle(client, keys, second!, { writeChunk: 4 })).toBe(true);
    // The first leader's late writes change nothing.
    const stale = await commands.wrShuffleChunk(keys, {
      leaseValue: first!,
      start: 5,
      entries: chunk,
    });
    expect(stale.status).toBe('fenced');

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
