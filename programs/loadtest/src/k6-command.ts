// The k6 command line and environment for one run: the lifecycle bundle, fans spread over many
// loopback addresses, metrics streamed to Prometheus by remote write, and the summary exported.
import { join } from 'node:path';
import { localIpRanges, maxVus } from './client-addresses.js';

export interface K6RunInput {
  k6: string;
  /** The esbuild bundle k6 v0.48 runs (k6 1.x would take the TypeScript as well). */
  script: string;
  testid: string;
  resultsDir: string;
  prometheusUrl: string;
  rateScale: number;
  timeScale: number;
  eventId: string;
  opsToken: string;
  urls: { waitingRoom: string; checkout: string; web: string };
  /** VUs per request per second, sized to the join limit (vu-sizing.ts). */
  preAllocatedVuSeconds: number;
  /** Fans one VU keeps in flight, sized to its poll budget (vu-sizing.ts). */
  maxFansPerVu: number;
}

export interface K6Command {
  command: string;
  args: string[];
  /** Only what k6 needs: the script reads its settings from here (k6/README.md). */
  env: Record<string, string>;
  summaryExport: string;
  addresses: number;
}

/**
 * Trend stats sent per series: the load-test dashboard reads k6_http_req_duration_p95/_p99, and
 * p50/max make the spread visible.
 */
export const TREND_STATS = 'p(50),p(95),p(99),max';

export function buildK6Command(input: K6RunInput): K6Command {
  const scriptEnv: Record<string, string> = {
    RATE_SCALE: String(input.rateScale),
    TIME_SCALE: String(input.timeScale),
    WAITING_ROOM_URL: input.urls.waitingRoom,
    CHECKOUT_URL: input.urls.checkout,
    WEB_URL: input.urls.web,
    EVENT_ID: input.eventId,
    // setup() moves opensAt to the start of sale_opening, measured from k6's own start.
    OPS_TOKEN: input.opsToken,
    EXPECT_SOLD_OUT: '1',
    PRE_ALLOCATED_VU_SECONDS: String(input.preAllocatedVuSeconds),
    // Room to grow if latency does: twice the VUs, each a further address of the ranges.
    MAX_VU_SECONDS: String(input.preAllocatedVuSeconds * 2),
    MAX_FANS_PER_VU: String(input.maxFansPerVu),
  };
  const addresses = maxVus(scriptEnv);
  const summaryExport = join(input.resultsDir, 'k6-summary.json');
  return {
    command: input.k6,
    args: [
      'run',
      '--quiet',
      '--no-color',
      `--local-ips=${localIpRanges(addresses)}`,
      '-o',
      'experimental-prometheus-rw',
      '--tag',
      `testid=${input.testid}`,
      `--summary-export=${summaryExport}`,
      input.script,
    ],
    env: {
      ...scriptEnv,
      K6_PROMETHEUS_RW_SERVER_URL: `${input.prometheusUrl}/api/v1/write`,
      K6_PROMETHEUS_RW_TREND_STATS: TREND_STATS,
      // Every 5 s, the scrape interval, so k6's series line up with the services' on the dashboards.
      K6_PROMETHEUS_RW_PUSH_INTERVAL: '5s',
      K6_NO_USAGE_REPORT: 'true',
    },
    summaryExport,
    addresses,
  };
}
