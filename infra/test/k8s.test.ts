import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { IContainer } from 'kubernetes-models/v1';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  OVERLAYS,
  overlayComponents,
  renderOverlay,
  renderWithComponent,
  renderWithRelease,
  schemaErrors,
  type Overlay,
  type Rendered,
} from './support/k8s.js';
import { PolicySet, type Endpoint, type Pod } from './support/network-policy.js';
import {
  APP_PORTS,
  APPS,
  asRecord,
  conventionEnvNames,
  infraDir,
  type App,
} from './support/repo.js';

const rendered = new Map<Overlay, Rendered>();

beforeAll(() => {
  for (const overlay of OVERLAYS) rendered.set(overlay, renderOverlay(overlay));
});

function overlay(name: Overlay): Rendered {
  const r = rendered.get(name);
  if (r === undefined) throw new Error(`${name} was not rendered`);
  return r;
}

function container(r: Rendered, app: App): IContainer {
  const containers = r.deployment(app).spec?.template.spec?.containers ?? [];
  expect(containers, `${app} has one container`).toHaveLength(1);
  const [first] = containers;
  if (first === undefined) throw new Error(`${app} has no container`);
  return first;
}

function quantity(value: string | number | undefined): number {
  if (value === undefined) throw new Error('missing quantity');
  if (typeof value === 'number') return value;
  const m = /^([0-9.]+)(m|Ki|Mi|Gi)?$/.exec(value);
  if (m?.[1] === undefined) throw new Error(`unparsed quantity ${value}`);
  const n = Number(m[1]);
  switch (m[2]) {
    case 'm':
      return n / 1000;
    case 'Ki':
      return n * 1024;
    case 'Mi':
      return n * 1024 ** 2;
    case 'Gi':
      return n * 1024 ** 3;
    default:
      return n;
  }
}

describe.each(OVERLAYS)('overlay %s', (name) => {
  it('renders only objects that pass the Kubernetes JSON schemas', () => {
    const r = overlay(name);
    expect(r.manifests.length).toBeGreaterThan(30);
    expect(schemaErrors(r.manifests)).toEqual([]);
  });

  it('leaves no placeholder from the base behind', () => {
    const text = JSON.stringify(overlay(name).manifests.map((m) => m.raw));
    // The base's stand-in project id, as a whole value or inside an email.
    expect(/"PROJECT_ID"|@PROJECT_ID\./.exec(text)?.[0]).toBeUndefined();
    const r = overlay(name);
    const project = r.generatedConfigMap('frequency-config').data?.['PUBSUB_PROJECT_ID'];
    const images = [...r.deployments(), ...r.jobs()].map(
      (w) => w.spec?.template.spec?.containers[0]?.image,
    );
    for (const image of images) {
      expect(image).toMatch(
        new RegExp(
          `^europe-west3-docker\\.pkg\\.dev/${project}/frequency/(web|waiting-room|checkout|worker):`,
        ),
      );
    }
  });

  it('puts everything in the frequency namespace, which enforces the restricted pod standard', () => {
    const r = overlay(name);
    for (const m of r.manifests) {
      if (m.kind === 'Namespace') continue;
      expect(asRecord(m.raw['metadata'], m.name)['namespace'], `${m.kind} ${m.name}`).toBe(
        'frequency',
      );
    }
    const ns = asRecord(r.raw('Namespace', 'frequency')['metadata'], 'namespace metadata');
    expect(asRecord(ns['labels'], 'labels')['pod-security.kubernetes.io/enforce']).toBe(
      'restricted',
    );
  });

  describe.each(APPS)('%s', (app) => {
    it('has probes on /readyz and /healthz against its named port', () => {
      const c = container(overlay(name), app);
      expect(c.readinessProbe?.httpGet?.path).toBe('/readyz');
      expect(c.livenessProbe?.httpGet?.path).toBe('/healthz');
      expect(c.readinessProbe?.httpGet?.port).toBe('http');
      expect(c.livenessProbe?.httpGet?.port).toBe('http');
      expect(c.ports).toEqual([{ name: 'http', containerPort: APP_PORTS[app] }]);
    });

    it('requests and limits CPU and memory, limits no lower than requests', () => {
      const { requests, limits } = container(overlay(name), app).resources ?? {};
      for (const resource of ['cpu', 'memory'] as const) {
        const request = quantity(requests?.[resource]);
        const limit = quantity(limits?.[resource]);
        expect(request, `${resource} request`).toBeGreaterThan(0);
        expect(limit, `${resource} limit`).toBeGreaterThanOrEqual(request);
      }
    });

    it('sleeps in preStop and gives the process time to drain before SIGKILL', () => {
      const d = overlay(name).deployment(app);
      const c = container(overlay(name), app);
      const command = c.lifecycle?.preStop?.exec?.command ?? [];
      expect(command[0]).toBe('sleep');
      const sleep = Number(command[1]);
      expect(sleep).toBeGreaterThan(0);
      const grace = d.spec?.template.spec?.terminationGracePeriodSeconds ?? 30;
      // The server drains for up to 20 s after SIGTERM (the worker commits its batch).
      expect(grace).toBeGreaterThanOrEqual(sleep + 20);
    });

    it('rolls without losing capacity and leaves replicas to its autoscaler', () => {
      const spec = overlay(name).deployment(app).spec;
      expect(spec?.replicas).toBeUndefined();
      expect(spec?.strategy?.rollingUpdate?.maxUnavailable).toBe(0);
    });

    it('spreads across zones', () => {
      const constraints =
        overlay(name).deployment(app).spec?.template.spec?.topologySpreadConstraints ?? [];
      const zone = constraints.find((t) => t.topologyKey === 'topology.kubernetes.io/zone');
      expect(zone?.whenUnsatisfiable).toBe('DoNotSchedule');
      expect(zone?.maxSkew).toBe(1);
      expect(zone?.labelSelector?.matchLabels).toEqual({ 'app.kubernetes.io/name': app });
    });

    it('has a PodDisruptionBudget that selects its pods', () => {
      const r = overlay(name);
      const labels = r.deployment(app).spec?.template.metadata?.labels ?? {};
      const pdbs = r
        .pdbs()
        .filter((p) =>
          Object.entries(p.spec?.selector?.matchLabels ?? {}).every(([k, v]) => labels[k] === v),
        );
      expect(pdbs).toHaveLength(1);
      expect(pdbs[0]?.spec?.maxUnavailable ?? pdbs[0]?.spec?.minAvailable).toBeDefined();
    });

    it('runs as its own ServiceAccount bound to a Google service account of this project', () => {
      const r = overlay(name);
      const pod = r.deployment(app).spec?.template.spec;
      expect(pod?.serviceAccountName).toBe(app);
      const sa = r.serviceAccount(app);
      const project = r.generatedConfigMap('frequency-config').data?.['PUBSUB_PROJECT_ID'];
      expect(sa.metadata?.annotations?.['iam.gke.io/gcp-service-account']).toBe(
        `${app}@${project}.iam.gserviceaccount.com`,
      );
    });

    it('runs non-root with a read-only root filesystem and no capabilities', () => {
      const r = overlay(name);
      const pod = r.deployment(app).spec?.template.spec;
      expect(pod?.securityContext?.runAsNonRoot).toBe(true);
      expect(pod?.securityContext?.runAsUser).toBe(1000);
      expect(pod?.securityContext?.seccompProfile?.type).toBe('RuntimeDefault');
      const c = container(r, app);
      expect(c.securityContext?.allowPrivilegeEscalation).toBe(false);
      expect(c.securityContext?.readOnlyRootFilesystem).toBe(true);
      expect(c.securityContext?.capabilities?.drop).toEqual(['ALL']);
    });

    it('uses only environment variables named in docs/conventions.md, with its own port', () => {
      const conventions = conventionEnvNames();
      const c = container(overlay(name), app);
      for (const env of c.env ?? []) {
        expect(conventions.has(env.name), `${app} env ${env.name}`).toBe(true);
      }
      expect(c.env?.find((e) => e.name === 'PORT')?.value).toBe(String(APP_PORTS[app]));
    });

    it('is scraped by Prometheus on its port', () => {
      const annotations = overlay(name).deployment(app).spec?.template.metadata?.annotations ?? {};
      expect(annotations['prometheus.io/scrape']).toBe('true');
      expect(annotations['prometheus.io/port']).toBe(String(APP_PORTS[app]));
      expect(annotations['prometheus.io/path']).toBe('/metrics');
    });
  });

  it('scales waiting-room and checkout on CPU and requests per second', () => {
    const r = overlay(name);
    for (const app of ['waiting-room', 'checkout'] as const) {
      const hpa = r.hpa(app);
      expect(hpa.spec.scaleTargetRef).toEqual({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        name: app,
      });
      const metrics = hpa.spec.metrics ?? [];
      const cpu = metrics.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
      expect(cpu?.resource?.target.type).toBe('Utilization');
      const rps = metrics.find((m) => m.type === 'Pods');
      expect(rps?.pods?.metric.name).toBe('http_requests_per_second');
      expect(rps?.pods?.target.type).toBe('AverageValue');
      expect(hpa.spec.minReplicas ?? 1).toBeGreaterThanOrEqual(2);
      expect(hpa.spec.maxReplicas).toBeGreaterThan(hpa.spec.minReplicas ?? 1);
    }
  });

  it('scales the worker on the Pub/Sub backlog of its own subscription', () => {
    const r = overlay(name);
    const hpa = r.hpa('worker');
    const external = (hpa.spec.metrics ?? []).find((m) => m.type === 'External');
    expect(external?.external?.metric.name).toBe(
      'pubsub.googleapis.com|subscription|num_undelivered_messages',
    );
    const subscription = r.generatedConfigMap('frequency-config').data?.['PUBSUB_SUBSCRIPTION'];
    expect(external?.external?.metric.selector?.matchLabels).toEqual({
      'resource.labels.subscription_id': subscription,
    });
    expect(external?.external?.target.type).toBe('AverageValue');
  });

  it('has an autoscaler for every Deployment and none for anything else', () => {
    const r = overlay(name);
    const targets = r
      .hpas()
      .map((h) => h.spec.scaleTargetRef.name)
      .sort();
    expect(targets).toEqual(
      r
        .deployments()
        .map((d) => d.metadata?.name)
        .sort(),
    );
  });

  it('keeps a zone-loss margin: at least three replicas of each public API in production', () => {
    const r = overlay(name);
    const floor = name === 'production' ? 3 : 2;
    for (const app of ['waiting-room', 'checkout', 'web'] as const) {
      expect(r.hpa(app).spec.minReplicas, app).toBeGreaterThanOrEqual(floor);
    }
  });

  it('runs the migration Job from the worker image of the same release, before nothing else', () => {
    const r = overlay(name);
    const jobs = r.jobs();
    expect(jobs).toHaveLength(1);
    const [job] = jobs;
    const release = r.generatedConfigMap('release').data?.['IMAGE_TAG'];
    expect(job?.metadata?.name).toBe(`migrate-${release}`);
    expect(job?.metadata?.labels?.['app.kubernetes.io/component']).toBe('migration');
    const c = job?.spec?.template.spec?.containers[0];
    expect(c?.image).toBe(container(r, 'worker').image);
    expect(c?.workingDir).toBe('/app/packages/db');
    expect(c?.command).toEqual(['node', 'dist/cli-migrate.js']);
    expect(c?.envFrom?.map((e) => e.secretRef?.name)).toEqual(['migrate-env']);
    expect(job?.spec?.template.spec?.restartPolicy).toBe('Never');
    expect(job?.spec?.backoffLimit).toBeGreaterThan(0);
    expect(job?.spec?.activeDeadlineSeconds).toBeGreaterThan(0);
    // Everything deploy.sh applies before the Job's wait is platform or migration.
    const early = r.manifests.filter((m) => {
      const labels = asRecord(asRecord(m.raw['metadata'], m.name)['labels'] ?? {}, m.name);
      return labels['app.kubernetes.io/component'] !== 'app';
    });
    expect(early.filter((m) => m.kind === 'Deployment')).toEqual([]);
  });

  it('tags every image with the release and names the Job after it', () => {
    const r = renderWithRelease(name, '0123456789ab');
    for (const d of r.deployments()) {
      expect(d.spec?.template.spec?.containers[0]?.image).toMatch(/:0123456789ab$/);
    }
    expect(r.jobs().map((j) => j.metadata?.name)).toEqual(['migrate-0123456789ab']);
  });
});

describe('network policies', () => {
  const privateServices = '10.100.7.9';
  const googleApis = '199.36.153.9';

  function pods(r: Rendered): Record<App | 'migrate', Pod> {
    const podOf = (
      labels: Record<string, string>,
      ports: Record<string, number>,
      ip: string,
    ): Pod => ({
      kind: 'pod',
      namespace: 'frequency',
      labels,
      ports,
      ip,
    });
    const fromDeployment = (app: App, ip: string): Pod => {
      const template = r.deployment(app).spec?.template;
      const ports = Object.fromEntries(
        (template?.spec?.containers[0]?.ports ?? []).map((p) => [p.name ?? '', p.containerPort]),
      );
      return podOf(template?.metadata?.labels ?? {}, ports, ip);
    };
    const job = r.jobs()[0]?.spec?.template;
    return {
      web: fromDeployment('web', '10.20.0.10'),
      'waiting-room': fromDeployment('waiting-room', '10.20.0.11'),
      checkout: fromDeployment('checkout', '10.20.0.12'),
      worker: fromDeployment('worker', '10.20.0.13'),
      migrate: podOf(job?.metadata?.labels ?? {}, {}, '10.20.0.14'),
    };
  }

  const prometheus: Pod = {
    kind: 'pod',
    namespace: 'monitoring',
    labels: { 'app.kubernetes.io/name': 'prometheus' },
    ports: {},
    ip: '10.20.1.1',
  };
  const strangerPod: Pod = {
    kind: 'pod',
    namespace: 'default',
    labels: { 'app.kubernetes.io/name': 'prometheus' },
    ports: {},
    ip: '10.20.1.2',
  };
  const kubeDns: Pod = {
    kind: 'pod',
    namespace: 'kube-system',
    labels: { 'k8s-app': 'kube-dns' },
    ports: { dns: 53 },
    ip: '10.20.2.1',
  };
  // A pod added later without a policy of its own: default-deny must cover it.
  const newcomer: Pod = {
    kind: 'pod',
    namespace: 'frequency',
    labels: { 'app.kubernetes.io/name': 'debug' },
    ports: { http: 8080 },
    ip: '10.20.0.99',
  };
  const loadBalancer: Endpoint = { kind: 'external', ip: '35.191.4.20' };
  const internet: Endpoint = { kind: 'external', ip: '8.8.8.8' };
  // Memorystore for Redis on the private services range; a cluster on its PSC subnet.
  const redisInstance: Endpoint = { kind: 'external', ip: privateServices };
  const redisCluster: Endpoint = { kind: 'external', ip: '10.10.16.3' };
  const postgres: Endpoint = { kind: 'external', ip: privateServices };
  const pubsub: Endpoint = { kind: 'external', ip: googleApis };
  const smtpRelay: Endpoint = { kind: 'external', ip: '203.0.113.25' };

  it.each(OVERLAYS)('%s: allows the flows of the design and nothing else', (name) => {
    const r = overlay(name);
    const redis = overlayComponents(name).includes('redis-cluster') ? redisCluster : redisInstance;
    const policies = new PolicySet(r.networkPolicies(), {
      frequency: { 'kubernetes.io/metadata.name': 'frequency' },
      monitoring: { 'kubernetes.io/metadata.name': 'monitoring' },
      'kube-system': { 'kubernetes.io/metadata.name': 'kube-system' },
      default: { 'kubernetes.io/metadata.name': 'default' },
    });
    const p = pods(r);
    const everyone = Object.values(p);
    const flows: [string, boolean, boolean][] = [];
    const check = (label: string, actual: boolean, expected: boolean): void => {
      flows.push([label, actual, expected]);
    };

    for (const app of ['web', 'waiting-room', 'checkout'] as const) {
      check(`load balancer -> ${app}`, policies.allows(loadBalancer, p[app], APP_PORTS[app]), true);
    }
    check('load balancer -> worker', policies.allows(loadBalancer, p.worker, 3003), false);
    check('internet -> waiting-room', policies.allows(internet, p['waiting-room'], 3001), false);

    check(
      'checkout -> waiting-room (JWKS)',
      policies.allows(p.checkout, p['waiting-room'], 3001),
      true,
    );
    check(
      'web -> waiting-room (ops console, server side)',
      policies.allows(p.web, p['waiting-room'], 3001),
      true,
    );
    check(
      'web -> checkout (/metrics for the ops console)',
      policies.allows(p.web, p.checkout, 3002),
      true,
    );
    check(
      'web -> worker (/metrics for the ops console)',
      policies.allows(p.web, p.worker, 3003),
      true,
    );
    check('checkout -> worker', policies.allows(p.checkout, p.worker, 3003), false);
    check('worker -> waiting-room', policies.allows(p.worker, p['waiting-room'], 3001), false);
    check('waiting-room -> checkout', policies.allows(p['waiting-room'], p.checkout, 3002), false);
    check(
      'other namespace -> waiting-room',
      policies.allows(strangerPod, p['waiting-room'], 3001),
      false,
    );
    check(
      'load balancer -> a pod without its own policy',
      policies.allows(loadBalancer, newcomer, 8080),
      false,
    );
    check(
      'checkout -> a pod without its own policy',
      policies.allows(p.checkout, newcomer, 8080),
      false,
    );
    check(
      'a pod without its own policy -> internet',
      policies.allows(newcomer, internet, 443),
      false,
    );
    check('a pod without its own policy -> Redis', policies.allows(newcomer, redis, 6379), false);

    for (const app of APPS) {
      check(
        `prometheus -> ${app} /metrics`,
        policies.allows(prometheus, p[app], APP_PORTS[app]),
        true,
      );
    }

    for (const [who, pod] of Object.entries(p)) {
      const needsRedis = ['waiting-room', 'checkout', 'worker'].includes(who);
      const needsPostgres = ['worker', 'migrate'].includes(who);
      const needsPubsub = ['checkout', 'worker'].includes(who);
      check(`${who} -> Redis`, policies.allows(pod, redis, 6379), needsRedis);
      check(`${who} -> Postgres`, policies.allows(pod, postgres, 5432), needsPostgres);
      check(`${who} -> Pub/Sub`, policies.allows(pod, pubsub, 443), needsPubsub);
      check(`${who} -> internet`, policies.allows(pod, internet, 443), false);
      for (const port of [465, 587]) {
        check(
          `${who} -> SMTP relay :${port}`,
          policies.allows(pod, smtpRelay, port),
          who === 'worker',
        );
      }
      check(`${who} -> SMTP relay :25`, policies.allows(pod, smtpRelay, 25), false);
      check(`${who} -> Redis on an SMTP port`, policies.allows(pod, redis, 587), false);
      check(`${who} -> DNS`, policies.allows(pod, kubeDns, 53, 'UDP'), true);
    }
    expect(everyone).toHaveLength(5);

    const wrong = flows.filter(([, actual, expected]) => actual !== expected);
    expect(wrong.map(([label, actual]) => `${label}: ${actual ? 'allowed' : 'denied'}`)).toEqual(
      [],
    );
  });

  it('with components/redis-cluster: the three services reach the cluster on its discovery and node ports only', () => {
    const r = renderWithComponent('staging', 'redis-cluster');
    const policies = new PolicySet(r.networkPolicies(), {
      frequency: { 'kubernetes.io/metadata.name': 'frequency' },
    });
    const wrong: string[] = [];
    const check = (label: string, actual: boolean, expected: boolean): void => {
      if (actual !== expected) wrong.push(`${label}: ${actual ? 'allowed' : 'denied'}`);
    };
    for (const [who, pod] of Object.entries(pods(r))) {
      const needsRedis = ['waiting-room', 'checkout', 'worker'].includes(who);
      // 6379 is the discovery endpoint; 11000-13047 the nodes a cluster client is sent to.
      for (const port of [6379, 11000, 12345, 13047]) {
        check(
          `${who} -> Redis Cluster :${port}`,
          policies.allows(pod, redisCluster, port),
          needsRedis,
        );
      }
      for (const port of [6380, 10999, 13048]) {
        check(`${who} -> Redis Cluster :${port}`, policies.allows(pod, redisCluster, port), false);
      }
      // The instance's range is not Redis any more: nothing goes there on 6379.
      check(`${who} -> private services :6379`, policies.allows(pod, redisInstance, 6379), false);
      check(
        `${who} -> Postgres`,
        policies.allows(pod, { kind: 'external', ip: privateServices }, 5432),
        ['worker', 'migrate'].includes(who),
      );
    }
    check(
      'a pod without its own policy -> Redis Cluster',
      policies.allows(newcomer, redisCluster, 6379),
      false,
    );
    expect(wrong).toEqual([]);
  });
});

describe('cluster add-on configuration', () => {
  it('has the Prometheus adapter turn http_requests_total into the HPA metric name', () => {
    const values = asRecord(
      parseYaml(
        readFileSync(
          path.join(infraDir, 'k8s', 'cluster', 'prometheus-adapter-values.yaml'),
          'utf8',
        ),
      ),
      'values',
    );
    const rules = asRecord(values['rules'], 'rules');
    const custom = rules['custom'];
    if (!Array.isArray(custom)) throw new Error('rules.custom must be a list');
    const names = custom.map((rule: unknown) => {
      const r = asRecord(rule, 'rule');
      const naming = asRecord(r['name'], 'rule.name');
      const matches = new RegExp(String(naming['matches']));
      return 'http_requests_total'.replace(matches, String(naming['as']).replace(/\$\{1\}/g, '$1'));
    });
    expect(names).toContain('http_requests_per_second');
  });
});
