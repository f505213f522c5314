import { newId } from '@frequency/contracts';
import { describe, expect, test } from '@frequency/testing';
import { createEvent } from '../src/events/event-store.js';
import { joinParams } from '../src/queue/join-script.js';
import { waitingRoomCommands } from '../src/redis/commands.js';
import { LEFT_MARKER, waitingRoomKeys } from '../src/redis/keys.js';
import { eventBody } from './helpers.js';

/**
 * The admission script takes places in batches of a thousand: across batch boundaries it must still
 * take the line strictly in place order, pass over fans who left or went silent, count each exactly
 * once and give the admission ids in order.
 */
describe('admission across batches', () => {
  test('2,600 in line, some left, some silent: two ticks admit in place order and count each once', async ({
    redis,
  }) => {
    const client = redis.client;
    const commands = waitingRoomCommands(client);
    const body = eventBody({
      opensAt: new Date(Date.now() - 1_000).toISOString(),
      ticketsTotal: 100_000,
    });
    await createEvent(client, body, { checkoutWindowSeconds: 60 });
    const keys = waitingRoomKeys(body.id);
    const nowSec = Math.floor(Date.now() / 1000);
    const ids = Array.from({ length: 2_600 }, () => newId('queueEntry'));
    const pipeline = client.pipeline();
    for (const id of ids) {
      commands.wrJoin.inPipeline(
        pipeline,
        ...joinParams({
          eventId: body.id,
          entryId: id,
          client: 't',
          proof: null,
          rateLimit: 0,
          rateWindowMs: 1_000,
          prequeueWindowMs: 0,
        }),
      );
    }
    await pipeline.exec();
    // Every 7th place left (as the leave script marks it), every 11th went silent long ago.
    const left = new Set<number>();
    const silent = new Set<number>();
    for (let place = 1; place <= ids.length; place += 1) {
      if (place % 7 === 0) left.add(place);
      else if (place % 11 === 0) silent.add(place);
    }
    for (const place of left) {
      await client.bitfield(keys.seen, 'SET', 'u32', `#${place}`, LEFT_MARKER);
    }
    for (const place of silent) {
      await client.bitfield(keys.seen, 'SET', 'u32', `#${place}`, nowSec - 3_600);
    }
    await client.hset(keys.state, 'leftPending', left.size);
    const lease =
      (await commands.wrLease(keys, {
        instanceId: 'test',
        ttlMs: 60_000,
        held: '',
        highestFence: 0,
      })) ?? '';

    const admit = async (wanted: number) => {
      const jtis = Array.from({ length: wanted }, () => newId('admission'));
      const answer = await commands.wrAdmit(keys, {
        leaseValue: lease,
        wanted,
        windowMs: 60_000,
        abandonAfterSeconds: 120,
        maxActive: 100_000,
        maxScanned: 10_000,
        returnGraceMs: 0,
        admissionIds: jtis,
      });
      return { answer, jtis };
    };
    const present = ids.filter((_, i) => !left.has(i + 1) && !silent.has(i + 1));

    const first = await admit(1_500);
    const {
      status,
      admitted,
      left: passedLeft,
      abandoned: passedSilent,
      front,
      members,
    } = first.answer;
    expect(status).toBe('ok');
    expect(admitted).toBe(1_500);
    expect(members).toEqual(present.slice(0, 1_500));
    // The front is the place of the 1,500th admitted fan; everyone before it was passed once.
    const frontPlace = ids.indexOf(present[1_499] ?? '') + 1;
    expect(front).toBe(frontPlace);
    const before = (set: Set<number>) => [...set].filter((place) => place <= frontPlace).length;
    expect([passedLeft, passedSilent]).toEqual([before(left), before(silent)]);
    // Each admitted fan holds the admission id given for its turn.
    const stored = await client.hmget(keys.admissions, ...present.slice(0, 3));
    expect(stored.map((value) => value?.split(':')[0])).toEqual(first.jtis.slice(0, 3));

    const second = await admit(5_000);
    const {
      admitted: admittedAgain,
      left: leftAgain,
      abandoned: silentAgain,
      front: lastFront,
      members: rest,
    } = second.answer;
    expect(admittedAgain).toBe(present.length - 1_500);
    expect(rest).toEqual(present.slice(1_500));
    expect(lastFront).toBe(ids.length);
    expect(passedLeft + leftAgain).toBe(left.size);
    expect(passedSilent + silentAgain).toBe(silent.size);
    expect(await client.zcard(keys.line)).toBe(0);
    expect(await client.hlen(keys.admissions)).toBe(present.length);
    expect(await client.zcard(keys.active)).toBe(present.length);
    expect(
      await client.hmget(
        keys.state,
        'front',
        'admitted',
        'skippedLeft',
        'skippedAbandoned',
        'leftPending',
      ),
    ).toEqual([
      String(ids.length),
      String(present.length),
      String(left.size),
      String(silent.size),
      '0',
    ]);
  });
});
