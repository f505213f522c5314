import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BackendConfig } from '@kubernetes-models/gke/cloud.google.com/v1/BackendConfig';
import { ConfigMap, Namespace, Service, ServiceAccount } from 'kubernetes-models/v1';
import { Deployment, type IDeployment } from 'kubernetes-models/apps/v1';
import {
  HorizontalPodAutoscaler,
  type IHorizontalPodAutoscaler,
} from 'kubernetes-models/autoscaling/v2';
import { Job, type IJob } from 'kubernetes-models/batch/v1';
import {
  Ingress,
  NetworkPolicy,
  type INetworkPolicy,
} from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget, type IPodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { type IConfigMap, type IService, type IServiceAccount } from 'kubernetes-models/v1';
import { parse as parseYaml, parseAllDocuments, stringify } from 'yaml';
import { asArray, asRecord, asString, infraDir, run } from './repo.js';

export const OVERLAYS = ['staging', 'production'] as const;
export type Overlay = (typeof OVERLAYS)[number];

export const KUBECTL_HINT =
  'install kubectl (Debian: apt-get install kubectl from the Kubernetes apt repository; CI uses azure/setup-kubectl)';

/** Builds a model from a plain object and validates it against the Kubernetes JSON schema. */
type Validator = (raw: Record<string, unknown>) => void;

// Every kind the manifests may contain. A kind missing here fails the render test,
// so nothing reaches a cluster unvalidated.
const VALIDATORS: Record<string, Validator> = {
  'v1/Namespace': (raw) => new Namespace(raw).validate(),
  'v1/ServiceAccount': (raw) => new ServiceAccount(raw).validate(),
  'v1/ConfigMap': (raw) => new ConfigMap(raw).validate(),
  'v1/Service': (raw) => new Service(raw).validate(),
  'apps/v1/Deployment': (raw) => new Deployment(raw).validate(),
  'batch/v1/Job': (raw) => new Job(raw).validate(),
  'policy/v1/PodDisruptionBudget': (raw) => new PodDisruptionBudget(raw).validate(),
  'autoscaling/v2/HorizontalPodAutoscaler': (raw) =>
    new HorizontalPodAutoscaler(hpaInput(raw)).validate(),
  'networking.k8s.io/v1/NetworkPolicy': (raw) => new NetworkPolicy(raw).validate(),
  'networking.k8s.io/v1/Ingress': (raw) => new Ingress(raw).validate(),
  'cloud.google.com/v1/BackendConfig': (raw) => new BackendConfig(raw).validate(),
};

// The model's constructor types spec as required; the schema check itself reports a missing one.
function hpaInput(
  raw: Record<string, unknown>,
): ConstructorParameters<typeof HorizontalPodAutoscaler>[0] {
  return raw as ConstructorParameters<typeof HorizontalPodAutoscaler>[0];
}

export interface Manifest {
  apiVersion: string;
  kind: string;
  name: string;
  raw: Record<string, unknown>;
}

export function kustomize(dir: string): string {
  return run('kubectl', ['kustomize', dir], { installHint: KUBECTL_HINT });
}

export function parseManifests(text: string): Manifest[] {
  return parseAllDocuments(text)
    .map((doc) => doc.toJS({ maxAliasCount: -1 }) as unknown)
    .filter((value) => value !== null)
    .map((value, index) => {
      const raw = asRecord(value, `document ${index}`);
      const metadata = asRecord(raw['metadata'], `document ${index} metadata`);
      return {
        apiVersion: asString(raw['apiVersion'], `document ${index} apiVersion`),
        kind: asString(raw['kind'], `document ${index} kind`),
        name: asString(metadata['name'], `document ${index} metadata.name`),
        raw,
      };
    });
}

/** Validates every object; returns one message per invalid or unknown object. */
export function schemaErrors(manifests: readonly Manifest[]): string[] {
  const errors: string[] = [];
  for (const m of manifests) {
    const validate = VALIDATORS[`${m.apiVersion}/${m.kind}`];
    if (validate === undefined) {
      errors.push(`${m.apiVersion}/${m.kind} ${m.name}: no schema for this kind`);
      continue;
    }
    try {
      validate(m.raw);
    } catch (err) {
      errors.push(`${m.kind} ${m.name}: ${err instanceof Error ? err.message : String(err)}`);
    }
  }
  return errors;
}

/** Typed, schema-validated views of one rendered overlay. */
export class Rendered {
  constructor(readonly manifests: readonly Manifest[]) {}

  private ofKind(kind: string): Manifest[] {
    return this.manifests.filter((m) => m.kind === kind);
  }

  private one<T>(kind: string, name: string, build: (raw: Record<string, unknown>) => T): T {
    const found = this.ofKind(kind).filter((m) => m.name === name);
    if (found.length !== 1 || found[0] === undefined) {
      throw new Error(`expected one ${kind} named ${name}, found ${found.length}`);
    }
    return build(found[0].raw);
  }

  // Read these only after schemaErrors() has found the overlay valid.
  deployments(): IDeployment[] {
    return this.ofKind('Deployment').map((m) => new Deployment(m.raw));
  }
  deployment(name: string): IDeployment {
    return this.one('Deployment', name, (raw) => new Deployment(raw));
  }
  jobs(): IJob[] {
    return this.ofKind('Job').map((m) => new Job(m.raw));
  }
  hpa(name: string): IHorizontalPodAutoscaler {
    return this.one(
      'HorizontalPodAutoscaler',
      name,
      (raw) => new HorizontalPodAutoscaler(hpaInput(raw)),
    );
  }
  hpas(): IHorizontalPodAutoscaler[] {
    return this.ofKind('HorizontalPodAutoscaler').map(
      (m) => new HorizontalPodAutoscaler(hpaInput(m.raw)),
    );
  }
  pdbs(): IPodDisruptionBudget[] {
    return this.ofKind('PodDisruptionBudget').map((m) => new PodDisruptionBudget(m.raw));
  }
  serviceAccount(name: string): IServiceAccount {
    return this.one('ServiceAccount', name, (raw) => new ServiceAccount(raw));
  }
  services(): IService[] {
    return this.ofKind('Service').map((m) => new Service(m.raw));
  }
  networkPolicies(): INetworkPolicy[] {
    return this.ofKind('NetworkPolicy').map((m) => new NetworkPolicy(m.raw));
  }
  configMaps(): IConfigMap[] {
    return this.ofKind('ConfigMap').map((m) => new ConfigMap(m.raw));
  }
  /** The generated ConfigMap whose name starts with `prefix-` (kustomize adds a hash). */
  generatedConfigMap(prefix: string): IConfigMap {
    const found = this.configMaps().filter(
      (c) => c.metadata?.name?.startsWith(`${prefix}-`) === true,
    );
    if (found.length !== 1 || found[0] === undefined)
      throw new Error(`expected one ConfigMap ${prefix}-<hash>`);
    return found[0];
  }
  raw(kind: string, name: string): Record<string, unknown> {
    return this.one(kind, name, (raw) => raw);
  }
}

export function overlayDir(overlay: Overlay): string {
  return path.join(infraDir, 'k8s', 'overlays', overlay);
}

export function renderOverlay(overlay: Overlay): Rendered {
  return new Rendered(parseManifests(kustomize(overlayDir(overlay))));
}

/** Renders an overlay from a scratch copy of infra/k8s with another release.env. */
export function renderWithRelease(overlay: Overlay, imageTag: string): Rendered {
  const scratch = mkdtempSync(path.join(tmpdir(), 'k8s-'));
  try {
    cpSync(path.join(infraDir, 'k8s'), scratch, { recursive: true });
    writeFileSync(
      path.join(scratch, 'overlays', overlay, 'release.env'),
      `IMAGE_TAG=${imageTag}\n`,
    );
    return new Rendered(parseManifests(kustomize(path.join(scratch, 'overlays', overlay))));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

function readKustomization(dir: string): Record<string, unknown> {
  return asRecord(
    parseYaml(readFileSync(path.join(dir, 'kustomization.yaml'), 'utf8')),
    `${dir}/kustomization.yaml`,
  );
}

/** The components an overlay includes, by directory name (../../components/<name>). */
export function overlayComponents(overlay: Overlay): string[] {
  const components = readKustomization(overlayDir(overlay))['components'] ?? [];
  return asArray(components, 'components').map((c) => path.basename(asString(c, 'component')));
}

/** Renders an overlay from a scratch copy of infra/k8s with one more component. */
export function renderWithComponent(overlay: Overlay, component: string): Rendered {
  const scratch = mkdtempSync(path.join(tmpdir(), 'k8s-'));
  try {
    cpSync(path.join(infraDir, 'k8s'), scratch, { recursive: true });
    const dir = path.join(scratch, 'overlays', overlay);
    const kustomization = readKustomization(dir);
    const components = asArray(kustomization['components'] ?? [], 'components');
    kustomization['components'] = [...components, `../../components/${component}`];
    writeFileSync(path.join(dir, 'kustomization.yaml'), stringify(kustomization));
    return new Rendered(parseManifests(kustomize(dir)));
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
