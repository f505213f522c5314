// Reading an HPA, its Deployment and the overlay from YAML, as the replay does with infra/k8s.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_SCALE_DOWN, DEFAULT_SCALE_UP } from '../src/hpa.js';
import { parseCpu, readAdapterRateWindowSeconds, readServiceManifest } from '../src/manifests.js';
import { readySeconds } from '../src/services.js';

const dir = mkdtempSync(join(tmpdir(), 'autoscaling-manifests-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

const deployment = `apiVersion: apps/v1
kind: Deployment
metadata: { name: checkout }
spec:
  template:
    spec:
      containers:
        - name: checkout
          resources:
            requests: { cpu: 500m }
            limits: { cpu: '2' }
          startupProbe: { periodSeconds: 2 }
          readinessProbe: { initialDelaySeconds: 1, periodSeconds: 5 }
`;

describe('readServiceManifest', () => {
  it('lays the overlay over the base and fills the API defaults of a direction left out', () => {
    writeFileSync(
      join(dir, 'checkout.yaml'),
      `apiVersion: v1
kind: ServiceAccount
metadata: { name: checkout }
---
${deployment}---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: checkout }
spec:
  minReplicas: 3
  maxReplicas: 30
  metrics:
    - type: Resource
      resource: { name: cpu, target: { type: Utilization, averageUtilization: 60 } }
    - type: Pods
      pods: { metric: { name: http_requests_per_second }, target: { type: AverageValue, averageValue: '3000' } }
  behavior:
    scaleUp:
      policies:
        - { type: Pods, value: 4, periodSeconds: 15 }
`,
    );
    const overlay = join(dir, 'overlay.yaml');
    writeFileSync(
      overlay,
      `apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: { name: checkout }
spec: { minReplicas: 6, maxReplicas: 24 }
`,
    );
    const manifest = readServiceManifest('checkout', { baseDir: dir, overlayFile: overlay });
    expect(manifest?.hpa.minReplicas).toBe(6);
    expect(manifest?.hpa.maxReplicas).toBe(24);
    expect(manifest?.metrics.map((m) => m.type)).toEqual(['Resource', 'Pods']);
    // scaleUp given without window or selectPolicy: window 0, Max; scaleDown absent: the default.
    expect(manifest?.hpa.behavior.scaleUp).toEqual({
      stabilizationWindowSeconds: DEFAULT_SCALE_UP.stabilizationWindowSeconds,
      selectPolicy: 'Max',
      policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }],
    });
    expect(manifest?.hpa.behavior.scaleDown).toEqual(DEFAULT_SCALE_DOWN);
    expect(manifest?.cpuRequest).toBe(0.5);
    expect(manifest?.cpuLimit).toBe(2);
    // 20 s start + startup probe (0 + 2) + readiness probe (1 + 5) = 28 s.
    if (manifest === null) throw new Error('no manifest');
    expect(
      readySeconds(manifest, {
        podStartSeconds: 20,
        cpuWindowSeconds: 30,
        backlogDelaySeconds: 120,
      }),
    ).toBe(28);
    const base = readServiceManifest('checkout', { baseDir: dir, overlayFile: null });
    expect(base?.hpa.minReplicas).toBe(3);
  });

  it('returns null for a service without an HPA', () => {
    writeFileSync(join(dir, 'web.yaml'), deployment);
    expect(readServiceManifest('web', { baseDir: dir, overlayFile: null })).toBeNull();
  });
});

describe('quantities and the adapter window', () => {
  it('parses CPU quantities', () => {
    expect(parseCpu('500m')).toBe(0.5);
    expect(parseCpu('2')).toBe(2);
    expect(parseCpu(1)).toBe(1);
    expect(() => parseCpu('two')).toThrow(/not a CPU quantity/);
  });

  it("reads prometheus-adapter's rate window", () => {
    const file = join(dir, 'adapter.yaml');
    writeFileSync(
      file,
      `rules:\n  custom:\n    - metricsQuery: 'sum(rate(<<.Series>>{<<.LabelMatchers>>}[2m])) by (<<.GroupBy>>)'\n`,
    );
    expect(readAdapterRateWindowSeconds(file)).toBe(120);
  });
});
