// The capacity plan's rule, applied to the replay's load: enough pods to carry the busiest second
// at the CPU target, times 3/2 so losing one of three zones still leaves that many; and the
// requests/s per pod at which the CPU target is reached, to check a Pods target against.
import type { ServiceManifest } from './manifests.js';
import type { ServiceLoad } from './services.js';

export interface PlanFigures {
  /** vCPU the busiest second needs. */
  peakVcpu: number;
  cpuTargetPercent: number;
  podsAtTarget: number;
  /** The floor the rule asks for: podsAtTarget × 3/2, rounded up. */
  floorByRule: number;
  /** Work per pod per second at which CPU reaches its target, at the busiest second's mix. */
  perPodAtCpuTarget: number;
  /** The manifest's other target, in words: a Pods rate is comparable, a backlog is not. */
  perPodTarget: string | null;
}

export const ZONE_LOSS_FACTOR = 3 / 2;

export function planFigures(manifest: ServiceManifest, load: ServiceLoad): PlanFigures {
  const cpu = manifest.metrics.find((m) => m.type === 'Resource');
  const cpuTargetPercent = cpu?.type === 'Resource' ? cpu.resource.target.averageUtilization : 100;
  let worst = 0;
  let worstCost = load.vcpuSecondsPerUnit[0] ?? 0;
  load.offered.forEach((offered, second) => {
    const cost = load.vcpuSecondsPerUnit[second] ?? 0;
    if (offered * cost > worst) {
      worst = offered * cost;
      worstCost = cost;
    }
  });
  const perPodVcpuAtTarget = (cpuTargetPercent / 100) * manifest.cpuRequest;
  const podsAtTarget = Math.max(1, Math.ceil(worst / perPodVcpuAtTarget));
  const other = manifest.metrics.find((m) => m.type !== 'Resource');
  const perPodTarget =
    other?.type === 'Pods'
      ? `${other.pods.target.averageValue.toLocaleString('en')} ${load.unit}`
      : other?.type === 'External'
        ? `${other.external.target.averageValue.toLocaleString('en')} messages of backlog`
        : null;
  return {
    peakVcpu: worst,
    cpuTargetPercent,
    podsAtTarget,
    floorByRule: Math.ceil(podsAtTarget * ZONE_LOSS_FACTOR),
    perPodAtCpuTarget: worstCost > 0 ? perPodVcpuAtTarget / worstCost : 0,
    perPodTarget,
  };
}
