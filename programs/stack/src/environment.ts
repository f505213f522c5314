import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** What the stack itself reads: where its services are, its ports, and the seeded event. */
export const stackEnvSchema = z.object({
  STACK_DIR: z.string().default(join(repoRoot, '.stack')),
  REDIS_URL: z.url().default('redis://127.0.0.1:6379/0'),
  REDIS_KEY_PREFIX: z.string().default('fq:'),
  DATABASE_URL: z.url().default('postgres://postgres@127.0.0.1:5432/frequency'),
  PUBSUB_EMULATOR_HOST: z.string().default('127.0.0.1:8085'),
  PUBSUB_PROJECT_ID: z.string().default('frequency-local'),
  PUBSUB_TOPIC: z.string().default('purchase-intents'),
  PUBSUB_SUBSCRIPTION: z.string().default('purchase-intents-worker'),
  PUBSUB_DEAD_LETTER_TOPIC: z.string().default('purchase-intents-dead-letter'),
  PUBSUB_CONFIRMATIONS_TOPIC: z.string().default('order-confirmations'),
  PUBSUB_CONFIRMATIONS_SUBSCRIPTION: z.string().default('order-confirmations-mailer'),
  PUBSUB_CONFIRMATIONS_DEAD_LETTER_TOPIC: z.string().default('order-confirmations-dead-letter'),
  /** The mail sink every confirmation e-mail goes to (one that answers on the SMTP port is reused). */
  MAIL_SMTP_PORT: z.coerce.number().int().default(2525),
  MAIL_INBOX_PORT: z.coerce.number().int().default(1080),
  MAIL_FROM: z.string().default('Frequency Festival <tickets@frequency.local>'),
  PUBSUB_EVENTS_TOPIC: z.string().default('event-definitions'),
  PUBSUB_EVENTS_SUBSCRIPTION: z.string().default('event-definitions-worker'),
  WEB_PORT: z.coerce.number().int().default(3000),
  WAITING_ROOM_PORT: z.coerce.number().int().default(3001),
  CHECKOUT_PORT: z.coerce.number().int().default(3002),
  WORKER_PORT: z.coerce.number().int().default(3003),
  OPENS_IN_SECONDS: z.coerce.number().int().min(0).default(120),
  TICKETS_TOTAL: z.coerce.number().int().min(1).default(1_000_000),
  ADMISSION_RATE_PER_SECOND: z.coerce.number().min(0).default(500),
  MAX_ACTIVE_CHECKOUTS: z.coerce.number().int().min(1).default(5_000),
  OPS_TOKEN: z.string().min(16).optional(),
  LOG_LEVEL: z.string().default('info'),
  /** `spanner` runs the worker on the Spanner emulator (started here if none answers). */
  STORE: z.enum(['postgres', 'spanner']).default('postgres'),
  SPANNER_EMULATOR_HOST: z.string().default('127.0.0.1:9010'),
  SPANNER_PROJECT_ID: z.string().default('frequency-local'),
  SPANNER_INSTANCE: z.string().default('frequency'),
  SPANNER_DATABASE: z.string().default('frequency'),
  /** Exit 0 once everything is ready and seeded (used by the stack's own test). */
  STACK_SMOKE: z.enum(['0', '1']).default('0'),
});
export type StackEnv = z.infer<typeof stackEnvSchema>;

export type Environment = Record<string, string | undefined>;

export type AppName = 'waiting-room' | 'checkout' | 'worker' | 'web';

/** What the stack made for this run, which the apps' environments are built from. */
export interface StackRun {
  env: StackEnv;
  /** The waiting room's keys and ops token (generated unless the caller set them). */
  secrets: { ADMISSION_PRIVATE_JWKS: string; QUEUE_TOKEN_SECRET: string; OPS_TOKEN: string };
  /** Checkout's alone. */
  receiptSecret: string;
  /** The worker's store settings (STORE and, for Spanner, where the emulator is). */
  storeEnv: Record<string, string>;
  smtpUrl: string;
}

/**
 * Each app's environment. The caller's environment comes first: every variable an app reads (the
 * README's table, each service's tuning variables) reaches it as the caller set it, and the stack's
 * values fill in only what the caller left unset or empty (an empty variable means "not
 * configured", as the apps read it). PORT alone is the stack's: one variable cannot give four
 * processes their ports, WAITING_ROOM_PORT and its siblings do.
 */
export function appEnvironments(caller: Environment, run: StackRun): Record<AppName, Environment> {
  const { env } = run;
  const set = Object.fromEntries(
    Object.entries(caller).filter(([, value]) => value !== undefined && value !== ''),
  );
  const shared = {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    LOG_LEVEL: env.LOG_LEVEL,
    METADATA_SERVER_DETECTION: 'none',
    REDIS_URL: env.REDIS_URL,
    REDIS_KEY_PREFIX: env.REDIS_KEY_PREFIX,
    DATABASE_URL: env.DATABASE_URL,
    PUBSUB_EMULATOR_HOST: env.PUBSUB_EMULATOR_HOST,
    PUBSUB_PROJECT_ID: env.PUBSUB_PROJECT_ID,
    PUBSUB_TOPIC: env.PUBSUB_TOPIC,
    PUBSUB_SUBSCRIPTION: env.PUBSUB_SUBSCRIPTION,
    PUBSUB_DEAD_LETTER_TOPIC: env.PUBSUB_DEAD_LETTER_TOPIC,
    PUBSUB_EVENTS_TOPIC: env.PUBSUB_EVENTS_TOPIC,
    PUBSUB_EVENTS_SUBSCRIPTION: env.PUBSUB_EVENTS_SUBSCRIPTION,
    WAITING_ROOM_URL: `http://127.0.0.1:${env.WAITING_ROOM_PORT}`,
    CHECKOUT_URL: `http://127.0.0.1:${env.CHECKOUT_PORT}`,
    WORKER_URL: `http://127.0.0.1:${env.WORKER_PORT}`,
    OPS_TOKEN: run.secrets.OPS_TOKEN,
    CORS_ORIGINS: `http://127.0.0.1:${env.WEB_PORT},http://localhost:${env.WEB_PORT}`,
  };
  const build = (port: number, own: Record<string, string>): Environment => ({
    ...shared,
    ...own,
    ...set,
    PORT: String(port),
  });
  return {
    'waiting-room': build(env.WAITING_ROOM_PORT, run.secrets),
    checkout: build(env.CHECKOUT_PORT, { RECEIPT_SECRET: run.receiptSecret }),
    worker: build(env.WORKER_PORT, {
      ...run.storeEnv,
      SMTP_URL: run.smtpUrl,
      MAIL_FROM: env.MAIL_FROM,
      PUBSUB_CONFIRMATIONS_TOPIC: env.PUBSUB_CONFIRMATIONS_TOPIC,
      PUBSUB_CONFIRMATIONS_SUBSCRIPTION: env.PUBSUB_CONFIRMATIONS_SUBSCRIPTION,
      PUBSUB_CONFIRMATIONS_DEAD_LETTER_TOPIC: env.PUBSUB_CONFIRMATIONS_DEAD_LETTER_TOPIC,
    }),
    web: build(env.WEB_PORT, {
      NEXT_TELEMETRY_DISABLED: '1',
      WAITING_ROOM_PUBLIC_URL: `http://127.0.0.1:${env.WAITING_ROOM_PORT}`,
      CHECKOUT_PUBLIC_URL: `http://127.0.0.1:${env.CHECKOUT_PORT}`,
    }),
  };
}
