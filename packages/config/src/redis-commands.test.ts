import { createHash, randomUUID } from 'node:crypto';
import { Redis, type Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createRedisClient } from './redis.js';
import { defineCommands, script, type ScriptHost } from './redis-commands.js';

const url = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379/0';
const keyPrefix = `t:redis-commands:${randomUUID()}:`;

/** Echoes what it got, so a test sees exactly which KEYS and ARGV reached Redis, in which order. */
const echo = script({
  keys: ['first', 'second'],
  args: ['alpha', 'beta'],
  rest: 'more',
  lua: 'return { KEYS, ARGV }',
  reply: (raw) => z.tuple([z.array(z.string()), z.array(z.string())]).parse(raw),
});

/** Adds to a counter and answers its new value: a script that writes, with a parsed reply. */
const add = script({
  keys: ['counter'],
  args: ['by'],
  lua: "return redis.call('INCRBY', KEYS[1], ARGV[1])",
  reply: (raw) => z.number().int().parse(raw),
});

const peek = script({
  keys: ['counter'],
  args: [],
  lua: "return redis.call('GET', KEYS[1])",
  readOnly: true,
});

const scripts = { echo, add, peek };

// Both ioredis clients take scripts: this line stops compiling if either stops fitting.
const _clientsTakeScripts: [Redis, Cluster] extends [ScriptHost, ScriptHost] ? true : never = true;

let redis: Redis;
let bare: Redis;

beforeAll(() => {
  redis = createRedisClient({ url, keyPrefix, name: 'redis-commands-test' });
  bare = new Redis(url);
});

afterAll(async () => {
  const keys = await bare.keys(`${keyPrefix}*`);
  if (keys.length > 0) await bare.del(...keys);
  redis.disconnect();
  bare.disconnect();
});

describe('defineCommands', () => {
  it('sends keys and arguments by name in the order the script declares, prefix on keys only', async () => {
    const commands = defineCommands(redis, scripts);
    const [keys, argv] = await commands.echo(
      { second: 'b', first: 'a' },
      { beta: 2, alpha: 'one', more: ['x', 3] },
    );
    expect(keys).toEqual([`${keyPrefix}a`, `${keyPrefix}b`]);
    expect(argv).toEqual(['one', '2', 'x', '3']);
  });

  it('takes a keys object that holds more than the script needs', async () => {
    const commands = defineCommands(redis, scripts);
    const eventKeys = { counter: 'shared', other: 'unused', order: (id: string) => id };
    expect(await commands.add(eventKeys, { by: 2 })).toBe(2);
    expect(await commands.add(eventKeys, { by: 3 })).toBe(5);
    expect(await bare.get(`${keyPrefix}shared`)).toBe('5');
  });

  it('returns the raw reply of a script without a parser', async () => {
    const commands = defineCommands(redis, scripts);
    await commands.add({ counter: 'peeked' }, { by: 7 });
    expect(await commands.peek({ counter: 'peeked' })).toBe('7');
    expect(await commands.peek({ counter: 'never-written' })).toBeNull();
  });

  it('loads the scripts once per client, and a script Redis does not hold yet on first use', async () => {
    const first = defineCommands(redis, scripts);
    expect(defineCommands(redis, scripts)).toBe(first);
    // The same script in another set on the same client is fine: same name, same Lua.
    expect(await defineCommands(redis, { add }).add({ counter: 'twice' }, { by: 1 })).toBe(1);
    // A Lua text no Redis has seen: EVALSHA answers NOSCRIPT, and the call still runs it.
    const lua = `-- ${randomUUID()}\nreturn redis.call('INCRBY', KEYS[1], ARGV[1])`;
    const sha = createHash('sha1').update(lua).digest('hex');
    expect(await bare.script('EXISTS', sha)).toEqual([0]);
    const fresh = defineCommands(redis, { redisCommandsFresh: { ...add, lua } });
    expect(await fresh.redisCommandsFresh({ counter: 'fresh' }, { by: 2 })).toBe(2);
    expect(await bare.script('EXISTS', sha)).toEqual([1]);
    expect(await fresh.redisCommandsFresh({ counter: 'fresh' }, { by: 2 })).toBe(4);
  });

  it('runs a script defined while other commands wait in the auto-pipeline, and those too', async () => {
    const client = createRedisClient({ url, keyPrefix, name: 'redis-commands-busy' });
    try {
      await client.ping();
      // Queued now, sent on the next tick: their auto-pipeline was made before the script existed.
      const before = [client.set('busy', 'a'), client.get('busy')];
      const commands = defineCommands(client, { add });
      const added = commands.add({ counter: 'busy-counter' }, { by: 3 });
      const after = client.get('busy');
      expect(await Promise.all([...before, added, after])).toEqual(['OK', 'a', 3, 'a']);
      // Once the client's queue has drained, calls share its auto-pipelines again.
      expect(await commands.add({ counter: 'busy-counter' }, { by: 1 })).toBe(4);
    } finally {
      client.disconnect();
    }
  });

  it('refuses a second script under a name the client already has', () => {
    const client = createRedisClient({ url, keyPrefix, name: 'redis-commands-conflict' });
    try {
      defineCommands(client, { add });
      const other = script({ keys: ['counter'], args: ['by'], lua: 'return 0' });
      expect(() => defineCommands(client, { add: other })).toThrow(/add is already defined/);
    } finally {
      client.disconnect();
    }
  });

  it('queues scripts on a pipeline and a transaction, replies read with parse', async () => {
    const commands = defineCommands(redis, scripts);
    const pipeline = redis.pipeline();
    commands.add.inPipeline(pipeline, { counter: 'piped' }, { by: 4 });
    commands.add.inPipeline(pipeline.get('piped'), { counter: 'piped' }, { by: 1 });
    const results = (await pipeline.exec()) ?? [];
    expect(results.map(([err]) => err)).toEqual([null, null, null]);
    expect(results.map(([, raw]) => raw)).toEqual([4, '4', 5]);
    expect(commands.add.parse(results[2]?.[1])).toBe(5);

    const multi = commands.add.inPipeline(redis.multi(), { counter: 'piped' }, { by: 10 });
    const replies = (await multi.exec()) ?? [];
    expect(replies).toEqual([[null, 15]]);
    expect(commands.add.parse(replies[0]?.[1])).toBe(15);
  });

  it('says so when a pipeline was made before the scripts were loaded into its client', () => {
    const client = createRedisClient({ url, keyPrefix, name: 'redis-commands-early' });
    try {
      const early = client.pipeline();
      const commands = defineCommands(client, { add });
      expect(() => commands.add.inPipeline(early, { counter: 'x' }, { by: 1 })).toThrow(
        /add is not defined here/,
      );
    } finally {
      client.disconnect();
    }
  });

  it('rejects a reply its parser does not expect instead of passing it on', async () => {
    const wrong = script({
      keys: ['counter'],
      args: [],
      lua: "return 'not a number'",
      reply: (raw) => z.number().parse(raw),
    });
    const commands = defineCommands(redis, { redisCommandsWrongReply: wrong });
    await expect(commands.redisCommandsWrongReply({ counter: 'x' })).rejects.toThrow();
  });

  it('rejects with the error the script raised', async () => {
    const failing = script({
      keys: ['counter'],
      args: [],
      lua: "return redis.error_reply('BROKEN on purpose')",
    });
    const commands = defineCommands(redis, { redisCommandsFailing: failing });
    await expect(commands.redisCommandsFailing({ counter: 'x' })).rejects.toThrow(/BROKEN/);
  });

  it('names a key or argument a caller left out, before anything reaches Redis', async () => {
    const commands = defineCommands(redis, scripts);
    // @ts-expect-error a key is missing
    await expect(commands.add({}, { by: 1 })).rejects.toThrow('add: key counter is not a string');
    // @ts-expect-error an argument is missing
    await expect(commands.add({ counter: 'c' }, {})).rejects.toThrow(
      'add: argument by is not a string or number',
    );
    // @ts-expect-error a key name that is not the script's
    await expect(commands.add({ counterr: 'c' }, { by: 1 })).rejects.toThrow('key counter');
    // @ts-expect-error arguments are named, not positional
    await expect(commands.add({ counter: 'c' }, 1)).rejects.toThrow('argument by');
    await expect(
      // @ts-expect-error the variadic tail must be a list
      commands.echo({ first: 'a', second: 'b' }, { alpha: 1, beta: 2, more: 'x' }),
    ).rejects.toThrow('echo: argument more is not a list');
    expect(await bare.exists(`${keyPrefix}c`)).toBe(0);
  });
});
