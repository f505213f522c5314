// How many VUs a run needs, and how many fans each may play, so that the run is a sale.
//
// An arrival-rate executor spreads iterations evenly over its VUs, and each VU has one address
// (client-addresses.ts): a VU's join rate is the phase's join rate divided by its VUs, so enough VUs
// per request per second keep every address under the join limit.
//
// A VU polls its fans only in its follow-up share of iterations: the request rate is fixed, so
// polls are a budget. If a VU holds more fans than that budget polls every few seconds, the fans
// near the front learn of their admission late, hold their checkout slot meanwhile, and the sale
// is paced by the load generator instead of by the waiting room. So the fans a VU keeps in flight
// are bounded by what it can poll within FRONT_POLL_SECONDS.
import { PHASES, phaseByName } from '@frequency/k6/lifecycle';
import { maxJoinShare } from './event-sizing.js';

export interface JoinLimit {
  max: number;
  windowSeconds: number;
}

/** Each address stays at this share of its join limit at the busiest phase. */
const LIMIT_HEADROOM = 0.5;

/**
 * VUs per request per second (k6's PRE_ALLOCATED_VU_SECONDS) that keep one address's joins at half
 * the limit, even in the phase where every iteration could be a join.
 */
export function vuSecondsForJoinLimit(limit: JoinLimit): number {
  const joinShare = Math.max(...PHASES.map(maxJoinShare));
  const perAddressJoinsPerSecond = (limit.max / limit.windowSeconds) * LIMIT_HEADROOM;
  return joinShare / perAddressJoinsPerSecond;
}

/** A fan near the front polls about every second; it should be polled within this many. */
const FRONT_POLL_SECONDS = 5;

/** MAX_FANS_PER_VU: the fans one VU's poll budget (at sale_opening, the tightest) keeps up with. */
export function fansPerVu(vuSeconds: number): number {
  const pollsPerSecond = phaseByName('sale_opening').mix.followUpShare / vuSeconds;
  return Math.max(1, Math.floor(pollsPerSecond * FRONT_POLL_SECONDS));
}
