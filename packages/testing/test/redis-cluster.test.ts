import { createRedisClusterClient } from '@frequency/config/redis';
import { eventKeys } from '@frequency/contracts';
import {
  deleteKeysWithPrefix,
  describe,
  expect,
  forgetKeysWithPrefix,
  test,
  uniqueName,
} from '../src/index.js';

describe('redisCluster fixture', () => {
  test('3 primaries that split events between them; prefix cleanup reaches every primary', async ({
    redisCluster,
  }) => {
    expect(redisCluster.nodes).toHaveLength(3);
    const keyPrefix = `${uniqueName('t')}:`;
    const client = createRedisClusterClient(redisCluster.nodes, { keyPrefix });
    try {
      const events = Array.from({ length: 30 }, (_, i) => `ev-${i}`);
      for (const id of events) await client.set(eventKeys(id).stock, '1');
      const holders = await Promise.all(
        client.nodes('master').map(async (node) => (await node.keys(`${keyPrefix}*`)).length),
      );
      // The slot is the hash of the tag {ev-i} alone, and the slots of ev-0 … ev-29 fall in each of
      // the three ranges `--cluster create` gives the primaries.
      expect(holders.filter((count) => count > 0)).toHaveLength(3);
      expect(holders.reduce((a, b) => a + b, 0)).toBe(30);

      expect(await forgetKeysWithPrefix('', keyPrefix, redisCluster.nodes)).toBe(30);
      for (const id of events) await client.set(eventKeys(id).sold, '1');
      await deleteKeysWithPrefix('', keyPrefix, redisCluster.nodes);
      const left = await Promise.all(events.map((id) => client.exists(eventKeys(id).sold)));
      expect(left.reduce((a, b) => a + b, 0)).toBe(0);
    } finally {
      client.disconnect();
    }
  });
});
