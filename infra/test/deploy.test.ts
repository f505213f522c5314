import { createPrivateKey } from 'node:crypto';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { generateSecrets } from '../scripts/generate-secrets.js';
import { renderOverlay } from './support/k8s.js';
import {
  APPS,
  asArray,
  asRecord,
  conventionEnvNames,
  infraDir,
  readRepoFile,
  repoPathExists,
  run,
} from './support/repo.js';

const workflow = asRecord(parseYaml(readRepoFile('.github/workflows/deploy.yml')), 'deploy.yml');
const jobs = asRecord(workflow['jobs'], 'jobs');

function steps(job: string): Record<string, unknown>[] {
  return asArray(asRecord(jobs[job], job)['steps'], `${job}.steps`).map((s) =>
    asRecord(s, `${job} step`),
  );
}

function runLines(job: string): string[] {
  return steps(job).flatMap((s) => (typeof s['run'] === 'string' ? [s['run']] : []));
}

describe('.github/workflows/deploy.yml', () => {
  it('runs on pushes to main', () => {
    // YAML reads a bare `on` key as the string "on".
    const on = asRecord(workflow['on'], 'on');
    expect(asRecord(on['push'], 'push')['branches']).toEqual(['main']);
  });

  it('tests the deployment config with docker-compose installed before anything ships', () => {
    const lines = runLines('infra-test').join('\n');
    expect(lines).toContain('apt-get install --yes docker-compose');
    expect(lines).toContain('pnpm --filter @frequency/infra test');
    expect(asRecord(jobs['build'], 'build')['needs']).toBe('infra-test');
  });

  it('builds every app from its Dockerfile with the repository root as context', () => {
    const build = asRecord(jobs['build'], 'build');
    const matrix = asRecord(asRecord(build['strategy'], 'strategy')['matrix'], 'matrix');
    expect([...asArray(matrix['app'], 'matrix.app')].sort()).toEqual([...APPS].sort());
    for (const app of APPS)
      expect(repoPathExists(`infra/docker/${app}.Dockerfile`), app).toBe(true);
    const push = steps('build').find((s) =>
      String(s['uses']).startsWith('docker/build-push-action'),
    );
    const withs = asRecord(push?.['with'], 'build-push with');
    expect(withs['context']).toBe('.');
    expect(withs['file']).toBe('infra/docker/${{ matrix.app }}.Dockerfile');
    expect(withs['push']).toBe(true);
    expect(String(withs['tags'])).toMatch(/:\$\{\{ github\.sha \}\}$/);
  });

  it('deploys staging, then production behind its environment, through deploy.sh', () => {
    expect(asRecord(jobs['deploy-staging'], 'deploy-staging')['needs']).toBe('build');
    const production = asRecord(jobs['deploy-production'], 'deploy-production');
    expect(production['needs']).toBe('deploy-staging');
    expect(production['environment']).toBe('production');
    for (const [job, overlay] of [
      ['deploy-staging', 'staging'],
      ['deploy-production', 'production'],
    ] as const) {
      const lines = runLines(job).join('\n');
      expect(lines).toContain(`infra/scripts/deploy.sh infra/k8s/overlays/${overlay} `);
      expect(repoPathExists(`infra/k8s/overlays/${overlay}/kustomization.yaml`)).toBe(true);
    }
  });

  it('authenticates to GCP without keys', () => {
    const permissions = asRecord(workflow['permissions'], 'permissions');
    expect(permissions['id-token']).toBe('write');
    expect(readRepoFile('.github/workflows/deploy.yml')).not.toMatch(/credentials_json|GCP_SA_KEY/);
  });
});

describe('infra/scripts/deploy.sh', () => {
  const script = readRepoFile('infra/scripts/deploy.sh');

  it('is valid bash', () => {
    run('bash', ['-n', path.join(infraDir, 'scripts', 'deploy.sh')], {
      installHint: 'bash is required',
    });
    run('bash', ['-n', path.join(infraDir, 'scripts', 'sync-secrets.sh')], {
      installHint: 'bash is required',
    });
  });

  it('waits for the migration Job between the platform objects and the apps', () => {
    const order = [
      'printf \'IMAGE_TAG=%s\\n\' "$tag" >"$overlay/release.env"',
      '--selector app.kubernetes.io/component=platform',
      '"$here/sync-secrets.sh"',
      '--selector app.kubernetes.io/component=migration',
      'kubectl wait "job/$job" --namespace "$namespace" --for=condition=complete',
      'kubectl apply --server-side --filename "$rendered"\n',
      'kubectl rollout status',
    ];
    const positions = order.map((needle) => script.indexOf(needle));
    expect(
      positions.every((p) => p >= 0),
      JSON.stringify(positions),
    ).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(script).toContain('job="migrate-$tag"');
  });
});

describe('infra/scripts/sync-secrets.sh', () => {
  const script = readRepoFile('infra/scripts/sync-secrets.sh');
  const secrets = new Map(
    [...script.matchAll(/^apply_secret ([a-z-]+) (.+)$/gm)].map((m) => [
      m[1] ?? '',
      (m[2] ?? '').split(' '),
    ]),
  );

  it('creates exactly the Secrets the workloads read, with keys named as in the conventions', () => {
    const r = renderOverlay('staging');
    const referenced = [...r.deployments(), ...r.jobs()]
      .flatMap((w) => w.spec?.template.spec?.containers ?? [])
      .flatMap((c) => c.envFrom ?? [])
      .map((e) => e.secretRef?.name)
      .sort();
    expect([...secrets.keys()].sort()).toEqual(referenced);
    const conventions = conventionEnvNames();
    for (const [secret, keys] of secrets) {
      for (const key of keys) expect(conventions.has(key), `${secret}: ${key}`).toBe(true);
    }
  });

  it('gives each process only the secrets its row in the conventions names', () => {
    const conventions = conventionEnvNames();
    for (const [secret, keys] of secrets) {
      const app = secret.replace(/-env$/, '');
      for (const key of keys) {
        const users = conventions.get(key) ?? '';
        const allowed =
          users === 'all' ||
          users
            .split(',')
            .map((u) => u.trim().replace(/ job$/, ''))
            .includes(app);
        expect(allowed, `${secret} holds ${key} (used by ${users})`).toBe(true);
      }
    }
  });
});

describe('infra/scripts/generate-secrets.ts', () => {
  it('makes tokens long enough and two distinct ES256 private keys with kids', () => {
    const secrets = generateSecrets();
    expect(secrets.QUEUE_TOKEN_SECRET.length).toBeGreaterThanOrEqual(32);
    expect(secrets.OPS_TOKEN.length).toBeGreaterThanOrEqual(32);
    const jwks = asRecord(JSON.parse(secrets.ADMISSION_PRIVATE_JWKS), 'jwks');
    const keys = asArray(jwks['keys'], 'keys').map((k) => asRecord(k, 'key'));
    expect(keys).toHaveLength(2);
    const kids = new Set(keys.map((k) => k['kid']));
    expect(kids.size).toBe(2);
    for (const key of keys) {
      expect(key['alg']).toBe('ES256');
      expect(key['crv']).toBe('P-256');
      const imported = createPrivateKey({ key: { ...key }, format: 'jwk' });
      expect(imported.asymmetricKeyType).toBe('ec');
    }
    expect(generateSecrets().OPS_TOKEN).not.toBe(secrets.OPS_TOKEN);
  });
});
