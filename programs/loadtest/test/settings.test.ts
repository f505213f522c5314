import { describe, expect, it } from 'vitest';
import { newTestId, readLoadTestEnv, SettingsError } from '../src/settings.js';

describe('readLoadTestEnv', () => {
  it('defaults to k6 on PATH and the local stack ports', () => {
    const env = readLoadTestEnv({});
    expect(env).toMatchObject({
      K6: 'k6',
      REUSE_STACK: false,
      WAITING_ROOM_PORT: 3001,
      PROMETHEUS_LISTEN: '127.0.0.1:9090',
    });
    expect(env.JOIN_RATE_LIMIT_MAX).toBeUndefined();
    expect(env.TICKETS_TOTAL).toBeUndefined();
  });

  it('treats empty variables as unset', () => {
    expect(readLoadTestEnv({ TICKETS_TOTAL: '', K6: '' }).K6).toBe('k6');
  });

  it('names every bad variable in one message', () => {
    expect(() => readLoadTestEnv({ RATE_SCALE: '0', WEB_PORT: 'web', TESTID: 'Bad Id' })).toThrow(
      SettingsError,
    );
    try {
      readLoadTestEnv({ RATE_SCALE: '0', WEB_PORT: 'web', TESTID: 'Bad Id' });
    } catch (err) {
      const message = err instanceof Error ? err.message : '';
      expect(message).toMatch(/RATE_SCALE/);
      expect(message).toMatch(/WEB_PORT/);
      expect(message).toMatch(/TESTID/);
    }
  });

  it('needs the ops token of a stack it reuses', () => {
    expect(() => readLoadTestEnv({ REUSE_STACK: '1' })).toThrow(/OPS_TOKEN/);
    expect(
      readLoadTestEnv({ REUSE_STACK: '1', OPS_TOKEN: 'ops_0123456789abcdef' }).REUSE_STACK,
    ).toBe(true);
  });
});

describe('newTestId', () => {
  it('is a valid event id that sorts by time', () => {
    const id = newTestId(new Date('2026-12-01T15:04:05.678Z'), () => Buffer.from([1, 2, 3]));
    expect(id).toBe('sale-20261201-150405-010203');
    expect(id).toMatch(/^[a-z0-9][a-z0-9-]{1,62}$/);
  });
});
