// The edge as fans and ops meet it: which host and path reach which Service, which
// of those sit behind Identity-Aware Proxy, and the per-environment settings the
// APIs need behind Google's load balancer (CORS origin, trusted proxy hops).
import { corsPlugin, parseCorsOrigins } from '@frequency/observability/cors';
import Fastify from 'fastify';
import type { IContainer } from 'kubernetes-models/v1';
import type { IIngress } from 'kubernetes-models/networking.k8s.io/v1';
import { Ingress } from 'kubernetes-models/networking.k8s.io/v1';
import { beforeAll, describe, expect, it } from 'vitest';
import { OVERLAYS, renderOverlay, type Overlay, type Rendered } from './support/k8s.js';
import { asRecord, type App } from './support/repo.js';

const rendered = new Map<Overlay, Rendered>();

beforeAll(() => {
  for (const overlay of OVERLAYS) rendered.set(overlay, renderOverlay(overlay));
});

function overlay(name: Overlay): Rendered {
  const r = rendered.get(name);
  if (r === undefined) throw new Error(`${name} was not rendered`);
  return r;
}

function ingresses(r: Rendered): IIngress[] {
  return r.manifests.filter((m) => m.kind === 'Ingress').map((m) => new Ingress(m.raw));
}

function ingress(r: Rendered, name: string): IIngress {
  const found = ingresses(r).filter((i) => i.metadata?.name === name);
  const [first] = found;
  if (found.length !== 1 || first === undefined) throw new Error(`no Ingress ${name}`);
  return first;
}

/** Kubernetes path matching: Exact is string equality, Prefix matches whole path elements. */
function pathMatches(rulePath: string, pathType: string, requestPath: string): boolean {
  if (pathType === 'Exact') return rulePath === requestPath;
  if (pathType !== 'Prefix')
    throw new Error(`pathType ${pathType}: only Exact and Prefix are used`);
  const prefix = rulePath.replace(/\/$/, '');
  return prefix === '' || requestPath === prefix || requestPath.startsWith(`${prefix}/`);
}

/** The Service a request for host + path reaches through this Ingress, or null (the LB's 404). */
function route(i: IIngress, host: string, requestPath: string): string | null {
  let best: { length: number; exact: boolean; service: string } | null = null;
  for (const rule of i.spec?.rules ?? []) {
    if (rule.host !== host) continue;
    for (const p of rule.http?.paths ?? []) {
      if (!pathMatches(p.path ?? '/', p.pathType, requestPath)) continue;
      const candidate = {
        length: (p.path ?? '/').length,
        exact: p.pathType === 'Exact',
        service: p.backend.service?.name ?? '',
      };
      // Longest match wins; at equal length Exact beats Prefix.
      if (
        best === null ||
        candidate.length > best.length ||
        (candidate.length === best.length && candidate.exact && !best.exact)
      ) {
        best = candidate;
      }
    }
  }
  if (best !== null) return best.service;
  return i.spec?.defaultBackend?.service?.name ?? null;
}

function hosts(i: IIngress): string[] {
  return (i.spec?.rules ?? []).map((rule) => rule.host ?? '');
}

/** The host of the rule whose only backend is `service`. */
function hostOf(i: IIngress, service: string): string {
  const found = (i.spec?.rules ?? []).filter((rule) =>
    (rule.http?.paths ?? []).every((p) => p.backend.service?.name === service),
  );
  const [first] = found;
  if (found.length !== 1 || first?.host === undefined)
    throw new Error(`no one host for ${service}`);
  return first.host;
}

function container(r: Rendered, app: App): IContainer {
  const c = r.deployment(app).spec?.template.spec?.containers[0];
  if (c === undefined) throw new Error(`${app} has no container`);
  return c;
}

/** An environment variable's value as the pod sees it, following configMapKeyRef. */
function envValue(r: Rendered, app: App, name: string): string | undefined {
  const entry = container(r, app).env?.find((e) => e.name === name);
  if (entry === undefined) return undefined;
  if (entry.value !== undefined) return entry.value;
  const ref = entry.valueFrom?.configMapKeyRef;
  if (ref === undefined) throw new Error(`${app} ${name}: neither value nor configMapKeyRef`);
  const map = r.configMaps().find((c) => c.metadata?.name === ref.name);
  const value = map?.data?.[ref.key];
  if (value === undefined)
    throw new Error(`${app} ${name}: ConfigMap ${ref.name} has no ${ref.key}`);
  return value;
}

function backendConfigOf(r: Rendered, serviceName: string): Record<string, unknown> {
  const service = r.services().find((s) => s.metadata?.name === serviceName);
  const annotation = service?.metadata?.annotations?.['cloud.google.com/backend-config'];
  if (annotation === undefined) throw new Error(`Service ${serviceName} names no BackendConfig`);
  const name = asRecord(JSON.parse(annotation), 'backend-config annotation')['default'];
  return asRecord(r.raw('BackendConfig', String(name))['spec'], `BackendConfig ${String(name)}`);
}

const opsPaths = ['/v1/admin/events', '/v1/admin/events/frequency-20xx', '/v1/admin/audit'];
const internalPaths = ['/metrics', '/docs', '/docs/json', '/healthz', '/readyz'];
const consolePaths = ['/ops', '/api/ops/metrics', '/api/ops/audit'];

describe.each(OVERLAYS)('overlay %s', (name) => {
  it('routes only the fan paths on the public hosts', () => {
    const r = overlay(name);
    const pub = ingress(r, 'frequency');
    const web = hostOf(pub, 'web');
    const queue = hostOf(pub, 'waiting-room');
    const checkout = hostOf(pub, 'checkout');
    const expected: [string, string, string][] = [
      [web, '/', 'web'],
      [web, '/events/frequency-20xx', 'web'],
      [web, '/_next/static/chunks/main.js', 'web'],
      [web, '/api/config', 'web'],
      [queue, '/v1/events/frequency-20xx', 'waiting-room'],
      [queue, '/v1/events/frequency-20xx/queue', 'waiting-room'],
      [queue, '/v1/events/frequency-20xx/queue/me', 'waiting-room'],
      [queue, '/v1/events/frequency-20xx/challenge', 'waiting-room'],
      [queue, '/.well-known/jwks.json', 'waiting-room'],
      [checkout, '/v1/events/frequency-20xx/availability', 'checkout'],
      [checkout, '/v1/events/frequency-20xx/orders', 'checkout'],
      [checkout, '/v1/orders/ord_abc', 'checkout'],
    ];
    for (const [host, path, service] of expected) {
      expect(route(pub, host, path), `${host}${path}`).toBe(service);
    }
    expect(pub.spec?.defaultBackend).toBeUndefined();
  });

  it('exposes no ops API, /metrics, /docs or ops console on any public host', () => {
    const r = overlay(name);
    for (const i of ingresses(r).filter((x) => x.metadata?.name !== 'frequency-ops')) {
      for (const host of hosts(i)) {
        for (const path of [...opsPaths, ...internalPaths, ...consolePaths]) {
          expect(route(i, host, path), `${i.metadata?.name ?? ''} ${host}${path}`).toBeNull();
        }
        for (const p of (i.spec?.rules ?? []).flatMap((rule) => rule.http?.paths ?? [])) {
          expect(p.path ?? '/', `${host} rule`).not.toMatch(/^\/(v1\/admin|metrics|docs)(\/|$)/);
        }
      }
    }
    // Nothing else opens a way in from outside the cluster.
    for (const s of r.services()) {
      expect(s.spec?.type ?? 'ClusterIP', `Service ${s.metadata?.name ?? ''}`).toBe('ClusterIP');
    }
  });

  it('serves the ops API and console on an ops host of its own, behind IAP', () => {
    const r = overlay(name);
    const ops = ingress(r, 'frequency-ops');
    const web = hostOf(ingress(r, 'frequency'), 'web');
    expect(hosts(ops)).toEqual([`ops.${web}`]);
    const [host] = hosts(ops);
    if (host === undefined) throw new Error('no ops host');
    for (const path of opsPaths) expect(route(ops, host, path), path).toBe('waiting-room-ops');
    for (const path of consolePaths) expect(route(ops, host, path), path).toBe('web-ops');
    // The console's page never loads fan pages from this host, nor the other way round.
    expect(route(ops, host, '/events/frequency-20xx')).toBeNull();
    expect(route(ops, host, '/metrics')).toBeNull();

    const backends = new Set(
      (ops.spec?.rules ?? []).flatMap((rule) =>
        (rule.http?.paths ?? []).map((p) => p.backend.service?.name ?? ''),
      ),
    );
    expect([...backends].sort()).toEqual(['waiting-room-ops', 'web-ops']);
    for (const backend of backends) {
      const iap = asRecord(backendConfigOf(r, backend)['iap'], `${backend} iap`);
      expect(iap['enabled'], backend).toBe(true);
      const credentials = asRecord(iap['oauthclientCredentials'], `${backend} oauth client`);
      expect(credentials['secretName'], backend).toBe('ops-iap-oauth-client');
    }
    // Its own address and certificate, so the fans' load balancer holds nothing of it.
    const annotations = ops.metadata?.annotations ?? {};
    const publicAnnotations = ingress(r, 'frequency').metadata?.annotations ?? {};
    expect(annotations['kubernetes.io/ingress.class']).toBe('gce');
    expect(annotations['kubernetes.io/ingress.allow-http']).toBe('false');
    for (const key of [
      'kubernetes.io/ingress.global-static-ip-name',
      'ingress.gcp.kubernetes.io/pre-shared-cert',
    ]) {
      expect(annotations[key], key).toBeDefined();
      expect(annotations[key], key).not.toBe(publicAnnotations[key]);
    }
  });

  it('keeps IAP off the fans’ backends and points the ops Services at the right pods', () => {
    const r = overlay(name);
    for (const service of ['web', 'waiting-room', 'checkout']) {
      expect(backendConfigOf(r, service)['iap'], service).toBeUndefined();
    }
    const selector = (service: string) =>
      r.services().find((s) => s.metadata?.name === service)?.spec?.selector;
    expect(selector('waiting-room-ops')).toEqual(selector('waiting-room'));
    expect(selector('web-ops')).toEqual(selector('web'));
  });

  it('has web call the ops API and scrape /metrics inside the cluster, and hand browsers the public URLs', () => {
    const r = overlay(name);
    const queue = hostOf(ingress(r, 'frequency'), 'waiting-room');
    expect(envValue(r, 'web', 'WAITING_ROOM_URL')).toBe(
      'http://waiting-room.frequency.svc.cluster.local:3001',
    );
    expect(envValue(r, 'web', 'WAITING_ROOM_PUBLIC_URL')).toBe(`https://${queue}`);
    // The console's metrics scrape, too: /metrics is on no public host.
    const checkout = hostOf(ingress(r, 'frequency'), 'checkout');
    expect(envValue(r, 'web', 'CHECKOUT_URL')).toBe(
      'http://checkout.frequency.svc.cluster.local:3002',
    );
    expect(envValue(r, 'web', 'CHECKOUT_PUBLIC_URL')).toBe(`https://${checkout}`);
    expect(envValue(r, 'web', 'WORKER_URL')).toBe('http://worker.frequency.svc.cluster.local:3003');
    const services = new Set(r.services().map((s) => s.metadata?.name));
    for (const name of ['waiting-room', 'checkout', 'worker'])
      expect(services.has(name), name).toBe(true);
  });

  it('trusts the two hops of Google’s load balancer on both APIs', () => {
    const r = overlay(name);
    for (const app of ['waiting-room', 'checkout'] as const) {
      expect(envValue(r, app, 'TRUSTED_PROXY_HOPS'), app).toBe('2');
    }
  });

  describe.each(['waiting-room', 'checkout'] as const)('%s CORS', (app) => {
    async function preflight(origins: string, origin: string) {
      const server = Fastify();
      await server.register(corsPlugin, { origins: parseCorsOrigins(origins) });
      server.post('/v1/events/:eventId/orders', () => ({}));
      try {
        return await server.inject({
          method: 'OPTIONS',
          url: '/v1/events/frequency-20xx/orders',
          headers: {
            origin,
            'access-control-request-method': 'POST',
            'access-control-request-headers': 'authorization, content-type, idempotency-key',
          },
        });
      } finally {
        await server.close();
      }
    }

    it('lets the web host’s pages call the API, and no other origin', async () => {
      const r = overlay(name);
      const origins = envValue(r, app, 'CORS_ORIGINS');
      if (origins === undefined) throw new Error(`${app} has no CORS_ORIGINS`);
      const origin = `https://${hostOf(ingress(r, 'frequency'), 'web')}`;

      const allowed = await preflight(origins, origin);
      expect(allowed.statusCode).toBe(204);
      expect(allowed.headers['access-control-allow-origin']).toBe(origin);
      const headers = String(allowed.headers['access-control-allow-headers'] ?? '')
        .toLowerCase()
        .split(',')
        .map((h) => h.trim());
      expect(headers).toEqual(
        expect.arrayContaining(['authorization', 'content-type', 'idempotency-key']),
      );
      expect(String(allowed.headers['access-control-allow-methods'])).toContain('POST');

      for (const other of [
        'https://evil.example.com',
        `http://${hostOf(ingress(r, 'frequency'), 'web')}`,
        'http://localhost:3000',
      ]) {
        const denied = await preflight(origins, other);
        expect(denied.headers['access-control-allow-origin'], other).toBeUndefined();
      }
    });
  });
});
