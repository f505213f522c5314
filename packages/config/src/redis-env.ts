import { z } from 'zod';

const hostPort = /^[A-Za-z0-9.-]+:\d{1,5}$/;

function splitNodes(value: string): string[] {
  return value
    .split(',')
    .map((node) => node.trim())
    .filter((node) => node !== '');
}

export const redisEnv = z.object({
  REDIS_URL: z
    .url({ protocol: /^rediss?$/, error: 'must be a redis:// or rediss:// URL' })
    .default('redis://127.0.0.1:6379/0'),
  /**
   * A Redis Cluster's nodes, `host:port,…` (Memorystore for Redis Cluster: its discovery endpoint);
   * the client learns the rest from CLUSTER SLOTS. When set it wins over REDIS_URL.
   */
  REDIS_CLUSTER_NODES: z
    .string()
    .transform(splitNodes)
    .refine((nodes) => nodes.length > 0 && nodes.every((node) => hostPort.test(node)), {
      error: 'host:port entries, comma-separated',
    })
    .optional(),
  REDIS_KEY_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9:_-]*$/, 'letters, digits, ":", "_" and "-" only')
    .default('fq:'),
});
