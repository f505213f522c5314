import { describe, expect, it } from 'vitest';
import {
  ENDPOINTS,
  buildOptions,
  formatDuration,
  readSettings,
  saleOpeningOffsetSeconds,
} from '../lib/lifecycle.ts';

interface RampingScenario {
  executor: string;
  startTime: string;
  startRate: number;
  timeUnit: string;
  stages: { duration: string; target: number }[];
  preAllocatedVUs: number;
  maxVUs: number;
}

function seconds(duration: string): number {
  const match = /^(?:(\d+)m)?(?:(\d+)s)?$/.exec(duration);
  if (match === null || duration === '') throw new Error(`unexpected duration ${duration}`);
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
}

function scenarios(env: Record<string, string>): [string, RampingScenario][] {
  const options = buildOptions(readSettings(env));
  return Object.entries(options.scenarios ?? {}).map(([name, scenario]) => [
    name,
    scenario as unknown as RampingScenario,
  ]);
}

describe('lifecycle at scale 1', () => {
  const specified = [
    { phase: 'warm_up', minutes: 2, rate: 1_000 },
    { phase: 'pre_sale', minutes: 2, rate: 10_000 },
    { phase: 'sale_opening', minutes: 3, rate: 50_000 },
    { phase: 'sustained', minutes: 5, rate: 50_000 },
    { phase: 'sold_out', minutes: 2, rate: 20_000 },
    { phase: 'cool_down', minutes: 1, rate: 1_000 },
  ];

  it('runs the six phases in order, back to back, at the specified rates for 15 minutes', () => {
    const actual = scenarios({});
    expect(actual.map(([name]) => name)).toEqual(specified.map((phase) => phase.phase));
    let start = 0;
    for (const [index, [, scenario]] of actual.entries()) {
      const spec = specified[index];
      if (spec === undefined) throw new Error('more scenarios than phases');
      expect(seconds(scenario.startTime)).toBe(start);
      expect(scenario.startRate).toBe(spec.rate);
      expect(scenario.timeUnit).toBe('1s');
      expect(scenario.stages).toEqual([{ duration: `${spec.minutes}m`, target: spec.rate }]);
      start += spec.minutes * 60;
    }
    expect(start).toBe(15 * 60);
  });

  it('uses only ramping-arrival-rate executors with VUs to spare at the peak', () => {
    for (const [, scenario] of scenarios({})) {
      expect(scenario.executor).toBe('ramping-arrival-rate');
      expect(scenario.maxVUs).toBeGreaterThanOrEqual(scenario.preAllocatedVUs);
    }
    const opening = scenarios({}).find(([name]) => name === 'sale_opening');
    expect(opening?.[1].preAllocatedVUs).toBe(2_500);
    expect(opening?.[1].maxVUs).toBe(25_000);
  });

  it('runs every phase on the same VUs, released at its end, so fans carry from phase to phase', () => {
    // k6 hands scenarios VUs first in first out: a phase that asked for fewer, or one that started
    // while the previous held its VUs in a graceful stop, would get VUs whose fans never joined.
    const envs: Record<string, string>[] = [
      {},
      { RATE_SCALE: '0.01', TIME_SCALE: '0.5', PRE_ALLOCATED_VU_SECONDS: '1.6' },
    ];
    for (const env of envs) {
      const all = scenarios(env).map(([, scenario]) => scenario);
      const [first] = all;
      for (const scenario of all) {
        expect(scenario.preAllocatedVUs).toBe(first?.preAllocatedVUs);
        expect(scenario.maxVUs).toBe(first?.maxVUs);
        expect((scenario as unknown as { gracefulStop: string }).gracefulStop).toBe('0s');
      }
    }
    expect(
      scenarios({ RATE_SCALE: '0.01', PRE_ALLOCATED_VU_SECONDS: '1.6' })[0]?.[1].preAllocatedVUs,
    ).toBe(800);
  });
});

describe('scaling', () => {
  it('multiplies rates by RATE_SCALE and durations by TIME_SCALE', () => {
    const scaled = scenarios({ RATE_SCALE: '0.02', TIME_SCALE: '0.1' });
    expect(
      scaled.map(([name, scenario]) => [
        name,
        scenario.startTime,
        scenario.startRate,
        scenario.stages[0]?.duration,
      ]),
    ).toEqual([
      ['warm_up', '0s', 20, '12s'],
      ['pre_sale', '12s', 200, '12s'],
      ['sale_opening', '24s', 1_000, '18s'],
      ['sustained', '42s', 1_000, '30s'],
      ['sold_out', '1m12s', 400, '12s'],
      ['cool_down', '1m24s', 20, '6s'],
    ]);
    expect(saleOpeningOffsetSeconds({ rateScale: 0.02, timeScale: 0.1 })).toBe(24);
  });

  it('keeps every phase at least one request per second and one second long', () => {
    for (const [, scenario] of scenarios({ RATE_SCALE: '0.00001', TIME_SCALE: '0.0001' })) {
      expect(scenario.startRate).toBe(1);
      expect(scenario.stages[0]).toEqual({ duration: '1s', target: 1 });
    }
  });

  it('rejects scales that are not positive numbers', () => {
    expect(() => readSettings({ RATE_SCALE: '0' })).toThrow(/RATE_SCALE/);
    expect(() => readSettings({ TIME_SCALE: 'fast' })).toThrow(/TIME_SCALE/);
    expect(() => readSettings({ WAITING_ROOM_URL: 'localhost:3001' })).toThrow(/WAITING_ROOM_URL/);
  });
});

describe('settings', () => {
  it('points at the local stack and the seeded event by default', () => {
    const settings = readSettings({});
    expect(settings).toMatchObject({
      waitingRoomUrl: 'http://127.0.0.1:3001',
      checkoutUrl: 'http://127.0.0.1:3002',
      webUrl: 'http://127.0.0.1:3000',
      eventId: 'frequency-20xx',
      expectSoldOut: true,
    });
  });

  it('takes service URLs and the event from the environment', () => {
    const settings = readSettings({
      WAITING_ROOM_URL: 'https://queue.example.com/',
      CHECKOUT_URL: 'https://checkout.example.com',
      WEB_URL: 'https://tickets.example.com',
      EVENT_ID: 'rehearsal',
    });
    expect(settings.waitingRoomUrl).toBe('https://queue.example.com');
    expect(settings.checkoutUrl).toBe('https://checkout.example.com');
    expect(settings.webUrl).toBe('https://tickets.example.com');
    expect(settings.eventId).toBe('rehearsal');
  });
});

describe('thresholds', () => {
  it('bounds p95 and p99 latency for every endpoint tag', () => {
    const thresholds = buildOptions(readSettings({})).thresholds ?? {};
    expect(ENDPOINTS).toEqual([
      'join',
      'status',
      'event',
      'availability',
      'order',
      'order_status',
      'page',
    ]);
    for (const endpoint of ENDPOINTS) {
      const rules = thresholds[`http_req_duration{endpoint:${endpoint}}`];
      expect(rules, endpoint).toEqual([
        expect.stringMatching(/^p\(95\)<\d+$/),
        expect.stringMatching(/^p\(99\)<\d+$/),
      ]);
    }
  });

  it('holds API p99 in every phase and keeps unexpected errors under 0.1%', () => {
    const thresholds = buildOptions(readSettings({})).thresholds ?? {};
    for (const phase of [
      'warm_up',
      'pre_sale',
      'sale_opening',
      'sustained',
      'sold_out',
      'cool_down',
    ]) {
      expect(thresholds[`http_req_duration{scenario:${phase},surface:api}`]).toEqual(['p(99)<800']);
    }
    expect(thresholds['unexpected_errors']).toEqual(['rate<0.001']);
    expect(thresholds['http_req_failed']).toEqual(['rate<0.001']);
  });

  it('bounds the share of joins refused by the join limit and allows no 409 before sold out', () => {
    for (const env of [{}, { EXPECT_SOLD_OUT: '0' }]) {
      const thresholds = buildOptions(readSettings(env)).thresholds ?? {};
      expect(thresholds['join_rate_limited']).toEqual(['rate<0.01']);
      expect(thresholds['early_sold_out_responses']).toEqual(['rate==0']);
    }
  });

  it('expects 409s to rise at sold out unless told the event cannot sell out', () => {
    const expecting = buildOptions(readSettings({})).thresholds ?? {};
    expect(expecting['sold_out_responses{scenario:sold_out}']).toEqual(['rate>0.5']);
    expect(expecting['sold_out_responses{scenario:sale_opening}']).toEqual(['rate<0.01']);
    const notExpecting = buildOptions(readSettings({ EXPECT_SOLD_OUT: '0' })).thresholds ?? {};
    expect(Object.keys(notExpecting).filter((key) => key.startsWith('sold_out_responses'))).toEqual(
      [],
    );
  });
});

describe('formatDuration', () => {
  it('writes k6 duration strings', () => {
    expect([0, 6, 60, 90, 300].map(formatDuration)).toEqual(['0s', '6s', '1m', '1m30s', '5m']);
  });
});
