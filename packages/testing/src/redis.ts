import { createRedisClient, primaries, type RedisClient } from '@frequency/config/redis';
import type { Redis } from 'ioredis';

/** TEST_REDIS_CLUSTER_NODES (host:port,…): run a package's tests on a Redis Cluster, as REDIS_CLUSTER_NODES does. */
export function testRedisClusterNodes(): string[] | undefined {
  const nodes = (process.env.TEST_REDIS_CLUSTER_NODES ?? '').split(',').filter((n) => n !== '');
  return nodes.length > 0 ? nodes : undefined;
}

/**
 * Deletes every key that starts with `prefix` (SCAN + UNLINK on a client without a prefix): a
 * test's cleanup, or a Redis losing a test's data mid-test.
 */
export async function deleteKeysWithPrefix(
  url: string,
  prefix: string,
  clusterNodes = testRedisClusterNodes(),
): Promise<void> {
  const raw = createRedisClient({
    url,
    clusterNodes,
    name: 'test-cleanup',
  });
  try {
    // SCAN walks one node's keys: on a cluster, each primary's. UNLINK per key, since one call's
    // keys must share a slot.
    for (const node of await primariesOf(raw)) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
        cursor = next;
        await Promise.all(keys.map((key) => node.unlink(key)));
      } while (cursor !== '0');
    }
  } finally {
    raw.disconnect();
  }
}

/** The client's primaries once it is ready (a cluster learns its nodes on connect). */
async function primariesOf(redis: RedisClient): Promise<Redis[]> {
  await redis.ping();
  return primaries(redis);
}

/**
 * Deletes every key that starts with `prefix` in one script, as a Redis that loses its data does:
 * nothing that runs meanwhile sees some keys gone and others not, and nothing it writes back is
 * deleted after it. Test-sized key sets only: the script blocks Redis while it runs.
 */
export async function forgetKeysWithPrefix(
  url: string,
  prefix: string,
  clusterNodes = testRedisClusterNodes(),
): Promise<number> {
  const raw = createRedisClient({
    url,
    clusterNodes,
    name: 'test-forget',
  });
  try {
    // On a cluster, one script per primary: each event's keys sit in one slot, so every event is
    // forgotten at once, though primaries forget theirs one after another.
    let deleted = 0;
    for (const node of await primariesOf(raw)) {
      deleted += Number(await forgetOnNode(node, prefix));
    }
    return deleted;
  } finally {
    raw.disconnect();
  }
}

function forgetOnNode(node: Redis, prefix: string): Promise<unknown> {
  return node.eval(
    // One UNLINK per key: on a cluster node the keys span slots, and a command keeps to one.
    `#!lua flags=allow-cross-slot-keys
     local keys = redis.call('KEYS', ARGV[1])
     for i = 1, #keys do redis.call('UNLINK', keys[i]) end
     return #keys`,
    0,
    `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`,
  );
}
