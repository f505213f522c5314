import type { EventConfig } from '@frequency/contracts';
import { describe, expect, test } from 'vitest';
import { capChange, isInEffect, opensAtChange, pauseChange, rateChange, toLocalInput } from './event-changes';

const config: EventConfig = {
  id: 'frequency-20xx',
  name: 'Frequency Festival 20XX',
  venue: 'St. Pölten',
  ticketsTotal: 1_000,
  maxPerOrder: 4,
  opensAt: '2030-06-01T10:00:00.000Z',
  admissionRatePerSecond: 40,
  maxActiveCheckouts: 500,
  paused: false,
  joinChallengeBits: 0,
  maxPerBuyer: 4,
};

describe('a proposed change', () => {
  test('shows the rate from old to new, and a closed gate (0) is a rate too', () => {
    expect(rateChange('7', config, 'rate')).toEqual({ what: 'rate', from: '40', to: '7', body: { admissionRatePerSecond: 7 } });
    expect(rateChange('0', config, 'rate')?.body).toEqual({ admissionRatePerSecond: 0 });
    expect(rateChange('2.5', config, 'rate')?.body).toEqual({ admissionRatePerSecond: 2.5 });
  });

  test('proposes nothing for a rate that is negative or not a number', () => {
    expect(rateChange('-1', config, 'rate')).toBeNull();
    expect(rateChange('fast', config, 'rate')).toBeNull();
    expect(rateChange('Infinity', config, 'rate')).toBeNull();
  });

  test('keeps at least one whole checkout window', () => {
    expect(capChange('20', config, 'cap')).toEqual({ what: 'cap', from: '500', to: '20', body: { maxActiveCheckouts: 20 } });
    expect(capChange('0', config, 'cap')).toBeNull();
    expect(capChange('1.5', config, 'cap')).toBeNull();
  });

  test('turns the local wall time of the field into the instant it names', () => {
    const draft = toLocalInput('2030-06-02T08:30:00.000Z');
    expect(draft).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/);
    expect(opensAtChange(draft, config, 'opens')).toEqual({
      what: 'opens',
      from: config.opensAt,
      to: '2030-06-02T08:30:00.000Z',
      body: { opensAt: '2030-06-02T08:30:00.000Z' },
    });
    expect(opensAtChange('', config, 'opens')).toBeNull();
  });

  test('pausing flips the live state, whichever it is', () => {
    expect(pauseChange(config, 'pause').body).toEqual({ paused: true });
    expect(pauseChange({ ...config, paused: true }, 'resume')).toEqual({ what: 'resume', from: 'true', to: 'false', body: { paused: false } });
  });
});

describe('a change is in effect', () => {
  test('once the live config reports every field of it', () => {
    expect(isInEffect({ admissionRatePerSecond: 40 }, config)).toBe(true);
    expect(isInEffect({ admissionRatePerSecond: 7 }, config)).toBe(false);
    expect(isInEffect({ paused: false, maxActiveCheckouts: 500 }, config)).toBe(true);
    expect(isInEffect({ paused: true, maxActiveCheckouts: 500 }, config)).toBe(false);
  });

  test('comparing opening times as instants, however they are spelled', () => {
    expect(isInEffect({ opensAt: '2030-06-01T12:00:00+02:00' }, config)).toBe(true);
    expect(isInEffect({ opensAt: '2030-06-01T10:00:01.000Z' }, config)).toBe(false);
  });
});
