// How big an event must be to sell out inside a scaled run, from the lifecycle itself.
//
// A joined fan buys only once admitted, and the event admits `admissionRatePerSecond` fans a second.
// Setting that rate well below the slowest join inflow at opening makes admissions, not arrivals,
// pace the sale: a queue forms (as on the day) and tickets go at a rate the model can predict. A
// quarter of that inflow also keeps the polls of the fans near the front within k6's request
// budget (vu-sizing.ts). The
// tickets are what that pace sells from the opening to `sellOutShareOfSustained` into the
// sustained phase: well after sale_opening (whose 409 share must stay under 1%) and well before
// sold_out (whose joins and orders must mostly meet 409), with room either side for a sale that
// runs faster or slower than the model.
import { QUANTITY_WEIGHTS } from '@frequency/k6/fans';
import { scalePhases, type PhaseSpec, type ScaledPhase } from '@frequency/k6/lifecycle';

export interface EventSizing {
  ticketsTotal: number;
  admissionRatePerSecond: number;
  maxActiveCheckouts: number;
  /** Seconds from the start of the run at which the model sells the last ticket. */
  expectedSellOutSeconds: number;
}

export interface SizingOptions {
  rateScale: number;
  timeScale: number;
  /** Where in the sustained phase the model sells out (0 = its start, 1 = its end). */
  sellOutShareOfSustained?: number;
  /** Admission rate as a share of the slowest join inflow at opening. */
  admissionShareOfJoins?: number;
}

export const MAX_PER_ORDER = 4;

/** Mean tickets per order in the fans' mix (k6/lib/fans.ts). */
export function meanQuantity(): number {
  return QUANTITY_WEIGHTS.reduce((sum, [quantity, weight]) => sum + quantity * weight, 0);
}

/**
 * Joins per second a phase sends at least: iterations go to new arrivals at least
 * (1 − followUpShare) of the time, and a share of arrivals join.
 */
export function minJoinsPerSecond(phase: Pick<ScaledPhase, 'scaledRatePerSecond' | 'mix'>): number {
  const arrivals = Object.values(phase.mix.arrivals).reduce((sum, weight) => sum + weight, 0);
  if (arrivals === 0) return 0;
  return (
    phase.scaledRatePerSecond * (1 - phase.mix.followUpShare) * (phase.mix.arrivals.join / arrivals)
  );
}

/** Joins per second a phase sends at most: every iteration a new arrival. */
export function maxJoinShare(phase: Pick<PhaseSpec, 'mix'>): number {
  const arrivals = Object.values(phase.mix.arrivals).reduce((sum, weight) => sum + weight, 0);
  return arrivals === 0 ? 0 : phase.mix.arrivals.join / arrivals;
}

function phaseNamed(phases: ScaledPhase[], name: ScaledPhase['name']): ScaledPhase {
  const phase = phases.find((candidate) => candidate.name === name);
  if (phase === undefined) throw new Error(`the lifecycle has no ${name} phase`);
  return phase;
}

/**
 * Sizes the event by a one-second fluid model: joins (at their lower bound) fill the queue,
 * pre-sale joins wait in the pre-queue until opening, the queue drains at the admission rate,
 * and every admitted fan buys the mean quantity.
 */
export function sizeEvent(options: SizingOptions): EventSizing {
  const sellOutShare = options.sellOutShareOfSustained ?? 0.4;
  const admissionShare = options.admissionShareOfJoins ?? 0.25;
  if (!(sellOutShare > 0 && sellOutShare < 1)) {
    throw new Error(`sellOutShareOfSustained must be between 0 and 1, got ${sellOutShare}`);
  }
  const phases = scalePhases(options);
  const opening = phaseNamed(phases, 'sale_opening');
  const sustained = phaseNamed(phases, 'sustained');
  const admissionRatePerSecond = Math.max(
    1,
    Math.round(minJoinsPerSecond(opening) * admissionShare),
  );
  const target = sustained.startSeconds + sellOutShare * sustained.scaledDurationSeconds;
  const quantity = meanQuantity();

  let waiting = 0;
  let sold = 0;
  for (const phase of phases) {
    const joins = minJoinsPerSecond(phase);
    for (let second = 0; second < phase.scaledDurationSeconds; second += 1) {
      const at = phase.startSeconds + second;
      if (at >= target) break;
      waiting += joins;
      if (at < opening.startSeconds) continue;
      const admitted = Math.min(admissionRatePerSecond, waiting);
      waiting -= admitted;
      sold += admitted * quantity;
    }
  }
  const ticketsTotal = Math.max(MAX_PER_ORDER, Math.floor(sold));
  return {
    ticketsTotal,
    admissionRatePerSecond,
    // Admitted fans hold a checkout slot for their think time and the order: a generous ceiling,
    // so the sale is paced by admissions alone.
    maxActiveCheckouts: Math.max(100, admissionRatePerSecond * 60),
    expectedSellOutSeconds: Math.round(target),
  };
}
