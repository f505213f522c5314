import { Redis } from 'ioredis';

export { redisEnv } from './redis-env.js';

export interface RedisClientOptions {
  url: string;
  keyPrefix?: string;
  /** Name shown in CLIENT LIST, to tell replicas apart when debugging. */
  name?: string;
}

/**
 * The one way services get a Redis client.
 * - commandTimeout 1 s: a hot-path request must fail fast (503) instead of queueing behind a dead
 *   Redis; normal commands take well under 1 ms.
 * - maxRetriesPerRequest 1: one retry across a reconnect, then the caller sees the error.
 * - enableOfflineQueue false after the first connect would drop commands during a failover; we keep
 *   the queue but bound it by the command timeout above.
 * - reconnect with capped backoff (50 ms .. 2 s) forever: Memorystore failovers take seconds.
 */
const lastErrors = new WeakMap<Redis, Error>();

export function createRedisClient(options: RedisClientOptions): Redis {
  const client = new Redis(options.url, {
    keyPrefix: options.keyPrefix ?? '',
    connectionName: options.name,
    commandTimeout: 1_000,
    connectTimeout: 2_000,
    maxRetriesPerRequest: 1,
    enableAutoPipelining: true,
    retryStrategy: (attempt) => Math.min(50 * 2 ** attempt, 2_000),
    lazyConnect: false,
  });
  // Without a listener ioredis prints every reconnect failure; keep the last one for readiness.
  client.on('error', (err: Error) => {
    lastErrors.set(client, err);
  });
  client.on('ready', () => {
    lastErrors.delete(client);
  });
  return client;
}

/** A readiness probe: PING with its own short deadline; the message names what failed. */
export async function pingRedis(redis: Redis, url: string): Promise<void> {
  if (redis.status !== 'ready') {
    const cause = lastErrors.get(redis)?.message ?? `connection ${redis.status}`;
    throw new Error(`Redis at ${redactUrl(url)} is unreachable: ${cause}`);
  }
  const pong: string = await redis.ping();
  if (pong !== 'PONG') throw new Error(`Redis at ${redactUrl(url)} answered ${pong}`);
}

export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(unparseable url)';
  }
}
