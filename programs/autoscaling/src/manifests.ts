// Reads what the replay needs from the project's own Kubernetes manifests: each service's
// HorizontalPodAutoscaler (base, with the production overlay's fields laid over it), the container's
// CPU request and limit, and its startup/readiness probe timings. Parsed, never copied, so a change
// to a manifest changes the replay.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import {
  DEFAULT_SCALE_DOWN,
  DEFAULT_SCALE_UP,
  type Behavior,
  type HpaSpec,
  type ScalingRules,
} from './hpa.js';

export const SERVICES = ['waiting-room', 'checkout', 'web', 'worker'] as const;
export type Service = (typeof SERVICES)[number];

const PolicySchema = z.object({
  type: z.enum(['Pods', 'Percent']),
  value: z.number().int().positive(),
  periodSeconds: z.number().int().positive(),
});
const RulesSchema = z.object({
  stabilizationWindowSeconds: z.number().int().min(0).optional(),
  selectPolicy: z.enum(['Max', 'Min', 'Disabled']).optional(),
  policies: z.array(PolicySchema).optional(),
});
const MetricSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('Resource'),
    resource: z.object({
      name: z.string(),
      target: z.object({ type: z.literal('Utilization'), averageUtilization: z.number() }),
    }),
  }),
  z.object({
    type: z.literal('Pods'),
    pods: z.object({
      metric: z.object({ name: z.string() }),
      target: z.object({ type: z.literal('AverageValue'), averageValue: z.coerce.number() }),
    }),
  }),
  z.object({
    type: z.literal('External'),
    external: z.object({
      metric: z.object({ name: z.string() }),
      target: z.object({ type: z.literal('AverageValue'), averageValue: z.coerce.number() }),
    }),
  }),
]);
export type HpaMetric = z.infer<typeof MetricSchema>;

const HpaSpecSchema = z.object({
  minReplicas: z.number().int().positive().optional(),
  maxReplicas: z.number().int().positive().optional(),
  metrics: z.array(MetricSchema).optional(),
  behavior: z
    .object({ scaleUp: RulesSchema.optional(), scaleDown: RulesSchema.optional() })
    .optional(),
});
type HpaSpecFields = z.infer<typeof HpaSpecSchema>;

const ProbeSchema = z.object({
  initialDelaySeconds: z.number().min(0).default(0),
  periodSeconds: z.number().positive().default(10),
});
const ContainerSchema = z.object({
  name: z.string(),
  resources: z.object({
    requests: z.object({ cpu: z.union([z.string(), z.number()]) }),
    limits: z.object({ cpu: z.union([z.string(), z.number()]) }).optional(),
  }),
  startupProbe: ProbeSchema.optional(),
  readinessProbe: ProbeSchema.optional(),
});

const DocumentSchema = z.object({
  kind: z.string(),
  metadata: z.object({ name: z.string() }),
  spec: z.unknown().optional(),
});
const DeploymentSpecSchema = z.object({
  template: z.object({ spec: z.object({ containers: z.array(ContainerSchema).min(1) }) }),
});

export interface ServiceManifest {
  service: Service;
  hpa: HpaSpec;
  metrics: HpaMetric[];
  /** CPU request and limit of the service's container, in cores (vCPU). */
  cpuRequest: number;
  cpuLimit: number;
  startupProbe: { initialDelaySeconds: number; periodSeconds: number } | null;
  readinessProbe: { initialDelaySeconds: number; periodSeconds: number } | null;
}

/** "500m" → 0.5, "2" → 2, 1 → 1. */
export function parseCpu(value: string | number): number {
  if (typeof value === 'number') return value;
  const match = /^(\d+(?:\.\d+)?)(m?)$/.exec(value.trim());
  if (match === null) throw new Error(`not a CPU quantity: "${value}"`);
  const amount = Number(match[1]);
  return match[2] === 'm' ? amount / 1000 : amount;
}

function documents(file: string): z.infer<typeof DocumentSchema>[] {
  return parseAllDocuments(readFileSync(file, 'utf8'))
    .map((doc) => doc.toJS() as unknown)
    .filter((doc) => doc !== null && doc !== undefined)
    .map((doc) => DocumentSchema.parse(doc));
}

function rules(
  fields: z.infer<typeof RulesSchema> | undefined,
  fallback: ScalingRules,
): ScalingRules {
  return {
    stabilizationWindowSeconds:
      fields?.stabilizationWindowSeconds ?? fallback.stabilizationWindowSeconds,
    selectPolicy: fields?.selectPolicy ?? 'Max',
    policies: fields?.policies ?? fallback.policies,
  };
}

/** The production overlay's fields replace the base's, as kustomize's strategic merge does here. */
function merge(base: HpaSpecFields, overlay: HpaSpecFields | undefined): HpaSpecFields {
  return { ...base, ...overlay };
}

export interface ManifestPaths {
  baseDir: string;
  /** null replays the base alone (its own minReplicas/maxReplicas). */
  overlayFile: string | null;
}

export function defaultManifestPaths(repoRoot: string): ManifestPaths {
  return {
    baseDir: join(repoRoot, 'infra/k8s/base'),
    overlayFile: join(repoRoot, 'infra/k8s/overlays/production/autoscaling.yaml'),
  };
}

/** One service's manifests, or null when it has no HorizontalPodAutoscaler. */
export function readServiceManifest(
  service: Service,
  paths: ManifestPaths,
): ServiceManifest | null {
  const docs = documents(join(paths.baseDir, `${service}.yaml`));
  const hpaDoc = docs.find((d) => d.kind === 'HorizontalPodAutoscaler');
  if (hpaDoc === undefined) return null;
  const overlayDoc =
    paths.overlayFile === null
      ? undefined
      : documents(paths.overlayFile).find(
          (d) => d.kind === 'HorizontalPodAutoscaler' && d.metadata.name === service,
        );
  const fields = merge(
    HpaSpecSchema.parse(hpaDoc.spec),
    overlayDoc ? HpaSpecSchema.parse(overlayDoc.spec) : undefined,
  );
  const deployment = docs.find((d) => d.kind === 'Deployment');
  if (deployment === undefined) throw new Error(`${service}.yaml has an HPA but no Deployment`);
  const containers = DeploymentSpecSchema.parse(deployment.spec).template.spec.containers;
  const container = containers.find((c) => c.name === service) ?? containers[0];
  if (container === undefined) throw new Error(`${service}: no container`);
  const behavior: Behavior = {
    scaleUp: rules(fields.behavior?.scaleUp, DEFAULT_SCALE_UP),
    scaleDown: rules(fields.behavior?.scaleDown, DEFAULT_SCALE_DOWN),
  };
  const cpuRequest = parseCpu(container.resources.requests.cpu);
  return {
    service,
    hpa: { minReplicas: fields.minReplicas ?? 1, maxReplicas: fields.maxReplicas ?? 1, behavior },
    metrics: fields.metrics ?? [],
    cpuRequest,
    cpuLimit: container.resources.limits ? parseCpu(container.resources.limits.cpu) : cpuRequest,
    startupProbe: container.startupProbe ?? null,
    readinessProbe: container.readinessProbe ?? null,
  };
}

const AdapterSchema = z.object({
  rules: z.object({ custom: z.array(z.object({ metricsQuery: z.string() })).min(1) }),
});

/**
 * The rate window of prometheus-adapter's per-pod metric (`rate(...[1m])` → 60 s): the HPA sees
 * requests per second averaged over it, so a burst shows up only gradually.
 */
export function readAdapterRateWindowSeconds(file: string): number {
  const values = AdapterSchema.parse(
    parseAllDocuments(readFileSync(file, 'utf8'))[0]?.toJS() as unknown,
  );
  const query = values.rules.custom[0]?.metricsQuery ?? '';
  const match = /\[(\d+)([smh])\]/.exec(query);
  if (match === null) throw new Error(`no rate window in the adapter's metricsQuery: ${query}`);
  const unit = { s: 1, m: 60, h: 3600 }[match[2] as 's' | 'm' | 'h'];
  return Number(match[1]) * unit;
}
