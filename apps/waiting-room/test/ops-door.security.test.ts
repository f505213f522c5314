// The ops door over real HTTP: failed logins are limited per client (the connecting address; every
// client here binds its own 127.x source address, since all of 127.0.0.0/8 is local on Linux), logged
// without the token, counted; successful changes land in the audit trail with who, old and new.
import type { AuditEntry, AuditList } from '@frequency/contracts';
import { createLogger, type HttpApp } from '@frequency/observability';
import { afterAll, beforeAll, createTestRedis, describe, expect, test } from '@frequency/testing';
import { request as httpRequest } from 'node:http';
import { Writable } from 'node:stream';
import { waitingRoomKeys } from '../src/redis/keys.js';
import { eventBody, OPS_TOKEN, startApp } from './helpers.js';

const ALICE = 'alice-token-0123456789abcdef';
const BOB = 'bob-token-0123456789abcdef';
const AUDIT_CAP = 5;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

let testRedis: Awaited<ReturnType<typeof createTestRedis>>;
let app: HttpApp;
let port = 0;
const logLines: string[] = [];

/** One request from the source address `from`, over a fresh connection. */
function call(
  method: string,
  path: string,
  options: { from: string; token?: string; body?: unknown },
): Promise<Answer> {
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  const headers: Record<string, string> = {};
  if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`;
  if (payload !== undefined) headers['content-type'] = 'application/json';
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method, path, headers, localAddress: options.from, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown = text;
          try {
            body = JSON.parse(text);
          } catch {
            // not JSON (e.g. /metrics): keep the text
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

function errorCode(answer: Answer): unknown {
  const body = answer.body as { error?: { code?: unknown } } | null;
  return body?.error?.code;
}

async function audit(eventId: string, from = '127.0.10.1'): Promise<AuditEntry[]> {
  const answer = await call('GET', `/v1/admin/audit?event=${eventId}&limit=100`, {
    from,
    token: OPS_TOKEN,
  });
  expect(answer.status).toBe(200);
  return (answer.body as AuditList).entries;
}

async function metricsText(): Promise<string> {
  const answer = await call('GET', '/metrics', { from: '127.0.10.2' });
  return String(answer.body);
}

async function createEvent(token: string, from: string) {
  const body = eventBody({ admissionRatePerSecond: 3, maxActiveCheckouts: 100 });
  const answer = await call('POST', '/v1/admin/events', { from, token, body });
  expect(answer.status).toBe(201);
  return body;
}

describe('ops door', () => {
  beforeAll(async () => {
    testRedis = await createTestRedis();
    const logs = new Writable({
      write(chunk: Buffer, _encoding, callback) {
        logLines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
        callback();
      },
    });
    app = await startApp(
      testRedis,
      {
        OPS_TOKENS: `alice:${ALICE},bob:${BOB}`,
        OPS_AUDIT_MAX_ENTRIES: String(AUDIT_CAP),
        OPS_LOGIN_FAILURES_PER_MINUTE: '5',
      },
      createLogger({ service: 'waiting-room', level: 'warn', destination: logs }),
    );
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    if (!address || typeof address === 'string') throw new Error('no address');
    port = address.port;
  });

  afterAll(async () => {
    await app.close();
    await testRedis.cleanup();
  });

  test('five wrong tokens, then 429 with Retry-After for every attempt, the right token too', async () => {
    const from = '127.0.1.1';
    for (let i = 0; i < 5; i++) {
      const answer = await call('GET', '/v1/admin/audit', { from, token: `wrong-token-${i}` });
      expect(answer.status, `failure ${i + 1}`).toBe(401);
      expect(errorCode(answer)).toBe('UNAUTHORIZED');
    }
    for (const token of ['wrong-token-5', ALICE, OPS_TOKEN]) {
      const answer = await call('GET', '/v1/admin/audit', { from, token });
      expect(answer.status).toBe(429);
      expect(errorCode(answer)).toBe('RATE_LIMITED');
      const retryAfter = Number(answer.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
    }
    // A missing token is a failure like a wrong one.
    const none = await call('GET', '/v1/admin/audit', { from });
    expect(none.status).toBe(429);
  });

  test('the limit is per client: another address is not locked out', async () => {
    const locked = '127.0.2.1';
    for (let i = 0; i < 5; i++) await call('GET', '/v1/admin/audit', { from: locked, token: 'x' });
    expect((await call('GET', '/v1/admin/audit', { from: locked, token: ALICE })).status).toBe(429);

    const other = '127.0.2.2';
    expect((await call('GET', '/v1/admin/audit', { from: other, token: ALICE })).status).toBe(200);
    expect((await call('GET', '/v1/admin/audit', { from: other, token: 'y' })).status).toBe(401);
    expect((await call('GET', '/v1/admin/audit', { from: other, token: ALICE })).status).toBe(200);
  });

  test('a failure is logged with client and request id, never the token, and counted', async () => {
    const from = '127.0.3.1';
    const secretGuess = 'guess-that-must-not-be-logged-0123';
    const before = logLines.length;
    const answer = await call('GET', '/v1/admin/audit', { from, token: secretGuess });
    expect(answer.status).toBe(401);
    const requestId = (answer.body as { error: { requestId: string } }).error.requestId;
    const lines = logLines.slice(before);
    expect(lines.join('\n')).not.toContain(secretGuess);
    const failure = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((entry) => entry['msg'] === 'ops login failed');
    expect(failure).toMatchObject({ level: 'warn', clientIp: from, requestId, failures: 1 });
    expect(await metricsText()).toMatch(
      /^waiting_room_ops_login_failures_total\{[^}]*outcome="rejected"[^}]*\} [1-9]/m,
    );
  });

  test('every token has a name; OPS_TOKEN is "ops"', async () => {
    const created = await createEvent(OPS_TOKEN, '127.0.4.1');
    const [entry] = await audit(created.id);
    expect(entry?.actor).toBe('ops');
  });

  test('a create and a PATCH appear in the audit with who, when and old → new', async () => {
    const created = await createEvent(ALICE, '127.0.5.1');
    const patched = await call('PATCH', `/v1/admin/events/${created.id}`, {
      from: '127.0.5.2',
      token: BOB,
      body: { admissionRatePerSecond: 7, paused: true },
    });
    expect(patched.status).toBe(200);

    const [patch, create] = await audit(created.id);
    expect(patch).toMatchObject({ actor: 'bob', action: 'patch_event', eventId: created.id });
    expect(patch?.changes).toEqual(
      expect.arrayContaining([
        { field: 'admissionRatePerSecond', from: 3, to: 7 },
        { field: 'paused', from: false, to: true },
      ]),
    );
    expect(patch?.changes).toHaveLength(2);
    expect(Date.parse(patch?.at ?? '')).not.toBeNaN();
    expect(create).toMatchObject({ actor: 'alice', action: 'create_event', eventId: created.id });
    expect(create?.changes).toEqual(
      expect.arrayContaining([
        { field: 'admissionRatePerSecond', from: null, to: 3 },
        { field: 'ticketsTotal', from: null, to: created.ticketsTotal },
        { field: 'opensAt', from: null, to: new Date(created.opensAt).toISOString() },
      ]),
    );

    // Unfiltered, the newest entries of all events come first.
    const all = await call('GET', '/v1/admin/audit?limit=1', { from: '127.0.5.3', token: ALICE });
    expect((all.body as AuditList).entries.map((e) => e.id)).toEqual([patch?.id]);

    const metrics = await metricsText();
    expect(metrics).toMatch(
      /^waiting_room_ops_changes_total\{[^}]*actor="bob"[^}]*field="paused"[^}]*\} 1$/m,
    );
    expect(metrics).toMatch(
      /^waiting_room_ops_changes_total\{[^}]*actor="alice"[^}]*field="event"[^}]*\} 1$/m,
    );
  });

  test('a change to the same value is no change and is not audited', async () => {
    const created = await createEvent(ALICE, '127.0.6.1');
    const same = await call('PATCH', `/v1/admin/events/${created.id}`, {
      from: '127.0.6.1',
      token: ALICE,
      body: { admissionRatePerSecond: 3 },
    });
    expect(same.status).toBe(200);
    expect((await audit(created.id)).map((e) => e.action)).toEqual(['create_event']);
  });

  test('concurrent PATCHes chain: each old value is the previous entry’s new one', async () => {
    const created = await createEvent(ALICE, '127.0.7.1');
    const rates = [11, 12, 13, 14];
    const answers = await Promise.all(
      rates.map((rate, i) =>
        call('PATCH', `/v1/admin/events/${created.id}`, {
          from: `127.0.7.${10 + i}`,
          token: i % 2 === 0 ? ALICE : BOB,
          body: { admissionRatePerSecond: rate },
        }),
      ),
    );
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200]);
    // Four patches and the create: within the cap of five.
    const entries = (await audit(created.id)).reverse();
    expect(entries).toHaveLength(5);
    const rateChanges = entries.map((e) =>
      e.changes.find((c) => c.field === 'admissionRatePerSecond'),
    );
    for (let i = 1; i < rateChanges.length; i++) {
      expect(rateChanges[i]?.from).toBe(rateChanges[i - 1]?.to);
    }
    expect(
      rateChanges
        .slice(1)
        .map((c) => c?.to)
        .sort(),
    ).toEqual(rates);
  });

  test('the audit stream of an event is capped, keeping the newest entries', async () => {
    const created = await createEvent(ALICE, '127.0.8.1');
    for (let rate = 21; rate <= 28; rate++) {
      const answer = await call('PATCH', `/v1/admin/events/${created.id}`, {
        from: '127.0.8.1',
        token: BOB,
        body: { admissionRatePerSecond: rate },
      });
      expect(answer.status).toBe(200);
    }
    expect(await testRedis.client.xlen(waitingRoomKeys(created.id).audit)).toBe(AUDIT_CAP);
    const entries = await audit(created.id);
    expect(entries.map((e) => e.changes[0]?.to)).toEqual([28, 27, 26, 25, 24]);
  });

  test('the audit endpoint is behind the token and validates its query', async () => {
    expect((await call('GET', '/v1/admin/audit', { from: '127.0.9.1' })).status).toBe(401);
    const bad = await call('GET', '/v1/admin/audit?limit=0', { from: '127.0.9.2', token: ALICE });
    expect(bad.status).toBe(422);
    const extra = await call('GET', '/v1/admin/audit?limit=5&x=1', {
      from: '127.0.9.2',
      token: ALICE,
    });
    expect(extra.status).toBe(422);
    const docs = await call('GET', '/docs/json', { from: '127.0.9.3' });
    const paths = (docs.body as { paths: Record<string, Record<string, unknown>> }).paths;
    expect(Object.keys(paths['/v1/admin/audit'] ?? {})).toContain('get');
  });
});
