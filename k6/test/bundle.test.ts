// Builds the k6 scripts as shipped (plain ES modules importing only k6's modules), then builds them
// once more with k6's modules replaced by stubs so Node can evaluate the script: its exported
// `options` and a simulated sale against a fake stack.
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Plugin } from 'esbuild';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { leadingZeroBits } from '@frequency/contracts/pow';
import { buildOptions, readSettings } from '../lib/lifecycle.ts';
import { bundle } from '../scripts/bundle.ts';

interface StubRequest {
  method: string;
  url: string;
  body: string | null;
  headers: Record<string, string>;
  tags: Record<string, string>;
  at: number;
}

interface StubResponse {
  status: number;
  body: string | null;
}

interface K6Stub {
  scenario: string;
  request: (request: StubRequest) => StubResponse;
  metrics: { name: string; value: boolean }[];
}

declare global {
  var __ENV: Record<string, string>;
  var __k6Stub: K6Stub;
  var __k6Sha256: (input: string) => ArrayBuffer;
}

// k6/crypto's sha256(input, 'binary') answers an ArrayBuffer of the UTF-8 input's digest.
globalThis.__k6Sha256 = (input) => {
  const digest = createHash('sha256').update(input, 'utf8').digest();
  return digest.buffer.slice(digest.byteOffset, digest.byteOffset + digest.byteLength);
};

const STUBS: Record<string, string> = {
  'k6/http': `
    function send(method, url, body, params) {
      const p = params || {};
      return globalThis.__k6Stub.request({
        method, url, body: body === undefined ? null : body,
        headers: p.headers || {}, tags: p.tags || {}, at: Date.now(),
      });
    }
    export default {
      setResponseCallback() {},
      expectedStatuses() { return {}; },
      get: (url, params) => send('GET', url, null, params),
      post: (url, body, params) => send('POST', url, body, params),
      patch: (url, body, params) => send('PATCH', url, body, params),
    };`,
  'k6/metrics': `
    export class Rate {
      constructor(name) { this.name = name; }
      add(value) { globalThis.__k6Stub.metrics.push({ name: this.name, value }); }
    }`,
  'k6/crypto': `
    export default {
      sha256(input, encoding) {
        if (encoding !== 'binary') throw new Error('the script asks for ' + encoding);
        return globalThis.__k6Sha256(input);
      },
    };`,
  'k6/execution': `
    export default {
      get scenario() { return { name: globalThis.__k6Stub.scenario }; },
      get vu() { return { idInTest: 7 }; },
    };`,
};

const stubK6: Plugin = {
  name: 'stub-k6',
  setup(build) {
    build.onResolve({ filter: /^k6(\/.*)?$/ }, (args) => ({
      path: args.path,
      namespace: 'k6-stub',
    }));
    build.onLoad({ filter: /.*/, namespace: 'k6-stub' }, (args) => {
      const contents = STUBS[args.path];
      if (contents === undefined) throw new Error(`no stub for ${args.path}: add one to the test`);
      return { contents, loader: 'js' };
    });
  },
};

let workDir = '';
let shippedDir = '';
let stubbedDir = '';
let copies = 0;

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'k6-bundle-'));
  shippedDir = join(workDir, 'shipped');
  stubbedDir = join(workDir, 'stubbed');
  await bundle({ outdir: shippedDir });
  await bundle({ outdir: stubbedDir, plugins: [stubK6], external: [] });
});

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

interface SetupData {
  eventId: string;
  joinChallengeBits: number;
}

interface ScriptModule {
  options: unknown;
  setup: () => SetupData;
  default: (data: SetupData) => void;
}

function isScriptModule(value: unknown): value is ScriptModule {
  if (typeof value !== 'object' || value === null) return false;
  return (
    'options' in value &&
    'setup' in value &&
    'default' in value &&
    typeof value.default === 'function'
  );
}

/** A fresh copy per load: the script keeps per-VU state at module level, as k6 does per VU. */
async function loadScript(env: Record<string, string>, stub: K6Stub): Promise<ScriptModule> {
  globalThis.__ENV = env;
  globalThis.__k6Stub = stub;
  copies += 1;
  const copy = join(stubbedDir, `sale-lifecycle-${copies}.js`);
  copyFileSync(join(stubbedDir, 'sale-lifecycle.js'), copy);
  const loaded: unknown = await import(pathToFileURL(copy).href);
  if (!isScriptModule(loaded))
    throw new Error('the script does not export options, setup and default');
  return loaded;
}

describe('shipped bundle', () => {
  it('has one plain ES module per script that imports nothing but k6 modules', () => {
    expect(readdirSync(shippedDir)).toEqual(['sale-lifecycle.js']);
    const code = readFileSync(join(shippedDir, 'sale-lifecycle.js'), 'utf8');
    const imports = [...code.matchAll(/^import .* from "([^"]+)";$/gm)].map((match) => match[1]);
    expect(imports.sort()).toEqual(['k6/crypto', 'k6/execution', 'k6/http', 'k6/metrics']);
    expect(code).not.toMatch(/\brequire\(|node:|import\(/);
    expect(code).toMatch(/export \{[^}]*\boptions\b/);
    expect(code).toMatch(/export \{[^}]*\bfan as default\b/);
    // Syntax newer than the es2015 target is lowered for older k6.
    expect(code).not.toMatch(/\?\.|\?\?/);
  });
});

describe('evaluated script', () => {
  const noServer: K6Stub = {
    scenario: 'warm_up',
    request: () => ({ status: 200, body: '{}' }),
    metrics: [],
  };

  it('exports the options lib/lifecycle.ts builds from the same environment', async () => {
    const envs: Record<string, string>[] = [
      {},
      { RATE_SCALE: '0.02', TIME_SCALE: '0.1', EXPECT_SOLD_OUT: '0' },
    ];
    for (const env of envs) {
      const script = await loadScript(env, noServer);
      expect(script.options).toEqual(buildOptions(readSettings(env)));
    }
  });

  it('refuses to start with a malformed scale', async () => {
    await expect(loadScript({ RATE_SCALE: '-1' }, noServer)).rejects.toThrow(/RATE_SCALE/);
  });
});

/**
 * A fake waiting room and checkout that admit every fan on their second poll and confirm every
 * order on its second read. It records the requests, and when each queue token may next be polled.
 */
function fakeStack(initialChallengeBits = 0) {
  let joinChallengeBits = initialChallengeBits;
  const requests: StubRequest[] = [];
  const issued = new Set<string>();
  let challenges = 0;
  const pollsOf = new Map<string, number>();
  const earliestPoll = new Map<string, number>();
  const orderReads = new Map<string, number>();
  let tokens = 0;
  const json = (status: number, body: unknown): StubResponse => ({
    status,
    body: JSON.stringify(body),
  });

  function request(req: StubRequest): StubResponse {
    requests.push(req);
    const path = new URL(req.url).pathname;
    const auth = (req.headers['Authorization'] ?? '').replace(/^Bearer /, '');
    if (req.method === 'POST' && path === '/v1/events/frequency-20xx/challenge') {
      challenges += 1;
      const challenge = `ch_fake${challenges}`;
      issued.add(challenge);
      return json(201, { challenge, bits: joinChallengeBits, expiresAt: '2030-01-01T00:00:00Z' });
    }
    if (req.method === 'POST' && path === '/v1/events/frequency-20xx/queue') {
      if (joinChallengeBits > 0) {
        // The waiting room's rule: an issued, unused challenge and a hash with the asked zero bits.
        const body = (req.body === null ? {} : JSON.parse(req.body)) as Record<string, unknown>;
        const { challenge, nonce } = body;
        const digest =
          typeof challenge === 'string' && typeof nonce === 'string'
            ? createHash('sha256').update(`${challenge}.${nonce}`, 'utf8').digest()
            : null;
        const ok =
          digest !== null &&
          typeof challenge === 'string' &&
          issued.delete(challenge) &&
          leadingZeroBits(digest) >= joinChallengeBits;
        if (!ok) return json(403, { error: { code: 'CHALLENGE_FAILED' } });
        if (req.headers['Content-Type'] !== 'application/json') {
          throw new Error('a join body was sent without its content type');
        }
      }
      tokens += 1;
      const queueToken = `q_${tokens}`;
      earliestPoll.set(queueToken, req.at + 300);
      return json(201, { queueToken, state: 'waiting', position: tokens, pollAfterMs: 300 });
    }
    if (req.method === 'GET' && path === '/v1/events/frequency-20xx/queue/me') {
      const due = earliestPoll.get(auth);
      if (due === undefined) return json(401, { error: { code: 'TOKEN_INVALID' } });
      if (req.at < due) throw new Error(`${auth} polled ${due - req.at} ms before pollAfterMs`);
      const polls = (pollsOf.get(auth) ?? 0) + 1;
      pollsOf.set(auth, polls);
      earliestPoll.set(auth, req.at + 300);
      const admitted = polls >= 2;
      return json(200, {
        state: admitted ? 'admitted' : 'waiting',
        position: 1,
        aheadOfYou: 0,
        estimatedWaitSeconds: 1,
        pollAfterMs: 300,
        admission: admitted ? { token: `adm_${auth}`, expiresAt: '2030-01-01T00:00:00Z' } : null,
      });
    }
    if (req.method === 'POST' && path === '/v1/events/frequency-20xx/orders') {
      if (!auth.startsWith('adm_q_')) return json(401, { error: { code: 'TOKEN_INVALID' } });
      return json(202, { orderId: `ord_${auth}`, status: 'pending', quantity: 1 });
    }
    if (req.method === 'GET' && path.startsWith('/v1/orders/')) {
      const orderId = path.slice('/v1/orders/'.length);
      if (orderId !== `ord_${auth}`) return json(404, { error: { code: 'NOT_FOUND' } });
      const reads = (orderReads.get(orderId) ?? 0) + 1;
      orderReads.set(orderId, reads);
      return json(200, {
        orderId,
        status: reads >= 2 ? 'confirmed' : 'pending',
        quantity: 1,
        tickets: [],
      });
    }
    if (req.method === 'GET' && path === '/v1/events/frequency-20xx')
      return json(200, { id: 'frequency-20xx', joinChallengeBits });
    if (req.method === 'GET' && path === '/v1/events/frequency-20xx/availability') {
      return json(200, { ticketsRemaining: 10, soldOut: false });
    }
    if (req.method === 'GET' && path === '/events/frequency-20xx')
      return { status: 200, body: null };
    return json(404, { error: { code: 'NOT_FOUND' } });
  }

  return {
    request,
    requests,
    setChallengeBits: (bits: number) => {
      joinChallengeBits = bits;
    },
  };
}

describe('simulated sale', () => {
  it('plays fans through join, polls honouring pollAfterMs, checkout and order polls, one request per iteration', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-06-01T10:00:00Z'));
    const stack = fakeStack();
    const stub: K6Stub = { scenario: 'sale_opening', request: stack.request, metrics: [] };
    const script = await loadScript({ CHECKOUT_THINK_MS: '200', ORDER_POLL_MS: '200' }, stub);

    const data = script.setup();
    expect(data).toEqual({ eventId: 'frequency-20xx', joinChallengeBits: 0 });
    const afterSetup = stack.requests.length;
    const iterations = 400;
    for (let i = 0; i < iterations; i += 1) {
      stub.scenario = i < 200 ? 'sale_opening' : 'sustained';
      script.default(data);
      vi.advanceTimersByTime(10);
    }
    const sent = stack.requests.slice(afterSetup);
    expect(sent).toHaveLength(iterations);

    const byEndpoint = new Map<string, StubRequest[]>();
    for (const req of sent) {
      const endpoint = req.tags['endpoint'] ?? 'untagged';
      byEndpoint.set(endpoint, [...(byEndpoint.get(endpoint) ?? []), req]);
    }
    expect([...byEndpoint.keys()].sort()).toEqual(
      expect.arrayContaining(['join', 'order', 'order_status', 'status']),
    );
    expect(byEndpoint.has('untagged')).toBe(false);
    for (const req of sent) {
      expect(req.tags['name'], req.url).toMatch(/^(GET|POST) \//);
      expect(req.tags['name']).not.toMatch(/q_|ord_/);
    }

    for (const order of byEndpoint.get('order') ?? []) {
      expect(order.headers['Authorization']).toMatch(/^Bearer adm_q_\d+$/);
      const body: unknown = JSON.parse(order.body ?? '');
      expect(body).toEqual({
        quantity: expect.any(Number),
        buyer: { name: expect.any(String), email: expect.stringMatching(/^[^@\s]+@example\.com$/) },
      });
      const quantity = (body as { quantity: number }).quantity;
      expect(quantity).toBeGreaterThanOrEqual(1);
      expect(quantity).toBeLessThanOrEqual(4);
    }

    const unexpected = stub.metrics.filter((metric) => metric.name === 'unexpected_errors');
    expect(unexpected).toHaveLength(iterations);
    expect(unexpected.every((metric) => metric.value === false)).toBe(true);
  });

  it('counts 409 at checkout as a sold-out answer, not an error, and lets the fan go', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-06-01T10:00:00Z'));
    const stack = fakeStack();
    const request = (req: StubRequest): StubResponse => {
      const answer = stack.request(req);
      if (req.method === 'GET' && req.url.endsWith('/availability')) {
        return { status: 200, body: JSON.stringify({ ticketsRemaining: 0, soldOut: true }) };
      }
      return req.method === 'POST' && req.url.endsWith('/orders')
        ? { status: 409, body: JSON.stringify({ error: { code: 'SOLD_OUT' } }) }
        : answer;
    };
    const stub: K6Stub = { scenario: 'sold_out', request, metrics: [] };
    const script = await loadScript({ CHECKOUT_THINK_MS: '0', EXPECT_SOLD_OUT: '1' }, stub);
    const data = script.setup();
    for (let i = 0; i < 300; i += 1) {
      script.default(data);
      vi.advanceTimersByTime(10);
    }
    const orders = stack.requests.filter((req) => req.tags['endpoint'] === 'order');
    expect(orders.length).toBeGreaterThan(0);
    // Each fan tries once: a sold-out answer ends that fan's visit.
    expect(new Set(orders.map((req) => req.headers['Authorization'])).size).toBe(orders.length);
    expect(stub.metrics.filter((m) => m.name === 'unexpected_errors').some((m) => m.value)).toBe(
      false,
    );
    expect(stub.metrics.filter((m) => m.name === 'sold_out_responses').some((m) => m.value)).toBe(
      true,
    );
    const early = stub.metrics.filter((m) => m.name === 'early_sold_out_responses');
    expect(early.length).toBeGreaterThan(0);
    expect(early.some((m) => m.value)).toBe(false);
  });

  it('flags a 409 that arrives while the stock still holds the tickets', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-06-01T10:00:00Z'));
    // The fake stack's availability says 10 tickets remain; checkout answers 409 all the same.
    const stack = fakeStack();
    const request = (req: StubRequest): StubResponse => {
      const answer = stack.request(req);
      return req.method === 'POST' && req.url.endsWith('/orders')
        ? { status: 409, body: JSON.stringify({ error: { code: 'SOLD_OUT' } }) }
        : answer;
    };
    const stub: K6Stub = { scenario: 'sustained', request, metrics: [] };
    const script = await loadScript({ CHECKOUT_THINK_MS: '0' }, stub);
    const data = script.setup();
    for (let i = 0; i < 300; i += 1) {
      script.default(data);
      vi.advanceTimersByTime(10);
    }
    const orders = stack.requests.filter((req) => req.tags['endpoint'] === 'order');
    const early = stub.metrics.filter((m) => m.name === 'early_sold_out_responses');
    expect(orders.length).toBeGreaterThan(0);
    // Each 409 is judged by a stock read a second later; those of the last second are still waiting.
    expect(early.length).toBeGreaterThan(0);
    expect(early.length).toBeLessThanOrEqual(orders.length);
    expect(early.every((m) => m.value)).toBe(true);
  });

  it('counts every join against the join limit, 429 or not', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-06-01T10:00:00Z'));
    const stack = fakeStack();
    let joins = 0;
    // Every third join is refused by the per-address limit.
    const request = (req: StubRequest): StubResponse => {
      if (req.method === 'POST' && req.url.endsWith('/queue')) {
        joins += 1;
        if (joins % 3 === 0) {
          stack.requests.push(req);
          return { status: 429, body: JSON.stringify({ error: { code: 'RATE_LIMITED' } }) };
        }
      }
      return stack.request(req);
    };
    const stub: K6Stub = { scenario: 'sale_opening', request, metrics: [] };
    const script = await loadScript({}, stub);
    const data = script.setup();
    for (let i = 0; i < 300; i += 1) {
      script.default(data);
      vi.advanceTimersByTime(10);
    }
    const limited = stub.metrics.filter((m) => m.name === 'join_rate_limited');
    expect(joins).toBeGreaterThan(3);
    expect(limited).toHaveLength(joins);
    expect(limited.filter((m) => m.value)).toHaveLength(Math.floor(joins / 3));
    expect(stub.metrics.filter((m) => m.name === 'unexpected_errors').some((m) => m.value)).toBe(
      false,
    );
  });

  it('solves the join challenge with k6/crypto when the event asks for one', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-06-01T10:00:00Z'));
    const stack = fakeStack(8);
    const stub: K6Stub = { scenario: 'sale_opening', request: stack.request, metrics: [] };
    const script = await loadScript({ CHECKOUT_THINK_MS: '200', ORDER_POLL_MS: '200' }, stub);
    const data = script.setup();
    expect(data).toEqual({ eventId: 'frequency-20xx', joinChallengeBits: 8 });
    for (let i = 0; i < 200; i += 1) {
      script.default(data);
      vi.advanceTimersByTime(10);
    }
    const joins = stack.requests.filter(
      (req) => req.tags['name'] === 'POST /v1/events/{eventId}/queue',
    );
    const asked = stack.requests.filter(
      (req) => req.tags['name'] === 'POST /v1/events/{eventId}/challenge',
    );
    expect(joins.length).toBeGreaterThan(0);
    // Every join was preceded by its own challenge, tagged as part of joining.
    expect(asked).toHaveLength(joins.length);
    expect(asked.every((req) => req.tags['endpoint'] === 'join')).toBe(true);
    expect(stub.metrics.filter((m) => m.name === 'unexpected_errors').some((m) => m.value)).toBe(
      false,
    );
    expect(stack.requests.some((req) => req.tags['endpoint'] === 'status')).toBe(true);
  });

  it('a VU that started with the challenge off follows a difficulty switched on mid-run', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2030-06-01T10:00:00Z'));
    const stack = fakeStack(0);
    const stub: K6Stub = { scenario: 'sale_opening', request: stack.request, metrics: [] };
    const script = await loadScript({}, stub);
    const data = script.setup();
    let switchedAt = 0;
    for (let i = 0; i < 400; i += 1) {
      if (i === 100) {
        stack.setChallengeBits(8);
        switchedAt = stack.requests.length;
      }
      script.default(data);
      vi.advanceTimersByTime(10);
    }
    const after = stack.requests.slice(switchedAt);
    const joinsAfter = after.filter(
      (req) => req.tags['name'] === 'POST /v1/events/{eventId}/queue',
    );
    const refused = joinsAfter.filter((req) => req.body === null);
    const solved = joinsAfter.filter((req) => req.body !== null);
    // At most one plain join is refused (none if an event refresh told the VU first); after that
    // the VU solves challenges.
    expect(refused.length).toBeLessThanOrEqual(1);
    expect(solved.length).toBeGreaterThan(0);
    expect(stub.metrics.filter((m) => m.name === 'unexpected_errors').some((m) => m.value)).toBe(
      false,
    );
  });
});
