import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { generateSecrets } from '../scripts/generate-secrets.js';
import {
  APP_PORTS,
  APPS,
  asArray,
  asRecord,
  CommandError,
  conventionEnvNames,
  listFiles,
  readRepoFile,
  repoPathExists,
  repoRoot,
  run,
} from './support/repo.js';

const INSTALL_HINT =
  'apt-get update && apt-get install docker-compose (CI installs it; it renders the file offline)';

// Only the variables compose interpolates; everything else comes from the file itself.
function composeEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { ...generateSecrets(), ...extra };
}

// An empty env file, so a developer's own .env never changes what these tests see.
const scratch = mkdtempSync(path.join(tmpdir(), 'compose-'));
const emptyEnvFile = path.join(scratch, 'empty.env');
writeFileSync(emptyEnvFile, '');
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function compose(args: readonly string[], env: Record<string, string>): string {
  return run('docker-compose', ['-f', 'docker-compose.yml', '--env-file', emptyEnvFile, ...args], {
    env,
    installHint: INSTALL_HINT,
  });
}

function config(args: readonly string[], env: Record<string, string>): Record<string, unknown> {
  return asRecord(parseYaml(compose([...args, 'config'], env)), 'docker-compose config');
}

function volumeSpec(v: unknown): string {
  if (typeof v === 'string') return v;
  const volume = asRecord(v, 'volume');
  return `${String(volume['source'])}:${String(volume['target'])}`;
}

const secrets = composeEnv();
let rendered: Record<string, Record<string, unknown>> | undefined;

// Rendered on first use rather than in beforeAll: without docker-compose every test
// then fails with the install hint, instead of being reported as skipped.
function services(): Record<string, Record<string, unknown>> {
  rendered ??= Object.fromEntries(
    Object.entries(asRecord(config([], secrets)['services'], 'services')).map(([k, v]) => [
      k,
      asRecord(v, k),
    ]),
  );
  return rendered;
}

function service(name: string): Record<string, unknown> {
  const s = services()[name];
  if (s === undefined) throw new Error(`no service ${name}`);
  return s;
}

function environment(name: string): Record<string, string> {
  return Object.fromEntries(
    Object.entries(asRecord(service(name)['environment'], `${name}.environment`)).map(([k, v]) => [
      k,
      String(v),
    ]),
  );
}

function dependsOn(name: string): Record<string, string> {
  const deps = asRecord(service(name)['depends_on'] ?? {}, `${name}.depends_on`);
  return Object.fromEntries(
    Object.entries(deps).map(([dep, spec]) => [
      dep,
      String(asRecord(spec, `${name} -> ${dep}`)['condition']),
    ]),
  );
}

describe('docker-compose.yml', () => {
  it('runs the whole stack by default and Prometheus + Grafana only under the observability profile', () => {
    const byProfile = Object.entries(services()).map(([name, s]) => [name, s['profiles'] ?? null]);
    expect(Object.fromEntries(byProfile)).toEqual({
      redis: null,
      postgres: null,
      pubsub: null,
      'pubsub-init': null,
      migrate: null,
      'waiting-room': null,
      checkout: null,
      worker: null,
      web: null,
      mail: null,
      prometheus: ['observability'],
      grafana: ['observability'],
    });
  });

  describe('the observability profile', () => {
    // What `docker-compose --profile observability up` starts, as compose renders it.
    let observed: Record<string, Record<string, unknown>> | undefined;
    const observability = (): Record<string, Record<string, unknown>> =>
      (observed ??= Object.fromEntries(
        Object.entries(
          asRecord(config(['--profile', 'observability'], secrets)['services'], 'services'),
        ).map(([k, v]) => [k, asRecord(v, k)]),
      ));
    const mounts = (name: string): Map<string, string> =>
      new Map(
        asArray(asRecord(observability()[name], name)['volumes'], `${name}.volumes`)
          .map(volumeSpec)
          .map((spec) => {
            const [source = '', target = ''] = spec.split(':');
            return [target, path.relative(repoRoot, source)] as const;
          }),
      );

    it('starts real Grafana and Prometheus next to the stack', () => {
      expect(String(observability()['grafana']?.['image'])).toMatch(/^grafana\/grafana:/);
      expect(String(observability()['prometheus']?.['image'])).toMatch(/^prom\/prometheus:/);
      expect(Object.keys(dependsOn('grafana'))).toContain('prometheus');
    });

    it('provisions the generated dashboards and a datasource on the compose Prometheus', () => {
      const grafana = mounts('grafana');
      expect(grafana.get('/var/lib/grafana/dashboards/frequency')).toBe('grafana/dashboards');
      expect(grafana.get('/etc/grafana/provisioning/dashboards')).toBe(
        'grafana/provisioning/dashboards',
      );
      // The provider reads the folder the dashboards are mounted at.
      const provider = asRecord(
        asArray(
          asRecord(
            parseYaml(readRepoFile('grafana/provisioning/dashboards/dashboards.yml')),
            'provider',
          )['providers'],
          'providers',
        )[0],
        'provider',
      );
      expect(asRecord(provider['options'], 'options')['path']).toBe(
        '/var/lib/grafana/dashboards/frequency',
      );
      const datasourceFile = grafana.get('/etc/grafana/provisioning/datasources/prometheus.yml');
      expect(datasourceFile).toBe('grafana/compose/datasources.yml');
      const datasource = asRecord(
        asArray(
          asRecord(parseYaml(readRepoFile(datasourceFile ?? '')), 'datasources')['datasources'],
          'datasources',
        )[0],
        'datasource',
      );
      expect(datasource['url']).toBe('http://prometheus:9090');
      // Every dashboard panel names the datasource by this uid.
      for (const file of listFiles(path.join(repoRoot, 'grafana/dashboards'), '.json')) {
        const uids = new Set<unknown>();
        JSON.parse(readFileSync(file, 'utf8'), (key, value: unknown) => {
          if (key === 'datasource') uids.add(asRecord(value, `${file} datasource`)['uid']);
          return value;
        });
        expect([...uids], file).toEqual([datasource['uid']]);
      }
    });

    it('scrapes every app container by its compose name and conventional port, with the rules', () => {
      const prometheus = mounts('prometheus');
      const configFile = prometheus.get('/etc/prometheus/prometheus.yml');
      expect(configFile).toBe('grafana/prometheus/prometheus.compose.yml');
      expect(prometheus.get('/etc/prometheus/rules')).toBe('grafana/prometheus/rules');
      const scrape = asRecord(
        asArray(
          asRecord(parseYaml(readRepoFile(configFile ?? '')), 'config')['scrape_configs'],
          'scrape',
        )[0],
        'scrape config',
      );
      const targets = asArray(scrape['static_configs'], 'static_configs').map((c) => {
        const entry = asRecord(c, 'static config');
        return [
          String(asRecord(entry['labels'], 'labels')['service']),
          asArray(entry['targets'], 'targets').map(String),
        ];
      });
      expect(Object.fromEntries(targets)).toEqual(
        Object.fromEntries(APPS.map((app) => [app, [`${app}:${APP_PORTS[app]}`]])),
      );
      for (const app of APPS) expect(Object.keys(observability())).toContain(app);
    });
  });

  it('uses the Pub/Sub emulator image', () => {
    expect(service('pubsub')['image']).toBe(
      'gcr.io/google.com/cloudsdktool/google-cloud-cli:emulators',
    );
  });

  it.each(APPS)(
    'builds %s from its Dockerfile at the repository root, on its conventional port',
    (app) => {
      const build = asRecord(service(app)['build'], `${app}.build`);
      expect(build['dockerfile']).toBe(`infra/docker/${app}.Dockerfile`);
      expect(repoPathExists(`infra/docker/${app}.Dockerfile`)).toBe(true);
      expect(environment(app)['PORT']).toBe(String(APP_PORTS[app]));
      const ports = asArray(service(app)['ports'], `${app}.ports`).map(
        (p) => asRecord(p, 'port')['target'],
      );
      expect(ports).toEqual([APP_PORTS[app]]);
    },
  );

  it.each(APPS)('gives %s only environment variables named in docs/conventions.md', (app) => {
    const conventions = conventionEnvNames();
    for (const name of Object.keys(environment(app))) {
      expect(conventions.has(name), `${app}: ${name}`).toBe(true);
    }
  });

  it('migrates once, with the worker image, before the worker starts', () => {
    const migrate = service('migrate');
    expect(migrate['restart']).toBe('no');
    expect(migrate['image']).toBe(service('worker')['image']);
    expect(migrate['working_dir']).toBe('/app/packages/db');
    expect(migrate['command']).toEqual(['node', 'dist/cli-migrate.js']);
    expect(dependsOn('migrate')).toEqual({ postgres: 'service_healthy' });
    expect(dependsOn('worker')['migrate']).toBe('service_completed_successfully');
  });

  it('creates the topic and subscription before checkout and the worker use them', () => {
    expect(dependsOn('pubsub-init')).toEqual({ pubsub: 'service_healthy' });
    expect(dependsOn('checkout')['pubsub-init']).toBe('service_completed_successfully');
    expect(dependsOn('worker')['pubsub-init']).toBe('service_completed_successfully');
    const init = environment('pubsub-init');
    const worker = environment('worker');
    for (const key of [
      'PUBSUB_PROJECT_ID',
      'PUBSUB_TOPIC',
      'PUBSUB_SUBSCRIPTION',
      'PUBSUB_DEAD_LETTER_TOPIC',
    ]) {
      expect(init[key], key).toBe(worker[key]);
    }
  });

  it('points every backend at the compose services and the emulator', () => {
    for (const app of ['waiting-room', 'checkout', 'worker'] as const) {
      expect(environment(app)['REDIS_URL']).toBe('redis://redis:6379/0');
    }
    for (const app of ['checkout', 'worker'] as const) {
      expect(environment(app)['PUBSUB_EMULATOR_HOST']).toBe('pubsub:8085');
    }
    expect(environment('checkout')['WAITING_ROOM_URL']).toBe('http://waiting-room:3001');
    expect(environment('worker')['DATABASE_URL']).toBe(environment('migrate')['DATABASE_URL']);
    // Confirmation e-mails go to the mail sink's SMTP port, never to the outside world.
    expect(environment('worker')['SMTP_URL']).toBe('smtp://mail:1025');
  });

  it('passes the generated secrets through to the waiting room unchanged', () => {
    const env = environment('waiting-room');
    expect(env['OPS_TOKEN']).toBe(secrets['OPS_TOKEN']);
    expect(env['QUEUE_TOKEN_SECRET']).toBe(secrets['QUEUE_TOKEN_SECRET']);
    expect(env['ADMISSION_PRIVATE_JWKS']).toBe(secrets['ADMISSION_PRIVATE_JWKS']);
  });

  it('refuses to render without the secrets, saying how to make them', () => {
    let failure: unknown;
    try {
      // Empty counts as missing for ${VAR:?...}, whatever the calling shell exports.
      compose(['config'], { OPS_TOKEN: '', QUEUE_TOKEN_SECRET: '', ADMISSION_PRIVATE_JWKS: '' });
    } catch (err) {
      failure = err;
    }
    expect(failure).toBeInstanceOf(CommandError);
    expect(failure instanceof CommandError ? failure.stderr : '').toContain('generate-secrets.ts');
  });

  it('waits for health before starting what depends on it', () => {
    for (const name of ['redis', 'postgres', 'pubsub']) {
      expect(asRecord(service(name)['healthcheck'], `${name}.healthcheck`)['test']).toBeDefined();
    }
    expect(dependsOn('checkout')['waiting-room']).toBe('service_healthy');
    expect(dependsOn('web')).toEqual({
      'waiting-room': 'service_healthy',
      checkout: 'service_healthy',
    });
  });
});
