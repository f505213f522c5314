import { createPrivateKey } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { generateSecrets } from '../scripts/generate-secrets.js';
import { KUBECTL_HINT, parseManifests, renderOverlay } from './support/k8s.js';
import {
  APPS,
  asArray,
  asRecord,
  CommandError,
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

interface SyncResult {
  /** Secret name -> key -> value, as kubectl apply would have received them. */
  secrets: Map<string, Record<string, string>>;
}

/**
 * Runs sync-secrets.sh for real against a stand-in Secret Manager (a gcloud on
 * PATH that answers from `stored`) and a stand-in cluster (kubectl apply writes
 * what it is given to a file); kubectl create itself is the real one.
 */
function runSync(stored: Record<string, string>): SyncResult {
  const dir = mkdtempSync(path.join(tmpdir(), 'sync-secrets-'));
  try {
    const bin = path.join(dir, 'bin');
    const store = path.join(dir, 'store');
    const applied = path.join(dir, 'applied.yaml');
    mkdirSync(bin);
    mkdirSync(store);
    for (const [id, value] of Object.entries(stored)) writeFileSync(path.join(store, id), value);
    const kubectl = run('bash', ['-c', 'command -v kubectl'], { installHint: KUBECTL_HINT }).trim();
    const tools: Record<string, string> = {
      // gcloud secrets versions access latest --project P --secret ID
      gcloud: `#!/usr/bin/env bash
while [[ $# -gt 0 && "$1" != --secret ]]; do shift; done
[[ -f "${store}/$2" ]] || { echo "NOT_FOUND: secret $2" >&2; exit 1; }
cat "${store}/$2"
`,
      kubectl: `#!/usr/bin/env bash
if [[ "$1" == apply ]]; then { cat; echo '---'; } >>"${applied}"; exit 0; fi
exec ${kubectl} "$@"
`,
    };
    for (const [name, text] of Object.entries(tools)) {
      writeFileSync(path.join(bin, name), text);
      chmodSync(path.join(bin, name), 0o755);
    }
    run('bash', [path.join(infraDir, 'scripts', 'sync-secrets.sh'), 'frequency-test'], {
      env: { PATH: `${bin}:${process.env['PATH'] ?? ''}`, KUBECONFIG: path.join(dir, 'none') },
      installHint: 'bash is required',
    });
    const secrets = new Map<string, Record<string, string>>();
    for (const m of parseManifests(readFileSync(applied, 'utf8'))) {
      const data = asRecord(m.raw['data'] ?? {}, `${m.name}.data`);
      secrets.set(
        m.name,
        Object.fromEntries(
          Object.entries(data).map(([k, v]) => [k, Buffer.from(String(v), 'base64').toString()]),
        ),
      );
    }
    return { secrets };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('infra/scripts/sync-secrets.sh against a stand-in Secret Manager', () => {
  const common = {
    'admission-private-jwks': '{"keys":[]}',
    'queue-token-secret': 'q'.repeat(32),
    'ops-token': 'o'.repeat(32),
    'receipt-secret': 'r'.repeat(32),
    'database-url': 'postgres://frequency@10.100.0.5:5432/frequency',
  };
  const redisUsers = ['waiting-room-env', 'checkout-env', 'worker-env'];

  it('hands the services REDIS_URL when the environment has an instance', () => {
    const { secrets } = runSync({ ...common, 'redis-url': 'redis://:auth@10.100.0.3:6379/0' });
    for (const name of redisUsers) {
      expect(secrets.get(name)?.['REDIS_URL'], name).toBe('redis://:auth@10.100.0.3:6379/0');
      expect(secrets.get(name), name).not.toHaveProperty('REDIS_CLUSTER_NODES');
    }
    expect(Object.keys(secrets.get('migrate-env') ?? {})).toEqual(['DATABASE_URL']);
  });

  it('hands the services REDIS_CLUSTER_NODES when the environment has a cluster', () => {
    const { secrets } = runSync({ ...common, 'redis-cluster-nodes': '10.10.16.2:6379' });
    for (const name of redisUsers) {
      expect(secrets.get(name)?.['REDIS_CLUSTER_NODES'], name).toBe('10.10.16.2:6379');
      expect(secrets.get(name), name).not.toHaveProperty('REDIS_URL');
    }
    expect(secrets.get('checkout-env')?.['RECEIPT_SECRET']).toBe('r'.repeat(32));
  });

  it('stops unless exactly one Redis secret exists', () => {
    for (const stored of [
      common,
      { ...common, 'redis-url': 'redis://:a@h:6379/0', 'redis-cluster-nodes': 'h:6379' },
    ]) {
      let failure: unknown;
      try {
        runSync(stored);
      } catch (err) {
        failure = err;
      }
      expect(failure).toBeInstanceOf(CommandError);
      if (failure instanceof CommandError)
        expect(failure.stderr).toContain('expected exactly one of');
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
