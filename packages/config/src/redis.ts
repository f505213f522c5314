import { Cluster, Redis } from 'ioredis';

export { redisEnv } from './redis-env.js';

/**
 * What the services take: one redis-server primary, or a Redis Cluster. Both speak the same
 * commands, scripts and pipelines; what differs is where a command may go. On a cluster every
 * script, MULTI and pipeline must keep to one slot (an event's keys carry the hash tag `{eventId}`),
 * commands that span events go one by one (auto-pipelined per node), and SCAN runs on each primary
 * (`primaries`).
 */
export type RedisClient = Redis | Cluster;

export interface RedisClientOptions {
  url: string;
  /** host:port of cluster nodes; when given (REDIS_CLUSTER_NODES), a Cluster client and no `url`. */
  clusterNodes?: readonly string[] | undefined;
  keyPrefix?: string;
  /** Name shown in CLIENT LIST, to tell replicas apart when debugging. */
  name?: string;
}

const lastErrors = new WeakMap<RedisClient, Error>();

/** Capped backoff (50 ms .. 2 s), forever: Memorystore failovers take seconds. */
const reconnectDelay = (attempt: number) => Math.min(50 * 2 ** attempt, 2_000);

/**
 * The one way services get a Redis client.
 * - commandTimeout 1 s: a hot-path request must fail fast (503) instead of queueing behind a dead
 *   Redis; normal commands take well under 1 ms.
 * - maxRetriesPerRequest 1: one retry across a reconnect, then the caller sees the error.
 * - enableOfflineQueue false after the first connect would drop commands during a failover; we keep
 *   the queue but bound it by the command timeout above.
 * - reconnect with capped backoff (50 ms .. 2 s) forever: Memorystore failovers take seconds.
 */
export function createRedisClient(
  options: RedisClientOptions & { clusterNodes?: undefined },
): Redis;
export function createRedisClient(options: RedisClientOptions): RedisClient;
export function createRedisClient(options: RedisClientOptions): RedisClient {
  const nodes = options.clusterNodes ?? [];
  const client =
    nodes.length > 0
      ? createRedisClusterClient(nodes, options)
      : new Redis(options.url, {
          keyPrefix: options.keyPrefix ?? '',
          connectionName: options.name,
          commandTimeout: 1_000,
          connectTimeout: 2_000,
          maxRetriesPerRequest: 1,
          enableAutoPipelining: true,
          retryStrategy: reconnectDelay,
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

/**
 * A Redis Cluster client with the same per-command bounds as the single primary's, plus:
 * - enableAutoPipelining: commands issued in one tick are batched per node, so reads that span
 *   events (one slot each) still cost one round trip per node, not one per key.
 * - scaleReads 'master': reads stay on the primaries. Replicas lag, and the services read what they
 *   just wrote (a join then its first poll, an admission then its order); a stale replica would
 *   answer "not in line" or "not admitted". The read-heavy paths (status polls, availability) are
 *   served from each replica's in-process snapshot, refreshed a few times a second, so replica
 *   reads would save little.
 * - slotsRefreshTimeout 2 s and slotsRefreshInterval 5 s: a resharding or failover is noticed by the
 *   MOVED/ASK redirections at once; the periodic refresh only catches a topology nobody hit yet.
 * - retryDelayOnFailover / OnClusterDown / OnTryAgain 100 ms, maxRedirections 16: a failover
 *   answers CLUSTERDOWN for a few seconds; each command keeps retrying within its 1 s timeout.
 * - dnsLookup as is: Memorystore gives IP addresses, and TLS names must not be re-resolved.
 */
export function createRedisClusterClient(
  nodes: readonly string[],
  options: Omit<RedisClientOptions, 'url' | 'clusterNodes'>,
): Cluster {
  return new Cluster(
    nodes.map((node) => {
      const index = node.lastIndexOf(':');
      return { host: node.slice(0, index), port: Number(node.slice(index + 1)) };
    }),
    {
      keyPrefix: options.keyPrefix ?? '',
      scaleReads: 'master',
      enableAutoPipelining: true,
      enableReadyCheck: true,
      slotsRefreshTimeout: 2_000,
      slotsRefreshInterval: 5_000,
      retryDelayOnFailover: 100,
      retryDelayOnClusterDown: 100,
      retryDelayOnTryAgain: 100,
      maxRedirections: 16,
      clusterRetryStrategy: reconnectDelay,
      dnsLookup: (address, callback) => {
        callback(null, address);
      },
      lazyConnect: false,
      redisOptions: {
        connectionName: options.name,
        commandTimeout: 1_000,
        connectTimeout: 2_000,
        maxRetriesPerRequest: 1,
      },
    },
  );
}

/** The primaries to run a per-node command on (SCAN, KEYS, INFO): the client itself when single. */
export function primaries(redis: RedisClient): Redis[] {
  return redis instanceof Cluster ? redis.nodes('master') : [redis];
}

/** A readiness probe: PING with its own short deadline; the message names what failed. */
export async function pingRedis(redis: RedisClient, url: string): Promise<void> {
  // Still connecting for the first time: the PING below queues and waits (bounded by the command
  // timeout). Reconnecting or closed: answer at once with the last error.
  if (redis.status === 'reconnecting' || redis.status === 'end' || redis.status === 'close') {
    const cause = lastErrors.get(redis)?.message ?? `connection ${redis.status}`;
    const where = redis instanceof Cluster ? 'the Redis Cluster' : `Redis at ${redactUrl(url)}`;
    throw new Error(`${where} is unreachable: ${cause}`);
  }
  await redis.ping();
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

/**
 * ioredis' failures that mean Redis did not answer in time, not that the request or the code was
 * wrong: a command past its commandTimeout, retries used up across a reconnect, a closed or
 * unwritable connection, a cluster that is down, failing over or cannot be reached. A request that
 * meets one is answered 503 with Retry-After, since the same request can succeed a moment later.
 * ioredis gives these errors no codes, so they are told apart here, and only here.
 */
const unavailableMessages = [
  /^Command timed out$/,
  /^Connection is closed\.$/,
  /^Stream isn't writeable/,
  /^CLUSTERDOWN /,
  /^TRYAGAIN /,
  /^None of startup nodes is available$/,
  /^Failed to refresh slots cache/,
];
const unavailableNames = new Set(['MaxRetriesPerRequestError', 'ClusterAllFailedError']);

export function isRedisUnavailable(err: unknown): boolean {
  if (!(err instanceof Error)) return false;
  return (
    unavailableNames.has(err.name) ||
    unavailableMessages.some((pattern) => pattern.test(err.message))
  );
}
