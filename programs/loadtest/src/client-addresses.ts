// Many client addresses from one machine: k6 `--local-ips` gives each VU one source address (VU n
// gets the n-th address of the ranges), so the run needs as many addresses as VUs.
import { buildOptions, readSettings } from '@frequency/k6/lifecycle';

/**
 * The most VUs any phase of the script may run with this environment (its maxVUs, read from the
 * script's own options), which is how many addresses the run can use.
 */
export function maxVus(k6Env: Record<string, string>): number {
  const scenarios = Object.values(buildOptions(readSettings(k6Env)).scenarios ?? {});
  return Math.max(
    1,
    ...scenarios.map((scenario) => ('maxVUs' in scenario ? (scenario.maxVUs ?? 1) : 1)),
  );
}

const ADDRESSES_PER_BLOCK = 65_534;

/**
 * `--local-ips` ranges with at least `count` addresses: whole 127.b.0.0/16 blocks from 127.1 up,
 * each 127.b.0.1-127.b.255.254, leaving 127.0.0.0/16 (where the services listen) alone.
 */
export function localIpRanges(count: number): string {
  if (!Number.isInteger(count) || count < 1)
    throw new Error(`need at least 1 address, got ${count}`);
  const blocks = Math.ceil(count / ADDRESSES_PER_BLOCK);
  if (blocks > 254) throw new Error(`${count} addresses do not fit in 127.1.0.0-127.254.255.255`);
  return Array.from({ length: blocks }, (_, index) => {
    const block = index + 1;
    return `127.${block}.0.1-127.${block}.255.254`;
  }).join(',');
}
