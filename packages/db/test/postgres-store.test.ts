import { describe, expect, test } from 'vitest';
import { PostgresStore } from '../src/postgres-store.js';
import { freshPostgresStore } from './fresh-stores.js';
import { describeStoreContract } from './store-contract.js';

describeStoreContract('postgres', freshPostgresStore);

describe('PostgresStore errors', () => {
  test('calls serialization, deadlock and connection failures transient', () => {
    const store = PostgresStore.open('postgres://postgres@127.0.0.1:1/none');
    expect(store.isTransientError({ code: '40001' })).toBe(true);
    expect(store.isTransientError({ code: '40P01' })).toBe(true);
    expect(store.isTransientError({ code: 'ECONNREFUSED' })).toBe(true);
    expect(store.isTransientError({ code: '23505' })).toBe(false);
    return store.close();
  });
});
