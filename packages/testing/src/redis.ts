import { createRedisClient } from '@frequency/config/redis';

/**
 * Deletes every key that starts with `prefix` (SCAN + UNLINK on a client without a prefix): a
 * test's cleanup, or a Redis losing a test's data mid-test.
 */
export async function deleteKeysWithPrefix(url: string, prefix: string): Promise<void> {
  const raw = createRedisClient({ url, name: 'test-cleanup' });
  try {
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await raw.unlink(...keys);
    } while (cursor !== '0');
  } finally {
    raw.disconnect();
  }
}

/**
 * Deletes every key that starts with `prefix` in one script, as a Redis that loses its data does:
 * nothing that runs meanwhile sees some keys gone and others not, and nothing it writes back is
 * deleted after it. Test-sized key sets only: the script blocks Redis while it runs.
 */
export async function forgetKeysWithPrefix(url: string, prefix: string): Promise<number> {
  const raw = createRedisClient({ url, name: 'test-forget' });
  try {
    const deleted = await raw.eval(
      `local keys = redis.call('KEYS', ARGV[1])
       for i = 1, #keys, 1000 do
         redis.call('UNLINK', unpack(keys, i, math.min(i + 999, #keys)))
       end
       return #keys`,
      0,
      `${prefix.replace(/[*?[\]\\]/g, '\\$&')}*`,
    );
    return Number(deleted);
  } finally {
    raw.disconnect();
  }
}
