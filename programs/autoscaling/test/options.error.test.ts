// Bad input to `pnpm autoscaling` gets a sentence naming the option.
import { describe, expect, it } from 'vitest';
import { parseOptions } from '../src/options.js';

describe('parseOptions', () => {
  it('takes the defaults', () => {
    const parsed = parseOptions([], {});
    expect(parsed.help).toBe(false);
    if (!parsed.help) expect(parsed.options.podStartSeconds).toBe(20);
  });

  it('names the option with a bad value', () => {
    expect(() => parseOptions(['--pod-start-seconds', 'soon'], {})).toThrow(
      /--pod-start-seconds must be a number/,
    );
    expect(() => parseOptions(['--admission-rate=-5'], {})).toThrow(/--admission-rate must be > 0/);
  });

  it('refuses an unknown option', () => {
    expect(() => parseOptions(['--floors', 'low'], {})).toThrow(/--floors/);
  });
});
