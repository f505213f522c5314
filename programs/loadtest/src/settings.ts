// The load test's settings: one zod schema over the environment, read once in main.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

const port = z.coerce.number().int().min(1).max(65_535);
const flag = z.enum(['0', '1']).transform((value) => value === '1');
const scale = z.coerce.number().positive().max(1);

export const loadTestEnv = z.object({
  /** The k6 binary (v0.48 or newer); `k6` on PATH unless given. */
  K6: z.string().min(1).default('k6'),
  RATE_SCALE: scale.default(0.01),
  TIME_SCALE: scale.default(0.5),
  /** Tickets on sale; derived from the scales and the lifecycle's order mix unless given. */
  TICKETS_TOTAL: z.coerce.number().int().min(1).optional(),
  /** Admissions per second the event lets through; derived like the tickets unless given. */
  ADMISSION_RATE_PER_SECOND: z.coerce.number().positive().optional(),
  /** `1`: use the stack already running on these ports (then OPS_TOKEN is required). */
  REUSE_STACK: flag.default(false),
  OPS_TOKEN: z.string().min(16).optional(),
  WEB_PORT: port.default(3000),
  WAITING_ROOM_PORT: port.default(3001),
  CHECKOUT_PORT: port.default(3002),
  WORKER_PORT: port.default(3003),
  PROMETHEUS_LISTEN: z
    .string()
    .regex(/^[\w.-]+:\d+$/, 'host:port')
    .default('127.0.0.1:9090'),
  PROMETHEUS_BIN: z.string().min(1).default('prometheus'),
  /** Parent of every run's folder. */
  RESULTS_DIR: z.string().min(1).default(join(repoRoot, '.loadtest')),
  TESTID: z
    .string()
    .regex(/^[a-z0-9][a-z0-9-]{1,40}$/, 'lowercase letters, digits and dashes')
    .optional(),
  /**
   * The waiting room's per-address join limit (its own defaults: 10 per 10 s). Set only when the
   * machine cannot run enough VUs for the rate: it is passed to the stack and printed as raised.
   */
  JOIN_RATE_LIMIT_MAX: z.coerce.number().int().min(1).optional(),
  JOIN_RATE_LIMIT_WINDOW_SECONDS: z.coerce.number().int().min(1).optional(),
});

export type LoadTestEnv = z.infer<typeof loadTestEnv>;

/**
 * The waiting room's own defaults (apps/waiting-room/src/env.ts): joins per address per window.
 * The stack passes the caller's JOIN_RATE_LIMIT_* through, so a set variable replaces its default here too.
 */
export const DEFAULT_JOIN_LIMIT = { max: 10, windowSeconds: 10 } as const;

export class SettingsError extends Error {}

/** Parses the environment, with one line per bad variable instead of a zod dump. */
export function readLoadTestEnv(env: NodeJS.ProcessEnv): LoadTestEnv {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const parsed = loadTestEnv.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new SettingsError(`bad load-test settings:\n${lines.join('\n')}`);
  }
  if (parsed.data.REUSE_STACK && parsed.data.OPS_TOKEN === undefined) {
    throw new SettingsError(
      'REUSE_STACK=1 needs the running stack’s OPS_TOKEN (printed by `npm start`)',
    );
  }
  return parsed.data;
}

/** A run's id: sortable by time, unique enough for one machine. */
export function newTestId(now: Date, random: () => Buffer = () => randomBytes(3)): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '-');
  return `sale-${stamp.toLowerCase()}-${random().toString('hex')}`;
}
