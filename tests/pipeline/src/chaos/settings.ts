import { z } from 'zod';

/**
 * The faults, each injected into an event of its own, in this order (Redis last: its loss reaches
 * every event in it, and the ones before have been checked by then). `none` is the healthy run.
 */
export const FAULTS = ['none', 'worker', 'checkout', 'pubsub', 'postgres', 'redis'] as const;
export type FaultName = (typeof FAULTS)[number];
export const DEFAULT_FAULTS: readonly FaultName[] = [
  'worker',
  'checkout',
  'pubsub',
  'postgres',
  'redis',
];

/** Average tickets per order of the fans' quantities (uniform 1..4), used to size the sale. */
export const MEAN_QUANTITY = 2.5;

const whole = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);
const flag = (fallback: '0' | '1') =>
  z
    .enum(['0', '1', 'true', 'false'])
    .default(fallback)
    .transform((value) => value === '1' || value === 'true');

const chaosEnv = z.object({
  /** Tickets of each fault's event. */
  CHAOS_TICKETS_PER_FAULT: whole(1, 50_000),
  /** Comma-separated subset of the faults, run in the canonical order; `none` is a healthy sale. */
  CHAOS_FAULTS: z
    .string()
    .default(DEFAULT_FAULTS.join(','))
    .transform((value, ctx) => {
      const names = value
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name !== '');
      const unknown = names.filter((name) => !(FAULTS as readonly string[]).includes(name));
      if (unknown.length > 0 || names.length === 0) {
        ctx.addIssue({
          code: 'custom',
          message: `expected some of ${FAULTS.join(', ')}; got ${value}`,
        });
        return z.NEVER;
      }
      return FAULTS.filter((fault) => names.includes(fault));
    }),
  /** Fans on their way at once (in line, ordering or waiting for their order). */
  CHAOS_FANS: whole(1, 400),
  /**
   * How long a sale should take at the admission rate; the rate is sized from it
   * (tickets ÷ mean quantity ÷ seconds) unless CHAOS_ADMISSION_RATE is given.
   */
  CHAOS_SALE_SECONDS: whole(1, 40),
  CHAOS_ADMISSION_RATE: z.coerce.number().positive().optional(),
  /** Share of the tickets accepted (202) when the fault is injected. */
  CHAOS_FAULT_AT: z.coerce.number().min(0).max(0.95).default(0.25),
  /** A sale that has not sold out by then ends anyway (its row says so). */
  CHAOS_SALE_TIMEOUT_SECONDS: whole(10, 600),
  /** How long every 202 may take to end confirmed or rejected once the sale is over. */
  CHAOS_DRAIN_SECONDS: whole(5, 150),
  /** Fans wait min(pollAfterMs, this) between queue polls, so a short run does not idle. */
  CHAOS_POLL_CAP_MS: whole(50, 1_000),
  /**
   * How long a queue token answered 404 (its event forgotten by Redis) may take to work again
   * before the fan counts as having lost its place: the worker restores an event within 30 s.
   */
  CHAOS_RESTORE_GRACE_SECONDS: whole(1, 45),
  /** pino level of the services, whose logs go to the run directory's services.log. */
  CHAOS_LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('warn'),
  /** Keep the run directory (logs, Postgres data) even when every check passed. */
  CHAOS_KEEP: flag('0'),
  /** Where the run directory goes (a fresh one per run, removed at the end unless kept or failed). */
  CHAOS_DIR: z.string().optional(),
});

export interface ChaosSettings {
  ticketsPerFault: number;
  faults: readonly FaultName[];
  fans: number;
  admissionRatePerSecond: number;
  faultAt: number;
  saleTimeoutMs: number;
  drainMs: number;
  pollCapMs: number;
  restoreGraceMs: number;
  logLevel: string;
  keep: boolean;
  dir: string | undefined;
  /** The command line to print with the table, so the run can be repeated. */
  command: string;
}

type Env = Readonly<Record<string, string | undefined>>;

/** The variables that shape a run: printed in the command line when given. */
export const SETTING_VARIABLES = Object.keys(chaosEnv.shape).filter(
  (name) => !['CHAOS_DIR', 'CHAOS_KEEP', 'CHAOS_LOG_LEVEL'].includes(name),
);

export function readChaosSettings(env: Env): ChaosSettings {
  const given: Record<string, string> = {};
  for (const [key, value] of Object.entries(env))
    if (value !== undefined && value !== '') given[key] = value;
  const parsed = chaosEnv.safeParse(given);
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new Error(`invalid chaos settings: ${problems.join('; ')}`);
  }
  const s = parsed.data;
  const command = [
    ...SETTING_VARIABLES.flatMap((name) => (given[name] ? [`${name}=${given[name]}`] : [])),
    'pnpm chaos',
  ].join(' ');
  return {
    ticketsPerFault: s.CHAOS_TICKETS_PER_FAULT,
    faults: s.CHAOS_FAULTS,
    fans: s.CHAOS_FANS,
    admissionRatePerSecond:
      s.CHAOS_ADMISSION_RATE ??
      Math.max(1, Math.ceil(s.CHAOS_TICKETS_PER_FAULT / MEAN_QUANTITY / s.CHAOS_SALE_SECONDS)),
    faultAt: s.CHAOS_FAULT_AT,
    saleTimeoutMs: s.CHAOS_SALE_TIMEOUT_SECONDS * 1000,
    drainMs: s.CHAOS_DRAIN_SECONDS * 1000,
    pollCapMs: s.CHAOS_POLL_CAP_MS,
    restoreGraceMs: s.CHAOS_RESTORE_GRACE_SECONDS * 1000,
    logLevel: s.CHAOS_LOG_LEVEL,
    keep: s.CHAOS_KEEP,
    dir: s.CHAOS_DIR,
    command,
  };
}
