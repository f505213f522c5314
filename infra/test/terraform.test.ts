import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SECRET_NAMES } from '../scripts/generate-secrets.js';
import { OVERLAYS, renderOverlay, type Rendered } from './support/k8s.js';
import { asArray, asRecord, asString, listFiles, run } from './support/repo.js';
import {
  block,
  ENVS,
  parseDir,
  parseFile,
  resource,
  resourcesOfType,
  terraformDir,
  type Env,
  type TfDir,
} from './support/terraform.js';

const MODULES = [
  'artifact-registry',
  'cloudsql',
  'edge',
  'gke',
  'network',
  'project',
  'pubsub',
  'redis',
  'secrets',
  'workload-identity',
] as const;
type ModuleName = (typeof MODULES)[number];

const modules = new Map<ModuleName, TfDir>();
const envs = new Map<Env, TfDir>();
const tfvars = new Map<Env, Record<string, unknown>>();
const overlays = new Map<Env, Rendered>();

function mod(name: ModuleName): TfDir {
  const m = modules.get(name);
  if (m === undefined) throw new Error(`module ${name} not parsed`);
  return m;
}

function env(name: Env): TfDir {
  const e = envs.get(name);
  if (e === undefined) throw new Error(`env ${name} not parsed`);
  return e;
}

function vars(name: Env): Record<string, unknown> {
  const v = tfvars.get(name);
  if (v === undefined) throw new Error(`tfvars ${name} not parsed`);
  return v;
}

function overlay(name: Env): Rendered {
  const r = overlays.get(name);
  if (r === undefined) throw new Error(`overlay ${name} not rendered`);
  return r;
}

function variableDefault(dir: TfDir, name: string): unknown {
  return dir.variable[name]?.[0]?.['default'];
}

beforeAll(async () => {
  for (const name of MODULES)
    modules.set(name, await parseDir(path.join(terraformDir, 'modules', name)));
  for (const name of ENVS) {
    envs.set(name, await parseDir(path.join(terraformDir, 'envs', name)));
    tfvars.set(name, await parseFile(path.join(terraformDir, 'envs', name, 'terraform.tfvars')));
  }
  for (const name of OVERLAYS) overlays.set(name, renderOverlay(name));
});

describe('terraform files', () => {
  it('are formatted (terraform fmt -check -recursive)', () => {
    const out = run('terraform', ['fmt', '-check', '-recursive', '-diff', terraformDir], {
      env: { TF_CLI_CONFIG_FILE: '', CHECKPOINT_DISABLE: '1' },
      installHint:
        'install terraform 1.11 (HashiCorp apt repository; CI uses hashicorp/setup-terraform)',
    });
    expect(out).toBe('');
  });

  it('all parse as HCL', async () => {
    const files = [...listFiles(terraformDir, '.tf'), ...listFiles(terraformDir, '.tfvars')];
    expect(files.length).toBeGreaterThan(30);
    for (const file of files) await expect(parseFile(file), file).resolves.toBeDefined();
  });

  it('has exactly the expected modules', () => {
    const dirs = new Set(
      listFiles(path.join(terraformDir, 'modules'), '.tf').map((f) =>
        path.basename(path.dirname(f)),
      ),
    );
    expect([...dirs].sort()).toEqual([...MODULES]);
  });
});

describe('Cloud SQL', () => {
  it('has a private IP only, on the VPC, with TLS required', () => {
    const sql = resource(mod('cloudsql'), 'google_sql_database_instance', 'main');
    const ip = block(block(sql, 'settings'), 'ip_configuration');
    expect(ip['ipv4_enabled']).toBe(false);
    expect(ip['private_network']).toBe('${var.network_id}');
    expect(ip['authorized_networks']).toBeUndefined();
    expect(ip['ssl_mode']).toBe('ENCRYPTED_ONLY');
  });

  it('is regional (HA) with backups, point-in-time recovery and deletion protection', () => {
    const sql = resource(mod('cloudsql'), 'google_sql_database_instance', 'main');
    expect(sql['deletion_protection']).toBe(true);
    const settings = block(sql, 'settings');
    expect(settings['availability_type']).toBe('REGIONAL');
    expect(settings['deletion_protection_enabled']).toBe(true);
    const backups = block(settings, 'backup_configuration');
    expect(backups['enabled']).toBe(true);
    expect(backups['point_in_time_recovery_enabled']).toBe(true);
    expect(sql['database_version']).toMatch(/^POSTGRES_1[5-9]$/);
  });

  it('is created after the private services peering in every environment', () => {
    for (const name of ENVS) {
      expect(env(name).module['cloudsql']?.[0]?.['depends_on']).toEqual(['${module.network}']);
    }
  });
});

describe('Memorystore', () => {
  it('is STANDARD_HA on private services access and never evicts', () => {
    const redis = resource(mod('redis'), 'google_redis_instance', 'main');
    expect(redis['tier']).toBe('STANDARD_HA');
    expect(redis['connect_mode']).toBe('PRIVATE_SERVICE_ACCESS');
    expect(redis['auth_enabled']).toBe(true);
    expect(asRecord(redis['redis_configs'], 'redis_configs')['maxmemory-policy']).toBe(
      'noeviction',
    );
  });
});

describe('GKE', () => {
  it('is regional, with Workload Identity on the cluster and the GKE metadata server on nodes', () => {
    const cluster = resource(mod('gke'), 'google_container_cluster', 'main');
    expect(cluster['location']).toBe('${var.region}');
    expect(block(cluster, 'workload_identity_config')['workload_pool']).toBe(
      '${var.project_id}.svc.id.goog',
    );
    expect(cluster['datapath_provider']).toBe('ADVANCED_DATAPATH');
    expect(block(cluster, 'private_cluster_config')['enable_private_nodes']).toBe(true);
    const pool = resource(mod('gke'), 'google_container_node_pool', 'apps');
    expect(pool['location']).toBe('${var.region}');
    expect(block(block(pool, 'node_config'), 'workload_metadata_config')['mode']).toBe(
      'GKE_METADATA',
    );
  });
});

describe('Pub/Sub', () => {
  it('uses the names in docs/conventions.md and the manifests', () => {
    const pubsub = mod('pubsub');
    for (const name of OVERLAYS) {
      const config = overlay(name).generatedConfigMap('frequency-config').data ?? {};
      expect(variableDefault(pubsub, 'topic')).toBe(config['PUBSUB_TOPIC']);
      expect(variableDefault(pubsub, 'subscription')).toBe(config['PUBSUB_SUBSCRIPTION']);
      expect(variableDefault(pubsub, 'dead_letter_topic')).toBe(config['PUBSUB_DEAD_LETTER_TOPIC']);
    }
    expect(variableDefault(pubsub, 'topic')).toBe('purchase-intents');
  });

  it('dead-letters after bounded retries with backoff, and keeps the dead letters', () => {
    const sub = resource(mod('pubsub'), 'google_pubsub_subscription', 'worker');
    const dead = block(sub, 'dead_letter_policy');
    expect(dead['dead_letter_topic']).toBe('${google_pubsub_topic.dead_letter.id}');
    expect(dead['max_delivery_attempts']).toBeGreaterThanOrEqual(5);
    const retry = block(sub, 'retry_policy');
    expect(retry['minimum_backoff']).toBeDefined();
    expect(retry['maximum_backoff']).toBeDefined();
    const hold = resource(mod('pubsub'), 'google_pubsub_subscription', 'dead_letter');
    expect(hold['topic']).toBe('${google_pubsub_topic.dead_letter.id}');
    // Pub/Sub's service agent needs both roles to forward a message.
    expect(
      resource(mod('pubsub'), 'google_pubsub_topic_iam_member', 'agent_publishes_dead_letters')[
        'role'
      ],
    ).toBe('roles/pubsub.publisher');
    expect(
      resource(mod('pubsub'), 'google_pubsub_subscription_iam_member', 'agent_acks_forwarded')[
        'role'
      ],
    ).toBe('roles/pubsub.subscriber');
  });
});

describe('secrets', () => {
  it('creates a Secret Manager secret for every generated secret and no value for them', () => {
    const secrets = mod('secrets');
    const ids = asRecord(variableDefault(secrets, 'secrets'), 'secrets default');
    expect(Object.keys(ids).sort()).toEqual([...SECRET_NAMES].sort());
    expect(secrets.resource['google_secret_manager_secret_version']).toBeUndefined();
  });

  it('has sync-secrets.sh read the same secret ids Terraform creates', () => {
    const script = readFileSync(
      path.join(terraformDir, '..', 'scripts', 'sync-secrets.sh'),
      'utf8',
    );
    const ids = asRecord(variableDefault(mod('secrets'), 'secrets'), 'secrets default');
    const all: Record<string, unknown> = {
      ...ids,
      DATABASE_URL: resource(mod('cloudsql'), 'google_secret_manager_secret', 'database_url')[
        'secret_id'
      ],
      REDIS_URL: resource(mod('redis'), 'google_secret_manager_secret', 'redis_url')['secret_id'],
    };
    for (const [name, id] of Object.entries(all)) {
      expect(script, name).toContain(`[${name}]=${asString(id, name)}`);
    }
  });
});

describe('Workload Identity', () => {
  it('binds one Google service account per Kubernetes ServiceAccount in the namespace', () => {
    const wi = mod('workload-identity');
    const binding = resource(wi, 'google_service_account_iam_member', 'workload_identity');
    expect(binding['role']).toBe('roles/iam.workloadIdentityUser');
    expect(binding['member']).toBe(
      'serviceAccount:${var.project_id}.svc.id.goog[${var.namespace}/${each.value}]',
    );
    expect(variableDefault(wi, 'namespace')).toBe('frequency');
  });

  it('has a Google service account for exactly the ServiceAccounts the overlays render', async () => {
    const main = await parseFile(
      path.join(terraformDir, 'modules', 'workload-identity', 'main.tf'),
    );
    const locals = asRecord(asArray(main['locals'], 'locals')[0], 'locals');
    // hcl2json leaves the expression as a string: ${toset(["a", "b"])}
    const apps = [...asString(locals['apps'], 'locals.apps').matchAll(/"([a-z-]+)"/g)]
      .map((m) => m[1])
      .sort();
    for (const name of OVERLAYS) {
      const accounts = overlay(name)
        .manifests.filter((m) => m.kind === 'ServiceAccount')
        .map((m) => m.name)
        .sort();
      expect(apps).toEqual(accounts);
    }
  });

  it('gives checkout publish and the worker subscribe, and nobody more on Pub/Sub', () => {
    const wi = mod('workload-identity');
    expect(
      resource(wi, 'google_pubsub_topic_iam_member', 'checkout_publishes')['member'],
    ).toContain('["checkout"]');
    expect(
      resource(wi, 'google_pubsub_subscription_iam_member', 'worker_subscribes')['member'],
    ).toContain('["worker"]');
    const projectRoles = resourcesOfType(wi, 'google_project_iam_member').map((r) =>
      String(r['member']),
    );
    expect(projectRoles.some((m) => m.includes('google_service_account.app'))).toBe(false);
  });
});

describe('environments', () => {
  it('share one main.tf, variables.tf, outputs.tf and versions.tf', () => {
    for (const file of ['main.tf', 'variables.tf', 'outputs.tf', 'versions.tf']) {
      const [a, b] = ENVS.map((e) =>
        readFileSync(path.join(terraformDir, 'envs', e, file), 'utf8'),
      );
      expect(a, file).toBe(b);
    }
  });

  it.each(ENVS)('%s keeps state in its own GCS bucket', (name) => {
    const backend = asRecord(
      env(name).terraform.find((t) => t['backend'] !== undefined)?.['backend'],
      'backend',
    );
    const gcs = asRecord(asArray(backend['gcs'], 'gcs')[0], 'gcs');
    expect(gcs['bucket']).toBe(`frequency-${name}-tfstate`);
  });

  it.each(ENVS)('%s calls every module with declared variables and all required ones', (name) => {
    const calls = env(name).module;
    const called = new Set<string>();
    for (const [callName, [call]] of Object.entries(calls).map(([k, v]) => [k, v] as const)) {
      const source = asString(call?.['source'], `${callName}.source`);
      const moduleName = path.basename(source) as ModuleName;
      expect(MODULES).toContain(moduleName);
      called.add(moduleName);
      const declared = mod(moduleName).variable;
      const args = Object.keys(call ?? {}).filter((k) => !['source', 'depends_on'].includes(k));
      for (const arg of args) expect(Object.keys(declared), `${callName}.${arg}`).toContain(arg);
      for (const [variable, [spec]] of Object.entries(declared).map(([k, v]) => [k, v] as const)) {
        if (spec !== undefined && !('default' in spec))
          expect(args, `${callName} needs ${variable}`).toContain(variable);
      }
    }
    expect([...called].sort()).toEqual([...MODULES]);
  });

  it.each(ENVS)('%s sets every root variable without a default in terraform.tfvars', (name) => {
    const required = Object.entries(env(name).variable)
      .filter(([, [spec]]) => spec !== undefined && !('default' in spec))
      .map(([variable]) => variable);
    for (const variable of required) expect(Object.keys(vars(name)), variable).toContain(variable);
  });

  it.each(ENVS)('%s outputs what the overlay and the deploy workflow consume', (name) => {
    const outputs = Object.keys(env(name).output);
    for (const needed of [
      'project_id',
      'cluster_name',
      'artifact_registry_url',
      'workload_identity_service_accounts',
      'deployer_service_account',
      'github_workload_identity_provider',
      'private_services_cidr',
      'pubsub_subscription',
      'ingress_ip_name',
      'certificate_name',
      'secret_ids',
    ]) {
      expect(outputs, needed).toContain(needed);
    }
  });
});

describe('terraform and the manifests agree', () => {
  it.each(ENVS)('%s: project, registry and service-account emails', (name) => {
    const r = overlay(name);
    const project = asString(vars(name)['project_id'], 'project_id');
    expect(r.generatedConfigMap('frequency-config').data?.['PUBSUB_PROJECT_ID']).toBe(project);
    const region = variableDefault(env(name), 'region');
    const repo = variableDefault(mod('artifact-registry'), 'repository_id');
    for (const d of r.deployments()) {
      expect(d.spec?.template.spec?.containers[0]?.image).toMatch(
        new RegExp(`^${String(region)}-docker\\.pkg\\.dev/${project}/${String(repo)}/`),
      );
    }
    for (const app of ['waiting-room', 'checkout', 'worker', 'web', 'migrate']) {
      expect(r.serviceAccount(app).metadata?.annotations?.['iam.gke.io/gcp-service-account']).toBe(
        `${app}@${project}.iam.gserviceaccount.com`,
      );
    }
  });

  it.each(ENVS)('%s: ingress hosts, static IP and certificate', (name) => {
    const ingress = overlay(name).raw('Ingress', 'frequency');
    const metadata = asRecord(ingress['metadata'], 'metadata');
    const annotations = asRecord(metadata['annotations'], 'annotations');
    const edge = mod('edge');
    expect(annotations['kubernetes.io/ingress.global-static-ip-name']).toBe(
      resource(edge, 'google_compute_global_address', 'ingress')['name'],
    );
    expect(annotations['ingress.gcp.kubernetes.io/pre-shared-cert']).toBe(
      resource(edge, 'google_compute_managed_ssl_certificate', 'ingress')['name'],
    );
    const hosts = asArray(asRecord(ingress['spec'], 'spec')['rules'], 'rules').map(
      (rule) => asRecord(rule, 'rule')['host'],
    );
    expect(hosts).toEqual(vars(name)['domains']);
  });

  it.each(ENVS)('%s: ops ingress host, static IP and certificate', (name) => {
    const ingress = overlay(name).raw('Ingress', 'frequency-ops');
    const annotations = asRecord(
      asRecord(ingress['metadata'], 'metadata')['annotations'],
      'annotations',
    );
    const edge = mod('edge');
    expect(annotations['kubernetes.io/ingress.global-static-ip-name']).toBe(
      resource(edge, 'google_compute_global_address', 'ops')['name'],
    );
    expect(annotations['ingress.gcp.kubernetes.io/pre-shared-cert']).toBe(
      resource(edge, 'google_compute_managed_ssl_certificate', 'ops')['name'],
    );
    const hosts = asArray(asRecord(ingress['spec'], 'spec')['rules'], 'rules').map(
      (rule) => asRecord(rule, 'rule')['host'],
    );
    expect(hosts).toEqual([vars(name)['ops_domain']]);
  });

  it.each(ENVS)(
    '%s: NetworkPolicies name the private services range for Redis and Postgres',
    (name) => {
      const cidr = variableDefault(mod('network'), 'private_services_cidr');
      const policies = overlay(name).networkPolicies();
      for (const policyName of ['redis-egress', 'postgres-egress']) {
        const policy = policies.find((p) => p.metadata?.name === policyName);
        expect(policy?.spec?.egress?.[0]?.to?.[0]?.ipBlock?.cidr, policyName).toBe(cidr);
      }
    },
  );
});
