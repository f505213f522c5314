import { readSettings } from '@frequency/k6/lifecycle';
import { describe, expect, it } from 'vitest';
import { localIpRanges, maxVus } from '../src/client-addresses.js';
import { buildK6Command, type K6RunInput } from '../src/k6-command.js';
import { fansPerVu, vuSecondsForJoinLimit } from '../src/vu-sizing.js';

const input: K6RunInput = {
  k6: '/usr/local/bin/k6',
  script: '/repo/k6/dist/sale-lifecycle.js',
  testid: 'sale-20261201-120000-abcdef',
  resultsDir: '/repo/.loadtest/sale-20261201-120000-abcdef',
  prometheusUrl: 'http://127.0.0.1:9190',
  rateScale: 0.01,
  timeScale: 0.5,
  eventId: 'sale-20261201-120000-abcdef',
  opsToken: 'ops_0123456789abcdef',
  urls: {
    waitingRoom: 'http://127.0.0.1:3101',
    checkout: 'http://127.0.0.1:3102',
    web: 'http://127.0.0.1:3100',
  },
  preAllocatedVuSeconds: 1.6,
  maxFansPerVu: 2,
};

describe('localIpRanges', () => {
  it('covers the count with whole /16 blocks from 127.1, never 127.0 where the services listen', () => {
    expect(localIpRanges(1)).toBe('127.1.0.1-127.1.255.254');
    expect(localIpRanges(65_534)).toBe('127.1.0.1-127.1.255.254');
    expect(localIpRanges(65_535)).toBe('127.1.0.1-127.1.255.254,127.2.0.1-127.2.255.254');
    expect(localIpRanges(200_000).split(',')).toHaveLength(4);
  });

  it('refuses counts that are not a positive whole number or do not fit in 127/8', () => {
    expect(() => localIpRanges(0)).toThrow(/at least 1/);
    expect(() => localIpRanges(1.5)).toThrow(/at least 1/);
    expect(() => localIpRanges(255 * 65_534)).toThrow(/do not fit/);
  });
});

describe('vuSecondsForJoinLimit', () => {
  it('keeps one address at half its limit when every iteration of the busiest phase could be a join', () => {
    // sale_opening: 8 of 10 arrivals join; 10 joins per 10 s at half → 0.5 joins/s per address.
    expect(vuSecondsForJoinLimit({ max: 10, windowSeconds: 10 })).toBeCloseTo(0.8 / 0.5);
    expect(vuSecondsForJoinLimit({ max: 100, windowSeconds: 10 })).toBeCloseTo(0.8 / 5);
  });
});

describe('fansPerVu', () => {
  it('keeps the fans a VU can poll within 5 s on its sale_opening follow-up share', () => {
    // 1.6 VU-seconds: a VU sends 0.625 req/s, 80% of them polls → 0.5 polls/s → 2.5 fans in 5 s.
    expect(fansPerVu(1.6)).toBe(2);
    expect(fansPerVu(0.16)).toBe(25);
    // Never fewer than one fan, or nobody would ever join.
    expect(fansPerVu(100)).toBe(1);
  });
});

describe('buildK6Command', () => {
  const command = buildK6Command(input);

  it('runs the bundle with fans over loopback ranges, remote write, the testid tag and a summary export', () => {
    expect(command.command).toBe('/usr/local/bin/k6');
    expect(command.args[0]).toBe('run');
    expect(command.args.at(-1)).toBe(input.script);
    expect(command.args).toContain('--local-ips=127.1.0.1-127.1.255.254');
    const output = command.args.indexOf('-o');
    expect(command.args[output + 1]).toBe('experimental-prometheus-rw');
    const tag = command.args.indexOf('--tag');
    expect(command.args[tag + 1]).toBe(`testid=${input.testid}`);
    expect(command.args).toContain(`--summary-export=${input.resultsDir}/k6-summary.json`);
    expect(command.summaryExport).toBe(`${input.resultsDir}/k6-summary.json`);
  });

  it('points remote write at Prometheus with the trend stats the load-test dashboard reads', () => {
    expect(command.env['K6_PROMETHEUS_RW_SERVER_URL']).toBe('http://127.0.0.1:9190/api/v1/write');
    expect(command.env['K6_PROMETHEUS_RW_TREND_STATS']?.split(',')).toEqual(
      expect.arrayContaining(['p(95)', 'p(99)']),
    );
    expect(command.env['K6_PROMETHEUS_RW_PUSH_INTERVAL']).toBe('5s');
  });

  it('hands the script its settings, which the script itself accepts', () => {
    const settings = readSettings(command.env);
    expect(settings).toMatchObject({
      rateScale: 0.01,
      timeScale: 0.5,
      waitingRoomUrl: 'http://127.0.0.1:3101',
      checkoutUrl: 'http://127.0.0.1:3102',
      webUrl: 'http://127.0.0.1:3100',
      eventId: input.eventId,
      expectSoldOut: true,
      preAllocatedVuSeconds: 1.6,
      maxVuSeconds: 3.2,
      maxFansPerVu: 2,
    });
    // setup() needs the ops token to move opensAt to the start of sale_opening.
    expect(command.env['OPS_TOKEN']).toBe(input.opsToken);
  });

  it('gives every VU the script may start an address of its own', () => {
    // sale_opening at 500 req/s × 3.2 VU-seconds = 1,600 VUs at most.
    expect(maxVus(command.env)).toBe(1_600);
    expect(command.addresses).toBe(1_600);
    const big = buildK6Command({ ...input, rateScale: 1, timeScale: 1 });
    expect(big.addresses).toBe(160_000);
    expect(big.args.find((arg) => arg.startsWith('--local-ips='))?.split(',')).toHaveLength(3);
  });
});
