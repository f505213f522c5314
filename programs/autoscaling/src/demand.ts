// The offered load of the full-scale lifecycle, second by second and endpoint by endpoint, from the
// same phases, rates, durations and mixes the k6 script plays (@frequency/k6/lifecycle).
//
// The k6 mix is per iteration: a share `followUpShare` of requests goes to fans already in the
// flow, the rest to new arrivals by weight. At full scale the checkout part of the follow-ups is
// bounded by the admission rate (one order per admitted fan, then its order polls) and stops when
// the tickets are gone; the remainder of the follow-ups are queue status polls.
import { pickQuantity } from '@frequency/k6/fans';
import { PHASES, type Endpoint, type PhaseName } from '@frequency/k6/lifecycle';

export interface DemandSettings {
  /** Fans admitted to checkout per second (docs/deploy.md: 1,000). */
  admissionRatePerSecond: number;
  ticketsTotal: number;
  /** Order status reads per order: the k6 fan re-reads every ORDER_POLL_MS until it is confirmed. */
  orderPollsPerOrder: number;
}

export const DEFAULT_DEMAND: DemandSettings = {
  admissionRatePerSecond: 1_000,
  ticketsTotal: 1_000_000,
  orderPollsPerOrder: 1,
};

/** The mean of the k6 fans' quantity distribution, read off its own picker on an even grid. */
export function meanTicketsPerOrder(): number {
  const steps = 10_000;
  let sum = 0;
  for (let i = 0; i < steps; i += 1) sum += pickQuantity(() => (i + 0.5) / steps);
  return sum / steps;
}

export interface DemandSecond {
  second: number;
  phase: PhaseName;
  /** Requests per second offered per endpoint. */
  requests: Record<Endpoint, number>;
  /** Purchase intents published to Pub/Sub this second (one per accepted order). */
  purchaseIntents: number;
}

export interface PhaseWindow {
  name: PhaseName;
  startSeconds: number;
  endSeconds: number;
  ratePerSecond: number;
}

export function phaseWindows(): PhaseWindow[] {
  let start = 0;
  return PHASES.map((phase) => {
    const window = {
      name: phase.name,
      startSeconds: start,
      endSeconds: start + phase.durationSeconds,
      ratePerSecond: phase.ratePerSecond,
    };
    start += phase.durationSeconds;
    return window;
  });
}

/** Orders start with the first admissions, when the sale opens. */
const FIRST_ORDER_PHASE: PhaseName = 'sale_opening';

export function buildDemand(settings: DemandSettings = DEFAULT_DEMAND): DemandSecond[] {
  const ticketsPerOrder = meanTicketsPerOrder();
  const seconds: DemandSecond[] = [];
  let ticketsLeft = settings.ticketsTotal;
  let ordering = false;
  let second = 0;
  for (const phase of PHASES) {
    if (phase.name === FIRST_ORDER_PHASE) ordering = true;
    const arrivalWeights = phase.mix.arrivals;
    const weightSum =
      arrivalWeights.page +
      arrivalWeights.event +
      arrivalWeights.availability +
      arrivalWeights.join;
    for (let i = 0; i < phase.durationSeconds; i += 1, second += 1) {
      const rate = phase.ratePerSecond;
      const followUps = rate * phase.mix.followUpShare;
      const arrivals = rate - followUps;
      let orders = 0;
      if (ordering && ticketsLeft > 0) {
        orders = Math.min(settings.admissionRatePerSecond, ticketsLeft / ticketsPerOrder);
        ticketsLeft -= orders * ticketsPerOrder;
      }
      // Checkout follow-ups are served first (k6: an admitted fan's token is short-lived).
      const checkoutFollowUps = Math.min(followUps, orders * (1 + settings.orderPollsPerOrder));
      const orderShare = checkoutFollowUps / (1 + settings.orderPollsPerOrder);
      const share = (weight: number) => (weightSum === 0 ? 0 : (arrivals * weight) / weightSum);
      seconds.push({
        second,
        phase: phase.name,
        requests: {
          page: share(arrivalWeights.page),
          event: share(arrivalWeights.event),
          availability: share(arrivalWeights.availability),
          join: share(arrivalWeights.join),
          status: followUps - checkoutFollowUps,
          order: orderShare,
          order_status: checkoutFollowUps - orderShare,
        },
        purchaseIntents: orderShare,
      });
    }
  }
  return seconds;
}

/** The second the last ticket goes, or null if the lifecycle ends first. */
export function soldOutSecond(settings: DemandSettings = DEFAULT_DEMAND): number | null {
  const ticketsPerOrder = meanTicketsPerOrder();
  let sold = 0;
  for (const s of buildDemand(settings)) {
    sold += s.purchaseIntents * ticketsPerOrder;
    if (sold >= settings.ticketsTotal - 1e-6) return s.second;
  }
  return null;
}
