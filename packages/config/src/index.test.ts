import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, httpEnv, parseEnv, postgresEnv, pubsubEnv, redisEnv } from './index.js';

const schema = httpEnv(3001)
  .extend(redisEnv.shape)
  .extend(postgresEnv.shape)
  .extend(pubsubEnv.shape)
  .extend({ OPS_TOKEN: z.string().min(16) });

describe('parseEnv', () => {
  it('applies defaults and coerces numbers', () => {
    const env = parseEnv(schema, { OPS_TOKEN: 'x'.repeat(16), PORT: '4000' });
    expect(env.PORT).toBe(4000);
    expect(env.REDIS_URL).toBe('redis://127.0.0.1:6379/0');
    expect(env.PUBSUB_TOPIC).toBe('purchase-intents');
  });

  it('names every bad or missing variable in one message', () => {
    let caught: unknown;
    try {
      parseEnv(schema, {
        PORT: 'eighty',
        REDIS_URL: 'http://wrong',
        DATABASE_URL: 'mysql://nope',
        PUBSUB_EMULATOR_HOST: 'no-port',
      });
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(ConfigError);
    const error = caught as ConfigError;
    expect(error.problems.map((p) => p.variable).sort()).toEqual([
      'DATABASE_URL',
      'OPS_TOKEN',
      'PORT',
      'PUBSUB_EMULATOR_HOST',
      'REDIS_URL',
    ]);
    expect(error.message).toContain('5 variables to fix');
    expect(error.message).toMatch(/OPS_TOKEN: is required/);
    expect(error.message).toMatch(/REDIS_URL: must be a redis:\/\/ or rediss:\/\/ URL/);
  });

  it('trusts no proxy unless told how many of our own stand in front', () => {
    expect(parseEnv(schema, { OPS_TOKEN: 'x'.repeat(16) }).TRUSTED_PROXY_HOPS).toBe(0);
    expect(
      parseEnv(schema, { OPS_TOKEN: 'x'.repeat(16), TRUSTED_PROXY_HOPS: '2' }).TRUSTED_PROXY_HOPS,
    ).toBe(2);
    for (const bad of ['-1', '1.5', 'true', '11']) {
      expect(() =>
        parseEnv(schema, { OPS_TOKEN: 'x'.repeat(16), TRUSTED_PROXY_HOPS: bad }),
      ).toThrow(/TRUSTED_PROXY_HOPS/);
    }
  });

  it('treats an empty value as unset', () => {
    expect(() => parseEnv(schema, { OPS_TOKEN: '' })).toThrow(/OPS_TOKEN: is required/);
  });
});

describe('REDIS_CLUSTER_NODES', () => {
  it('is unset by default, so REDIS_URL names the one primary', () => {
    expect(parseEnv(redisEnv, {}).REDIS_CLUSTER_NODES).toBeUndefined();
  });

  it('reads a comma-separated host:port list, spaces and trailing commas aside', () => {
    const env = parseEnv(redisEnv, { REDIS_CLUSTER_NODES: '10.0.0.2:6379, 10.0.0.3:6379,' });
    expect(env.REDIS_CLUSTER_NODES).toEqual(['10.0.0.2:6379', '10.0.0.3:6379']);
  });

  it('names the variable when an entry is not host:port', () => {
    for (const bad of ['10.0.0.2', 'redis://10.0.0.2:6379', ',', 'a:b']) {
      expect(() => parseEnv(redisEnv, { REDIS_CLUSTER_NODES: bad })).toThrow(
        /REDIS_CLUSTER_NODES: host:port entries, comma-separated/,
      );
    }
  });
});
