import { challengeInput, meetsDifficulty } from '@frequency/contracts';
import { sha256Utf8, solveChallengeNode } from '@frequency/contracts/pow-node';
import type { HttpApp } from '@frequency/observability';
import { describe, expect, test, type TestRedis } from '@frequency/testing';
import { waitingRoomKeys } from '../src/redis/keys.js';
import { createTestEvent, eventually, ops, startApp } from './helpers.js';

/** Low difficulty keeps the suite fast; the rules do not depend on the number. */
const BITS = 10;

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

/** A waiting room listening on a free port, reached over real HTTP like a fan's browser would. */
async function listening(redis: TestRedis, overrides: Record<string, string> = {}) {
  const app = await startApp(redis, overrides);
  const address = await app.listen({ host: '127.0.0.1', port: 0 });
  const send = async (
    method: string,
    path: string,
    options: { json?: unknown; raw?: string; headers?: Record<string, string> } = {},
  ): Promise<Answer> => {
    const headers: Record<string, string> = { ...options.headers };
    let body: string | undefined = options.raw;
    if (options.json !== undefined) body = JSON.stringify(options.json);
    if (body !== undefined) headers['content-type'] ??= 'application/json';
    const response = await fetch(`${address}${path}`, { method, headers, body });
    const text = await response.text();
    return {
      status: response.status,
      body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>),
    };
  };
  return { app, send };
}

type Send = Awaited<ReturnType<typeof listening>>['send'];

const codeOf = (answer: Answer) => (answer.body.error as { code?: string } | undefined)?.code;

async function challengeFor(send: Send, eventId: string) {
  const answer = await send('POST', `/v1/events/${eventId}/challenge`);
  expect(answer.status).toBe(201);
  return answer.body as { challenge: string; bits: number; expiresAt: string };
}

function solve(challenge: string, bits: number): string {
  const solution = solveChallengeNode(challenge, bits);
  if (!solution) throw new Error('no solution');
  return solution.nonce;
}

/** A nonce that does not meet the difficulty (and, for `atLeast`, still has that many zero bits). */
function wrongNonce(challenge: string, bits: number, atLeast = 0): string {
  for (let i = 0; ; i += 1) {
    const digest = sha256Utf8(challengeInput(challenge, String(i)));
    if (!meetsDifficulty(digest, bits) && meetsDifficulty(digest, atLeast)) return String(i);
  }
}

const join = (send: Send, eventId: string, json?: unknown, headers?: Record<string, string>) =>
  send('POST', `/v1/events/${eventId}/queue`, { json, ...(headers ? { headers } : {}) });

async function close(app: HttpApp) {
  await app.close();
}

describe('join challenge (proof of work)', () => {
  test('a join needs a solved, unused challenge of this event while the event asks for one', async ({
    redis,
  }) => {
    const { app, send } = await listening(redis);
    try {
      const event = await createTestEvent(app, { joinChallengeBits: BITS });
      const other = await createTestEvent(app, { joinChallengeBits: BITS });

      const view = await send('GET', `/v1/events/${event.id}`);
      expect(view.body.joinChallengeBits).toBe(BITS);

      // No solution at all: no body, an empty body, {}.
      for (const answer of [
        await join(send, event.id),
        await send('POST', `/v1/events/${event.id}/queue`, { raw: '' }),
        await join(send, event.id, {}),
      ]) {
        expect(answer.status).toBe(403);
        expect(codeOf(answer)).toBe('CHALLENGE_FAILED');
      }

      // A wrong nonce fails, and burns the challenge: the right one afterwards fails too.
      const burnt = await challengeFor(send, event.id);
      expect(burnt.bits).toBe(BITS);
      expect(Date.parse(burnt.expiresAt)).toBeGreaterThan(Date.now());
      const wrong = await join(send, event.id, {
        challenge: burnt.challenge,
        nonce: wrongNonce(burnt.challenge, BITS),
      });
      expect([wrong.status, codeOf(wrong)]).toEqual([403, 'CHALLENGE_FAILED']);
      const late = await join(send, event.id, {
        challenge: burnt.challenge,
        nonce: solve(burnt.challenge, BITS),
      });
      expect([late.status, codeOf(late)]).toEqual([403, 'CHALLENGE_FAILED']);

      // Solved: a place. The same solution again: refused, and no second place was given.
      const issued = await challengeFor(send, event.id);
      const solution = { challenge: issued.challenge, nonce: solve(issued.challenge, BITS) };
      const joined = await join(send, event.id, solution);
      expect(joined.status).toBe(201);
      expect(joined.body).toMatchObject({ state: 'waiting', position: 1 });
      const again = await join(send, event.id, solution);
      expect([again.status, codeOf(again)]).toEqual([403, 'CHALLENGE_FAILED']);
      expect(await redis.client.hget(waitingRoomKeys(event.id).state, 'seq')).toBe('1');

      // A rejoin with the queue token needs no new challenge.
      const rejoin = await join(send, event.id, undefined, {
        authorization: `Bearer ${String(joined.body.queueToken)}`,
      });
      expect(rejoin.status).toBe(200);
      expect(rejoin.body).toMatchObject({ queueToken: joined.body.queueToken, position: 1 });

      // A challenge of another event, solved, does not open this one (and stays usable there).
      const foreign = await challengeFor(send, other.id);
      const foreignSolution = {
        challenge: foreign.challenge,
        nonce: solve(foreign.challenge, BITS),
      };
      const crossed = await join(send, event.id, foreignSolution);
      expect([crossed.status, codeOf(crossed)]).toEqual([403, 'CHALLENGE_FAILED']);
      expect((await join(send, other.id, foreignSolution)).status).toBe(201);

      // Made-up challenges: well-formed but never issued, and not of the issued shape.
      for (const challenge of ['ch_AAAAAAAAAAAAAAAAAAAAAA', 'x', '../../config', '{other}']) {
        const forged = await join(send, event.id, { challenge, nonce: solve(challenge, BITS) });
        expect([forged.status, codeOf(forged)], challenge).toEqual([403, 'CHALLENGE_FAILED']);
      }

      // Unknown event.
      const unknown = await send('POST', '/v1/events/no-such-event/challenge');
      expect([unknown.status, codeOf(unknown)]).toEqual([404, 'NOT_FOUND']);
    } finally {
      await close(app);
    }
  });

  test('a join body is empty, {} or exactly { challenge, nonce }: anything else is 422', async ({
    redis,
  }) => {
    const { app, send } = await listening(redis);
    try {
      for (const bits of [0, BITS]) {
        const event = await createTestEvent(app, { joinChallengeBits: bits });
        const issued = await challengeFor(send, event.id);
        for (const raw of [
          '[]',
          '[{"challenge":"ch_x","nonce":"1"}]',
          '"text"',
          '42',
          'null',
          JSON.stringify({ challenge: issued.challenge, nonce: '1', extra: true }),
          JSON.stringify({ extra: true }),
          JSON.stringify({ challenge: issued.challenge }),
          JSON.stringify({ nonce: '1' }),
          JSON.stringify({ challenge: issued.challenge, nonce: 1 }),
          JSON.stringify({ challenge: 7, nonce: '1' }),
          JSON.stringify({ challenge: issued.challenge, nonce: 'x'.repeat(65) }),
        ]) {
          const answer = await send('POST', `/v1/events/${event.id}/queue`, { raw });
          expect([answer.status, codeOf(answer)], `${bits} bits: ${raw}`).toEqual([
            422,
            'VALIDATION_FAILED',
          ]);
        }
        const malformed = await send('POST', `/v1/events/${event.id}/queue`, { raw: '{"a":' });
        expect([malformed.status, codeOf(malformed)]).toEqual([400, 'MALFORMED_REQUEST']);
        const poisoned = await send('POST', `/v1/events/${event.id}/queue`, {
          raw: '{"__proto__":{"x":1}}',
        });
        expect(poisoned.status).toBeGreaterThanOrEqual(400);
        expect(poisoned.status).toBeLessThan(500);
        expect(await redis.client.hget(waitingRoomKeys(event.id).state, 'seq')).toBe('0');
      }
    } finally {
      await close(app);
    }
  });

  test('with bits 0 the challenge is off: joins need no body, POST challenge still answers', async ({
    redis,
  }) => {
    const { app, send } = await listening(redis);
    try {
      const event = await createTestEvent(app);
      expect((await send('GET', `/v1/events/${event.id}`)).body.joinChallengeBits).toBe(0);
      expect((await join(send, event.id)).status).toBe(201);
      // An empty body sent as JSON, as a fetch wrapper or k6 may send it.
      expect((await send('POST', `/v1/events/${event.id}/queue`, { raw: '' })).status).toBe(201);
      expect((await join(send, event.id, {})).status).toBe(201);
      const issued = await challengeFor(send, event.id);
      expect(issued.bits).toBe(0);
      expect(issued.challenge).toMatch(/^ch_[A-Za-z0-9_-]{22}$/);
      // Nothing is kept for a challenge nobody has to solve.
      expect(await redis.client.exists(waitingRoomKeys(event.id).challenge(issued.challenge))).toBe(
        0,
      );
    } finally {
      await close(app);
    }
  });

  test('an expired challenge is refused', async ({ redis }) => {
    const { app, send } = await listening(redis, { JOIN_CHALLENGE_TTL_SECONDS: '1' });
    try {
      const event = await createTestEvent(app, { joinChallengeBits: BITS });
      const issued = await challengeFor(send, event.id);
      const nonce = solve(issued.challenge, BITS);
      const key = waitingRoomKeys(event.id).challenge(issued.challenge);
      await eventually(async () => ((await redis.client.exists(key)) === 0 ? true : undefined));
      const answer = await join(send, event.id, { challenge: issued.challenge, nonce });
      expect([answer.status, codeOf(answer)]).toEqual([403, 'CHALLENGE_FAILED']);
    } finally {
      await close(app);
    }
  });

  test('a PATCH of the difficulty reaches joins on every replica; a challenge keeps the bits it was issued with', async ({
    redis,
  }) => {
    const { app, send } = await listening(redis);
    // A second replica on the same Redis: it learns of the PATCH only through its own snapshot.
    const other = await listening(redis);
    try {
      const event = await createTestEvent(app);
      expect((await join(send, event.id)).status).toBe(201);
      const patch = (joinChallengeBits: number) =>
        app.inject({
          method: 'PATCH',
          url: `/v1/admin/events/${event.id}`,
          headers: ops,
          payload: { joinChallengeBits },
        });

      expect((await patch(12)).statusCode).toBe(200);
      // Bounded wait, no timing assertion: the next plain join is refused once the snapshot has it.
      await eventually(async () =>
        (await join(send, event.id)).status === 403 ? true : undefined,
      );
      await eventually(async () =>
        (await join(other.send, event.id)).status === 403 ? true : undefined,
      );
      const hard = await challengeFor(send, event.id);
      expect(hard.bits).toBe(12);
      // Issued by one replica, redeemed at another: the challenge lives in Redis, not in a process.
      const elsewhere = await challengeFor(send, event.id);
      const redeemed = await join(other.send, event.id, {
        challenge: elsewhere.challenge,
        nonce: solve(elsewhere.challenge, 12),
      });
      expect(redeemed.status).toBe(201);

      // Lowered while a fan holds a 12-bit challenge: the new difficulty does not make that
      // challenge easier, and new challenges come at the new difficulty.
      expect((await patch(1)).statusCode).toBe(200);
      await eventually(async () =>
        (await challengeFor(send, event.id)).bits === 1 ? true : undefined,
      );
      const easy = await join(send, event.id, {
        challenge: hard.challenge,
        nonce: wrongNonce(hard.challenge, 12, 1),
      });
      expect([easy.status, codeOf(easy)]).toEqual([403, 'CHALLENGE_FAILED']);
      const fresh = await challengeFor(send, event.id);
      expect(
        (
          await join(send, event.id, {
            challenge: fresh.challenge,
            nonce: solve(fresh.challenge, 1),
          })
        ).status,
      ).toBe(201);

      // Off again: plain joins work.
      expect((await patch(0)).statusCode).toBe(200);
      await eventually(async () =>
        (await join(send, event.id)).status === 201 ? true : undefined,
      );
    } finally {
      await close(app);
      await close(other.app);
    }
  });

  test('asking for challenges spends the client’s join budget; redeeming one does not again', async ({
    redis,
  }) => {
    const { app, send } = await listening(redis, {
      JOIN_RATE_LIMIT_MAX: '3',
      JOIN_RATE_LIMIT_WINDOW_SECONDS: '60',
    });
    try {
      const event = await createTestEvent(app, { joinChallengeBits: BITS });
      const issued: { challenge: string }[] = [];
      for (let i = 0; i < 3; i += 1) issued.push(await challengeFor(send, event.id));
      const flood = await send('POST', `/v1/events/${event.id}/challenge`);
      expect([flood.status, codeOf(flood)]).toEqual([429, 'RATE_LIMITED']);
      const keys = waitingRoomKeys(event.id);
      const stored = () =>
        Promise.all(issued.map(({ challenge }) => redis.client.exists(keys.challenge(challenge))));
      expect(await stored()).toEqual([1, 1, 1]);
      for (const { challenge } of issued) {
        const answer = await join(send, event.id, { challenge, nonce: solve(challenge, BITS) });
        expect(answer.status).toBe(201);
      }
      expect(await stored()).toEqual([0, 0, 0]);
    } finally {
      await close(app);
    }
  });
});
