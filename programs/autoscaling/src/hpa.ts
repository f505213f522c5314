// The HorizontalPodAutoscaler's replica calculation as kubernetes.io's "Horizontal Pod Autoscaling"
// page and the autoscaling/v2 behavior API specify it:
//
// - per metric: desired = ceil(ready × observed / target), kept at the current count while
//   |observed / target − 1| ≤ tolerance (0.1); on a scale-up, pods not yet ready count as using
//   nothing and the ratio is recomputed over all pods, and the scale is left alone if that
//   recomputation lands inside the tolerance or reverses the direction;
// - External metrics with an AverageValue target: desired = ceil(total / target), same tolerance
//   against total / (target × current);
// - several metrics: the largest proposal wins;
// - behavior: the stabilisation windows (scale-up takes the lowest recommendation of its window,
//   scale-down the highest), then the rate policies (Pods / Percent over periodSeconds, selectPolicy
//   Max, Min or Disabled) against the changes made inside each period, then min/max replicas.
//
// Plain functions on plain data, no clock of its own: the replay feeds it the time.

export type PolicyType = 'Pods' | 'Percent';
export type SelectPolicy = 'Max' | 'Min' | 'Disabled';

export interface ScalingPolicy {
  type: PolicyType;
  value: number;
  periodSeconds: number;
}

export interface ScalingRules {
  stabilizationWindowSeconds: number;
  selectPolicy: SelectPolicy;
  policies: readonly ScalingPolicy[];
}

export interface Behavior {
  scaleUp: ScalingRules;
  scaleDown: ScalingRules;
}

/** The API's defaults for a direction the manifest leaves out (autoscaling/v2 HPAScalingRules). */
export const DEFAULT_SCALE_UP: ScalingRules = {
  stabilizationWindowSeconds: 0,
  selectPolicy: 'Max',
  policies: [
    { type: 'Pods', value: 4, periodSeconds: 15 },
    { type: 'Percent', value: 100, periodSeconds: 15 },
  ],
};
export const DEFAULT_SCALE_DOWN: ScalingRules = {
  stabilizationWindowSeconds: 300,
  selectPolicy: 'Max',
  policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
};

/** kube-controller-manager's --horizontal-pod-autoscaler-tolerance default. */
export const DEFAULT_TOLERANCE = 0.1;
/** kube-controller-manager's --horizontal-pod-autoscaler-sync-period default. */
export const SYNC_PERIOD_SECONDS = 15;

/**
 * What the controller sees of one per-pod metric (CPU utilisation or a Pods metric): the average
 * over the ready pods, the count of those, and the pods that exist but are not ready yet.
 */
export interface PerPodObservation {
  kind: 'perPod';
  /** Average over ready pods, in the target's unit (utilisation %, or requests/s per pod). */
  averageOverReady: number;
  target: number;
  readyPods: number;
  unreadyPods: number;
}

/** An External metric with an AverageValue target: the total divided over the current replicas. */
export interface ExternalObservation {
  kind: 'external';
  total: number;
  targetAverageValue: number;
}

export type Observation = PerPodObservation | ExternalObservation;

/** One metric's proposal, as the replica calculator computes it. */
export function proposeReplicas(
  current: number,
  observation: Observation,
  tolerance = DEFAULT_TOLERANCE,
): number {
  if (observation.kind === 'external') {
    const ratio = observation.total / (observation.targetAverageValue * current);
    if (Math.abs(1 - ratio) <= tolerance) return current;
    return Math.ceil(observation.total / observation.targetAverageValue);
  }
  const { averageOverReady, target, readyPods, unreadyPods } = observation;
  if (readyPods === 0) return current;
  const ratio = averageOverReady / target;
  const scaleUpWithUnready = unreadyPods > 0 && ratio > 1;
  if (!scaleUpWithUnready) {
    if (Math.abs(1 - ratio) <= tolerance) return current;
    return Math.ceil(ratio * readyPods);
  }
  // Not-yet-ready pods are assumed to use 0 of the metric: a scale-up is damped by the pods already
  // on their way, so the controller does not keep adding pods for load they will take.
  const all = readyPods + unreadyPods;
  const newRatio = (averageOverReady * readyPods) / (target * all);
  if (Math.abs(1 - newRatio) <= tolerance || newRatio < 1) return current;
  const proposal = Math.ceil(newRatio * all);
  return proposal < current ? current : proposal;
}

/** A change the controller made, remembered for the rate policies' periods. */
export interface ScaleEvent {
  atSeconds: number;
  /** Replicas added (scale-up) or removed (scale-down), positive either way. */
  change: number;
}

export interface Recommendation {
  atSeconds: number;
  replicas: number;
}

export interface HpaState {
  recommendations: Recommendation[];
  scaleUpEvents: ScaleEvent[];
  scaleDownEvents: ScaleEvent[];
}

export function emptyState(): HpaState {
  return { recommendations: [], scaleUpEvents: [], scaleDownEvents: [] };
}

function changeInPeriod(events: readonly ScaleEvent[], now: number, periodSeconds: number): number {
  let sum = 0;
  for (const event of events) if (event.atSeconds > now - periodSeconds) sum += event.change;
  return sum;
}

/** The highest count the scale-up policies allow now. */
export function scaleUpLimit(
  current: number,
  state: Pick<HpaState, 'scaleUpEvents' | 'scaleDownEvents'>,
  rules: ScalingRules,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pick = rules.selectPolicy === 'Min' ? Math.min : Math.max;
  let result = rules.selectPolicy === 'Min' ? Infinity : -Infinity;
  for (const policy of rules.policies) {
    // The count at the start of the policy's period: undo what was added or removed inside it.
    const periodStart =
      current -
      changeInPeriod(state.scaleUpEvents, now, policy.periodSeconds) +
      changeInPeriod(state.scaleDownEvents, now, policy.periodSeconds);
    const proposed =
      policy.type === 'Pods'
        ? periodStart + policy.value
        : // Rounded up, or a small deployment could never grow by a percentage.
          Math.ceil(periodStart * (1 + policy.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

/** The lowest count the scale-down policies allow now ("Max" is the policy that removes most). */
export function scaleDownLimit(
  current: number,
  state: Pick<HpaState, 'scaleUpEvents' | 'scaleDownEvents'>,
  rules: ScalingRules,
  now: number,
): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const pick = rules.selectPolicy === 'Min' ? Math.max : Math.min;
  let result = rules.selectPolicy === 'Min' ? -Infinity : Infinity;
  for (const policy of rules.policies) {
    const periodStart =
      current +
      changeInPeriod(state.scaleDownEvents, now, policy.periodSeconds) -
      changeInPeriod(state.scaleUpEvents, now, policy.periodSeconds);
    const proposed =
      policy.type === 'Pods'
        ? periodStart - policy.value
        : Math.floor(periodStart * (1 - policy.value / 100));
    result = pick(result, proposed);
  }
  return result;
}

export interface HpaSpec {
  minReplicas: number;
  maxReplicas: number;
  behavior: Behavior;
  tolerance?: number;
}

export interface SyncResult {
  /** The largest proposal of the metrics, before behavior. */
  proposed: number;
  /** The replica count the controller sets. */
  desired: number;
}

/**
 * One controller sync: metrics → proposal → stabilisation → rate limits → min/max. Mutates
 * `state` (recommendation history and scale events), as the controller keeps them between syncs.
 */
export function syncHpa(
  spec: HpaSpec,
  state: HpaState,
  current: number,
  observations: readonly Observation[],
  now: number,
): SyncResult {
  const tolerance = spec.tolerance ?? DEFAULT_TOLERANCE;
  // Outside the bounds the controller sets the bound directly, without metrics or behavior.
  const bound =
    current > spec.maxReplicas
      ? spec.maxReplicas
      : current < spec.minReplicas
        ? spec.minReplicas
        : null;
  if (bound !== null) {
    recordChange(state, current, bound, now);
    return { proposed: bound, desired: bound };
  }
  const proposed =
    observations.length === 0
      ? current
      : Math.max(...observations.map((o) => proposeReplicas(current, o, tolerance)));

  // Stabilisation: scaling up goes no higher than the lowest recommendation of the up window,
  // scaling down no lower than the highest of the down window (the current one included).
  const { scaleUp, scaleDown } = spec.behavior;
  let upRecommendation = proposed;
  let downRecommendation = proposed;
  for (const rec of state.recommendations) {
    if (rec.atSeconds > now - scaleUp.stabilizationWindowSeconds) {
      upRecommendation = Math.min(upRecommendation, rec.replicas);
    }
    if (rec.atSeconds > now - scaleDown.stabilizationWindowSeconds) {
      downRecommendation = Math.max(downRecommendation, rec.replicas);
    }
  }
  const longest = Math.max(
    scaleUp.stabilizationWindowSeconds,
    scaleDown.stabilizationWindowSeconds,
  );
  state.recommendations = state.recommendations.filter((r) => r.atSeconds > now - longest);
  state.recommendations.push({ atSeconds: now, replicas: proposed });
  let stabilized = current;
  if (stabilized < upRecommendation) stabilized = upRecommendation;
  if (stabilized > downRecommendation) stabilized = downRecommendation;

  let desired: number;
  if (stabilized > current) {
    const limit = Math.max(current, scaleUpLimit(current, state, scaleUp, now));
    desired = Math.min(stabilized, spec.maxReplicas, limit);
  } else if (stabilized < current) {
    const limit = Math.min(current, scaleDownLimit(current, state, scaleDown, now));
    desired = Math.max(stabilized, spec.minReplicas, limit);
  } else {
    desired = Math.min(Math.max(stabilized, spec.minReplicas), spec.maxReplicas);
  }

  recordChange(state, current, desired, now, spec.behavior);
  return { proposed, desired };
}

/** Remembers a change for the rate policies; forgets what is older than every period. */
function recordChange(
  state: HpaState,
  current: number,
  desired: number,
  now: number,
  behavior?: Behavior,
): void {
  if (desired > current) state.scaleUpEvents.push({ atSeconds: now, change: desired - current });
  if (desired < current) state.scaleDownEvents.push({ atSeconds: now, change: current - desired });
  if (behavior === undefined) return;
  const period = Math.max(
    0,
    ...[...behavior.scaleUp.policies, ...behavior.scaleDown.policies].map((p) => p.periodSeconds),
  );
  state.scaleUpEvents = state.scaleUpEvents.filter((e) => e.atSeconds > now - period);
  state.scaleDownEvents = state.scaleDownEvents.filter((e) => e.atSeconds > now - period);
}
