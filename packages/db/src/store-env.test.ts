import { ConfigError, httpEnv, parseEnv } from '@frequency/config';
import { describe, expect, test } from 'vitest';
import { openStore, storeEnv } from './store-env.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    parseEnv(storeEnv, env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems.map((p) => p.variable);
    throw err;
  }
  return [];
};

describe('storeEnv', () => {
  test('defaults to the Postgres store with its default URL', () => {
    expect(parseEnv(storeEnv, {})).toEqual({
      STORE: 'postgres',
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/frequency',
      DATABASE_POOL_SIZE: 10,
    });
  });

  test('reads the Spanner location only when STORE=spanner, with defaults for local use', () => {
    expect(
      parseEnv(storeEnv, { STORE: 'spanner', SPANNER_EMULATOR_HOST: '127.0.0.1:9010' }),
    ).toEqual({
      STORE: 'spanner',
      SPANNER_PROJECT_ID: 'frequency-local',
      SPANNER_INSTANCE: 'frequency',
      SPANNER_DATABASE: 'frequency',
      SPANNER_EMULATOR_HOST: '127.0.0.1:9010',
    });
  });

  test('ignores bad Spanner variables on Postgres and a bad DATABASE_URL on Spanner', () => {
    expect(problemsOf({ STORE: 'postgres', SPANNER_INSTANCE: 'Not Valid!' })).toEqual([]);
    expect(problemsOf({ STORE: 'spanner', DATABASE_URL: 'mysql://nope' })).toEqual([]);
  });

  test('names every bad Spanner variable when STORE=spanner', () => {
    expect(
      problemsOf({
        STORE: 'spanner',
        SPANNER_INSTANCE: 'Not Valid!',
        SPANNER_DATABASE: 'this-database-name-is-far-too-long-for-spanner',
        SPANNER_EMULATOR_HOST: 'http://127.0.0.1:9010',
      }).sort(),
    ).toEqual(['SPANNER_DATABASE', 'SPANNER_EMULATOR_HOST', 'SPANNER_INSTANCE']);
  });

  test('refuses a store it does not know', () => {
    expect(problemsOf({ STORE: 'mysql' })).toEqual(['STORE']);
  });

  test('composes with a service schema', () => {
    const env = parseEnv(httpEnv(3003).and(storeEnv), { PORT: '4000', STORE: 'spanner' });
    expect(env.PORT).toBe(4000);
    expect(env.STORE).toBe('spanner');
  });
});

describe('openStore', () => {
  test('opens the store STORE names, without connecting', async () => {
    const postgres = openStore(
      parseEnv(storeEnv, { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/none' }),
    );
    const spanner = openStore(
      parseEnv(storeEnv, { STORE: 'spanner', SPANNER_EMULATOR_HOST: '127.0.0.1:1' }),
    );
    expect([postgres.kind, spanner.kind]).toEqual(['postgres', 'spanner']);
    await Promise.all([postgres.close(), spanner.close()]);
  });
});
