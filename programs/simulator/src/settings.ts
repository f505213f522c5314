import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PHASES, readSettings, type Settings as LifecycleSettings } from '@frequency/k6/lifecycle';
import { z } from 'zod';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * Average tickets per order of the fans' quantity mix (k6/lib/fans.ts: 1×25%, 2×45%, 3×10%, 4×20%).
 * Used only to size the admission rate so the sale sells out inside the sustained phase.
 */
export const MEAN_QUANTITY = 2.25;

const positive = (fallback: number) => z.coerce.number().positive().default(fallback);
const whole = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);
const flag = (fallback: '0' | '1') =>
  z
    .enum(['0', '1', 'true', 'false'])
    .default(fallback)
    .transform((value) => value === '1' || value === 'true');

/**
 * The simulator's own settings. The lifecycle ones (RATE_SCALE, TIME_SCALE, CHECKOUT_THINK_MS,
 * ORDER_POLL_MS, MAX_FANS_PER_VU) are read by k6's own reader so both tools mean the same thing by
 * them; only their defaults differ here, sized for a 2-core machine running the stack as well.
 */
const simulatorEnv = z.object({
  TICKETS_TOTAL: whole(1, 20_000),
  /** Unset: sized from TICKETS_TOTAL so the event sells out about halfway through the sustained phase. */
  ADMISSION_RATE_PER_SECOND: z.coerce.number().positive().optional(),
  MAX_ACTIVE_CHECKOUTS: whole(1, 5_000),
  /** The event's joinChallengeBits (proof of work per join, solved by the fans with node:crypto). */
  SIM_JOIN_CHALLENGE_BITS: z.coerce.number().int().min(0).max(32).default(0),
  /** Keep-alive connections per service (undici pool); bounded so the stack's 2 cores are not drowned in sockets. */
  SIM_CONNECTIONS: whole(1, 48),
  /** Requests in flight at most; above it a due request is counted as "not sent" instead of queueing in memory. */
  SIM_MAX_IN_FLIGHT: whole(1, 1_024),
  /** Virtual users: each keeps its own pool of fans (as a k6 VU does), so one step never scans every fan. */
  SIM_VUS: whole(1, 100),
  /** How long the pipeline may take after the last phase to persist what Redis sold. */
  SIM_DRAIN_SECONDS: positive(90),
  /** Directory the report and charts are written to (the report goes to REPORT_DIR/sale-report.md). */
  REPORT_DIR: z.string().default(join(repoRoot, 'docs')),
  /** Render PNG copies of the charts with headless Chromium when it is installed. */
  SIM_PNG: flag('1'),
  CHROMIUM_PATH: z.string().default('/usr/bin/chromium'),
  /** Keep the run's Redis keys, database and Pub/Sub topics after the report (to inspect them). */
  SIM_KEEP_DATA: flag('0'),
  /** Live progress: `line` rewrites one terminal line, `log` prints a line every few seconds, `off`. */
  SIM_PROGRESS: z.enum(['line', 'log', 'off']).optional(),
  /**
   * Run a private redis-server for the sale (on a free port, stopped afterwards): other work on the
   * shared Redis then neither slows the sale nor pollutes the Redis commands counted per request.
   */
  SIM_OWN_REDIS: flag('1'),
  /**
   * Set: the run starts a Prometheus (Debian's) that scrapes the stack and the simulator's k6 series
   * every 5 s into RUN_DIR/prometheus, and writes RUN_DIR/run.json for the dashboard renderer.
   */
  RUN_DIR: z.string().optional(),
  /** Where that Prometheus listens. */
  SIM_PROMETHEUS_LISTEN: z
    .string()
    .regex(/^[\d.]+:\d+$/, 'host:port')
    .default('127.0.0.1:9090'),
  REDIS_URL: z.url().default('redis://127.0.0.1:6379/0'),
  POSTGRES_URL: z.url().default('postgres://postgres@127.0.0.1:5432/postgres'),
  PUBSUB_EMULATOR_HOST: z.string().default('127.0.0.1:8085'),
  PUBSUB_PROJECT_ID: z.string().default('frequency-local'),
});

export interface SimulatorSettings {
  lifecycle: LifecycleSettings;
  ticketsTotal: number;
  admissionRatePerSecond: number;
  maxActiveCheckouts: number;
  joinChallengeBits: number;
  /** Loopback addresses the fans come from, and the join limit the stack runs with (null: its default). */
  clients: ClientPlan;
  connections: number;
  maxInFlight: number;
  vus: number;
  drainSeconds: number;
  reportDir: string;
  png: boolean;
  chromiumPath: string;
  keepData: boolean;
  progress: 'line' | 'log' | 'off';
  ownRedis: boolean;
  /** Prometheus for the run and run.json, or null for none. */
  run: { dir: string; prometheusListen: string } | null;
  redisUrl: string;
  postgresUrl: string;
  pubsubEmulatorHost: string;
  pubsubProjectId: string;
  /** The command line to print in the report, so the run can be repeated. */
  command: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** Defaults that fit this machine: peak 1,000 req/s, the 15-minute lifecycle in 3. */
export const MACHINE_DEFAULTS: Readonly<Record<string, string>> = {
  RATE_SCALE: '0.02',
  TIME_SCALE: '0.2',
  CHECKOUT_THINK_MS: '1500',
  ORDER_POLL_MS: '500',
  MAX_FANS_PER_VU: '400',
};

/** Admissions per second that sell `ticketsTotal` between the opening and the middle of the sustained phase. */
export function sizedAdmissionRate(ticketsTotal: number, timeScale: number): number {
  const secondsToSellOut = (180 + 150) * timeScale;
  return Math.max(1, Math.ceil((ticketsTotal / MEAN_QUANTITY / secondsToSellOut) * 1.15));
}

export function readSimulatorSettings(env: Env, command: string): SimulatorSettings {
  const withDefaults: Record<string, string | undefined> = { ...MACHINE_DEFAULTS };
  for (const [key, value] of Object.entries(env))
    if (value !== undefined && value !== '') withDefaults[key] = value;
  const lifecycle = readSettings(withDefaults);
  const parsed = simulatorEnv.safeParse(withDefaults);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new Error(`invalid simulator settings: ${problems.join('; ')}`);
  }
  const s = parsed.data;
  return {
    lifecycle,
    ticketsTotal: s.TICKETS_TOTAL,
    admissionRatePerSecond:
      s.ADMISSION_RATE_PER_SECOND ?? sizedAdmissionRate(s.TICKETS_TOTAL, lifecycle.timeScale),
    maxActiveCheckouts: s.MAX_ACTIVE_CHECKOUTS,
    joinChallengeBits: s.SIM_JOIN_CHALLENGE_BITS,
    clients: clientPlan(lifecycle),
    connections: s.SIM_CONNECTIONS,
    maxInFlight: s.SIM_MAX_IN_FLIGHT,
    vus: s.SIM_VUS,
    drainSeconds: s.SIM_DRAIN_SECONDS,
    reportDir: s.REPORT_DIR,
    png: s.SIM_PNG,
    chromiumPath: s.CHROMIUM_PATH,
    keepData: s.SIM_KEEP_DATA,
    progress: s.SIM_PROGRESS ?? (process.stdout.isTTY ? 'line' : 'log'),
    ownRedis: s.SIM_OWN_REDIS,
    run:
      s.RUN_DIR === undefined
        ? null
        : { dir: resolve(s.RUN_DIR), prometheusListen: s.SIM_PROMETHEUS_LISTEN },
    redisUrl: s.REDIS_URL,
    postgresUrl: s.POSTGRES_URL,
    pubsubEmulatorHost: s.PUBSUB_EMULATOR_HOST,
    pubsubProjectId: s.PUBSUB_PROJECT_ID,
    command,
  };
}

/** The waiting room's default join budget per client: JOIN_RATE_LIMIT_MAX per JOIN_RATE_LIMIT_WINDOW_SECONDS. */
export const JOIN_LIMIT = { max: 10, windowSeconds: 10 } as const;
/** Source addresses at most: each is one pool (one socket) per service, on a machine shared with the stack. */
export const MAX_CLIENT_ADDRESSES = 4_096;

export interface ClientPlan {
  addresses: number;
  /** Set only when even the most addresses would exceed the default budget at this rate. */
  joinRateLimitMax: number | null;
}

/**
 * How many loopback addresses the fans need so that the waiting room's per-client join limit is never
 * what stops them. Joins go round robin over the addresses; the peak join rate is bounded by the
 * busiest phase's rate times the join share of arrivals (arrivals can take every iteration when no
 * fan is due). Each address is kept to half its budget per window, for bursts.
 */
export function clientPlan(lifecycle: Pick<LifecycleSettings, 'rateScale'>): ClientPlan {
  const peakJoinsPerSecond = Math.max(
    ...PHASES.map((phase) => {
      const weights = Object.values(phase.mix.arrivals).reduce((sum, weight) => sum + weight, 0);
      const rate = Math.max(1, phase.ratePerSecond * lifecycle.rateScale);
      return weights > 0 ? (rate * phase.mix.arrivals.join) / weights : 0;
    }),
  );
  const joinsPerWindow = peakJoinsPerSecond * JOIN_LIMIT.windowSeconds;
  const needed = Math.ceil((2 * joinsPerWindow) / JOIN_LIMIT.max);
  if (needed <= MAX_CLIENT_ADDRESSES)
    return { addresses: Math.max(16, needed), joinRateLimitMax: null };
  return {
    addresses: MAX_CLIENT_ADDRESSES,
    joinRateLimitMax: Math.ceil((2 * joinsPerWindow) / MAX_CLIENT_ADDRESSES),
  };
}

/** Cores the load generator shares with the stack; printed in the report next to the figures. */
export function cores(): number {
  return availableParallelism();
}
