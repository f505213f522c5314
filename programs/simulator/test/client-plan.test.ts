import { describe, expect, it } from 'vitest';
import { loopbackAddress } from '../src/http.js';
import { clientPlan, JOIN_LIMIT, MAX_CLIENT_ADDRESSES } from '../src/settings.js';

describe('fans source addresses', () => {
  it('are distinct loopback addresses, never the services’ 127.0.0.1', () => {
    const addresses = Array.from({ length: MAX_CLIENT_ADDRESSES }, (_, i) => loopbackAddress(i));
    expect(new Set(addresses).size).toBe(addresses.length);
    for (const address of addresses) {
      expect(address).toMatch(/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/);
      expect(address).not.toBe('127.0.0.1');
      for (const octet of address.split('.').slice(1))
        expect(Number(octet)).toBeLessThanOrEqual(255);
      expect(address.endsWith('.0') || address.endsWith('.255')).toBe(false);
    }
  });

  it('are enough that round-robin joins stay within half the default join limit', () => {
    for (const rateScale of [0.004, 0.02, 0.05]) {
      const plan = clientPlan({ rateScale });
      expect(plan.joinRateLimitMax).toBeNull();
      // Sale opening: 50,000 req/s at full scale, 8 of 10 arrival weights join.
      const peakJoins = (50_000 * rateScale * 8) / 10;
      const perAddressPerWindow = (peakJoins * JOIN_LIMIT.windowSeconds) / plan.addresses;
      expect(perAddressPerWindow).toBeLessThanOrEqual(JOIN_LIMIT.max / 2);
    }
  });

  it('raise the limit explicitly only when one machine cannot have enough addresses', () => {
    const plan = clientPlan({ rateScale: 1 });
    expect(plan.addresses).toBe(MAX_CLIENT_ADDRESSES);
    expect(plan.joinRateLimitMax).not.toBeNull();
    const peakJoins = (50_000 * 8) / 10;
    expect((peakJoins * JOIN_LIMIT.windowSeconds) / plan.addresses).toBeLessThanOrEqual(
      (plan.joinRateLimitMax ?? 0) / 2,
    );
  });
});
