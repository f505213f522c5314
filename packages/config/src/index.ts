import { z } from 'zod';

export { redisEnv } from './redis-env.js';
export { postgresEnv } from './postgres-env.js';
export { pubsubEnv } from './pubsub-env.js';

/** The HTTP fragment every process has; each service passes its own default port. */
export function httpEnv(defaultPort: number) {
  return z.object({
    HOST: z.string().min(1).default('0.0.0.0'),
    PORT: z.coerce.number().int().min(0).max(65_535).default(defaultPort),
    LOG_LEVEL: z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
      .default('info'),
    /**
     * Proxies of our own in front of this process (the load balancer counts as one). 0: the client
     * is the connecting socket. N: the address the outermost of them saw, i.e. the N-th
     * X-Forwarded-For entry from the right; anything a client wrote further left is never used.
     */
    TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  });
}

export class ConfigError extends Error {
  constructor(readonly problems: { variable: string; message: string }[]) {
    super(
      `Invalid environment: ${problems.length} variable${problems.length === 1 ? '' : 's'} to fix\n` +
        problems.map((p) => `  - ${p.variable}: ${p.message}`).join('\n'),
    );
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

/**
 * Parses the environment against a schema and reports every bad variable at once, so an operator
 * fixes a deployment in one round instead of one variable per crash.
 * Empty strings count as unset: `FOO=` in a shell or a manifest means "not configured".
 */
export function parseEnv<S extends z.ZodType>(schema: S, env: Env = process.env): z.infer<S> {
  const cleaned: Env = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value !== '') cleaned[key] = value;
  }
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({
    variable: issue.path.map(String).join('.') || '(environment)',
    message:
      issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message,
  }));
  throw new ConfigError(problems);
}

/** For server entry points: parse, or print the one readable message and exit 1. */
export function loadEnvOrExit<S extends z.ZodType>(schema: S, env: Env = process.env): z.infer<S> {
  try {
    return parseEnv(schema, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
