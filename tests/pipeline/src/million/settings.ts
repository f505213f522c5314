import { z } from 'zod';

const whole = (min: number, fallback: number) => z.coerce.number().int().min(min).default(fallback);

const millionEnv = z.object({
  /** Tickets of the run's event. */
  E2E_TICKETS: whole(1, 1_000_000),
  /** The event's admissionRatePerSecond: fans let through to checkout per second. */
  E2E_ADMISSION_RATE: whole(1, 5_000),
  /** Seconds of admission the line holds at most: fans join while it is shorter. */
  E2E_BACKLOG_SECONDS: z.coerce.number().positive().default(1),
  /** New fans per second as a multiple of the admission rate (the line fills, then holds). */
  E2E_ARRIVAL_FACTOR: z.coerce.number().min(1).default(1.2),
  /** Joins awaiting their answer at most. */
  E2E_JOINS_IN_FLIGHT: whole(1, 256),
  /** Distinct loopback source addresses the fans come from. */
  E2E_ADDRESSES: whole(1, 2_000),
  E2E_CONNECTIONS_PER_ADDRESS: whole(1, 1),
  /** Worker processes persisting the orders. */
  E2E_WORKERS: whole(1, 1),
  /** Accepted orders read back through GET /v1/orders/{id} after the run. */
  E2E_SAMPLE_READS: whole(0, 1_000),
  /** The run gives up when the last order is not confirmed this long after the first join. */
  E2E_TIMEOUT_SECONDS: whole(1, 900),
  /** Where the run's database and key prefix are made (fresh ones, removed at the end). */
  REDIS_URL: z.string().default('redis://127.0.0.1:6379/0'),
  DATABASE_URL: z.string().default('postgres://postgres@127.0.0.1:5432/postgres'),
  LOG_LEVEL: z.string().default('warn'),
});

export interface MillionSettings {
  tickets: number;
  admissionRate: number;
  backlogSeconds: number;
  arrivalFactor: number;
  joinsInFlight: number;
  addresses: number;
  connectionsPerAddress: number;
  workers: number;
  sampleReads: number;
  timeoutMs: number;
  redisUrl: string;
  databaseUrl: string;
  logLevel: string;
}

export function readMillionSettings(env: NodeJS.ProcessEnv): MillionSettings {
  const parsed = millionEnv.parse(env);
  return {
    tickets: parsed.E2E_TICKETS,
    admissionRate: parsed.E2E_ADMISSION_RATE,
    backlogSeconds: parsed.E2E_BACKLOG_SECONDS,
    arrivalFactor: parsed.E2E_ARRIVAL_FACTOR,
    joinsInFlight: parsed.E2E_JOINS_IN_FLIGHT,
    addresses: parsed.E2E_ADDRESSES,
    connectionsPerAddress: parsed.E2E_CONNECTIONS_PER_ADDRESS,
    workers: parsed.E2E_WORKERS,
    sampleReads: parsed.E2E_SAMPLE_READS,
    timeoutMs: parsed.E2E_TIMEOUT_SECONDS * 1000,
    redisUrl: parsed.REDIS_URL,
    databaseUrl: parsed.DATABASE_URL,
    logLevel: parsed.LOG_LEVEL,
  };
}

/** Each fan's order, 1..4 tickets uniformly, the last one trimmed so they add up to `tickets`. */
export function planQuantities(tickets: number, maxPerOrder = 4): Uint8Array {
  const planned: number[] = [];
  for (let left = tickets; left > 0;) {
    const quantity = Math.min(left, 1 + Math.floor(Math.random() * maxPerOrder));
    planned.push(quantity);
    left -= quantity;
  }
  return Uint8Array.from(planned);
}
