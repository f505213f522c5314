import { newId } from '@frequency/contracts';
import { describe, expect, test } from '@frequency/testing';
import type { RedisClient } from '@frequency/config/redis';
import { runShuffle } from '../src/admission/run-shuffle.js';
import { createEvent, patchEvent } from '../src/events/event-store.js';
import { joinParams } from '../src/queue/join-script.js';
import { waitingRoomCommands } from '../src/redis/commands.js';
import { waitingRoomKeys } from '../src/redis/keys.js';
import { eventBody } from './helpers.js';

/** Chi-square critical value, 23 degrees of freedom (4! orders), p = 1e-6. */
const CHI2_DF23_P1E6 = 70.55;

/** One small event through the real scripts: four early arrivals, opening, the leader's shuffle. */
async function shuffleFour(redis: RedisClient): Promise<string> {
  const body = eventBody({
    opensAt: new Date(Date.now() + 3_600_000).toISOString(),
    ticketsTotal: 10,
  });
  await createEvent(redis, body, { checkoutWindowSeconds: 60 });
  const keys = waitingRoomKeys(body.id);
  const commands = waitingRoomCommands(redis);
  const ids = ['a', 'b', 'c', 'd'].map((label) => ({ label, id: newId('queueEntry') }));
  for (const { id } of ids) {
    const { outcome } = await commands.wrJoin(
      ...joinParams({
        eventId: body.id,
        entryId: id,
        client: 't',
        proof: null,
        rateLimit: 0,
        rateWindowMs: 1000,
        prequeueWindowMs: 86_400_000,
      }),
    );
    expect(outcome).toBe('prequeue');
  }
  await patchEvent(redis, body.id, { opensAt: new Date(Date.now() - 1_000).toISOString() });
  expect(await commands.wrSeal(keys)).toBe(true);
  const lease = await commands.wrLease(keys, {
    instanceId: 'test',
    ttlMs: 60_000,
    held: '',
    highestFence: 0,
  });
  expect(await runShuffle(redis, keys, lease ?? '')).toBe(true);
  const line = await redis.zrange(keys.line, 0, -1);
  return line.map((id) => ids.find((entry) => entry.id === id)?.label ?? '?').join('');
}

describe('pre-queue shuffle through Redis', () => {
  test('every order of four early arrivals is equally likely (chi-square, p = 1e-6)', async ({
    redis,
  }) => {
    const client = redis.client;
    const trials = 24 * 20;
    const counts = new Map<string, number>();
    for (let done = 0; done < trials; done += 40) {
      const orders = await Promise.all(Array.from({ length: 40 }, () => shuffleFour(client)));
      for (const order of orders) counts.set(order, (counts.get(order) ?? 0) + 1);
    }
    expect([...counts.keys()].every((order) => /^[abcd]{4}$/.test(order))).toBe(true);
    const expected = trials / 24;
    let chi2 = (24 - counts.size) * expected;
    for (const observed of counts.values()) chi2 += (observed - expected) ** 2 / expected;
    expect(chi2).toBeLessThan(CHI2_DF23_P1E6);
  });
});
