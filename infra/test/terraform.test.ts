import { readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { SECRET_NAMES } from '../scripts/generate-secrets.js';
import {
  OVERLAYS,
  overlayComponents,
  renderOverlay,
  renderWithComponent,
  type Rendered,
} from './support/k8s.js';
import { inCidr } from './support/network-policy.js';
import { asArray, asRecord, asString, CommandError, listFiles, run } from './support/repo.js';
import {
  bareExpression,
  block,
  ENVS,
  evaluate,
  parseDir,
  parseFile,
  resource,
  resourcesOfType,
  TERRAFORM_HINT,
  terraformDir,
  type Env,
  type TfDir,
} from './support/terraform.js';

// The building blocks, and modules/platform that wires them for one environment.
const BLOCKS = [
  'artifact-registry',
  'cloudsql',
  'edge',
  'gke',
  'network',
  'project',
  'pubsub',
  'redis',
  'redis-cluster',
  'secrets',
  'workload-identity',
] as const;
const MODULES = [...BLOCKS, 'platform'] as const;
type ModuleName = (typeof MODULES)[number];

// The files of an environment directory: a backend, the provider, one module call
// with the environment's values, its outputs, and the state moves into that call.
const ENV_FILES = ['backend.tf', 'main.tf', 'moved.tf', 'outputs.tf', 'versions.tf'];

const modules = new Map<ModuleName, TfDir>();
const envs = new Map<Env, TfDir>();
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

/** The arguments of the environment's one call of modules/platform. */
function platformCall(name: Env): Record<string, unknown> {
  const calls = Object.entries(env(name).module);
  const call = calls[0]?.[1][0];
  if (calls.length !== 1 || calls[0]?.[0] !== 'platform' || call === undefined)
    throw new Error(`${name} must call exactly one module, platform`);
  return call;
}

/** The environment's values for modules/platform, locals resolved. */
function values(name: Env): Record<string, unknown> {
  const locals = env(name).locals;
  return Object.fromEntries(
    Object.entries(platformCall(name))
      .filter(([key]) => key !== 'source')
      .map(([key, value]) => {
        const local = typeof value === 'string' ? /^\$\{local\.(\w+)\}$/.exec(value) : null;
        if (local?.[1] === undefined) return [key, value];
        if (!(local[1] in locals)) throw new Error(`${name}: no local ${local[1]}`);
        return [key, locals[local[1]]];
      }),
  );
}

function value(name: Env, key: string): unknown {
  const v = values(name);
  if (!(key in v)) throw new Error(`${name} passes no ${key} to the platform`);
  return v[key];
}

function variablesTf(name: ModuleName): string {
  return readFileSync(path.join(terraformDir, 'modules', name, 'variables.tf'), 'utf8');
}

/** The count expression of one module call in modules/platform. */
function countOf(call: string): string {
  return bareExpression(mod('platform').module[call]?.[0]?.['count'], `${call}.count`);
}

function expectValidationError(attempt: () => unknown, message: string): void {
  try {
    attempt();
  } catch (err) {
    expect(err).toBeInstanceOf(CommandError);
    if (err instanceof CommandError) expect(err.stderr.replace(/\s+/g, ' ')).toContain(message);
    return;
  }
  throw new Error(`Terraform accepted what should fail with: ${message}`);
}

function cidrsOverlap(a: string, b: string): boolean {
  const base = (cidr: string): string => cidr.split('/')[0] ?? '';
  return inCidr(base(a), b) || inCidr(base(b), a);
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
  for (const name of ENVS) envs.set(name, await parseDir(path.join(terraformDir, 'envs', name)));
  for (const name of OVERLAYS) overlays.set(name, renderOverlay(name));
});

describe('terraform files', () => {
  it('are formatted (terraform fmt -check -recursive)', () => {
    const out = run('terraform', ['fmt', '-check', '-recursive', '-diff', terraformDir], {
      env: { TF_CLI_CONFIG_FILE: '', CHECKPOINT_DISABLE: '1' },
      installHint: TERRAFORM_HINT,
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
    expect([...dirs].sort()).toEqual([...MODULES].sort());
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

  it('is created after the private services peering', () => {
    expect(mod('platform').module['cloudsql']?.[0]?.['depends_on']).toEqual(['${module.network}']);
  });
});

describe('Memorystore for Redis (redis_mode = "instance")', () => {
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

describe('Memorystore for Redis Cluster (redis_mode = "cluster")', () => {
  it('is reached through Private Service Connect, by the policy Memorystore requires on the VPC', () => {
    const rc = mod('redis-cluster');
    const cluster = resource(rc, 'google_redis_cluster', 'main');
    expect(block(cluster, 'psc_configs')['network']).toBe('${var.network_id}');
    const policy = resource(rc, 'google_network_connectivity_service_connection_policy', 'redis');
    expect(policy['service_class']).toBe('gcp-memorystore-redis');
    expect(policy['network']).toBe('${var.network_id}');
    expect(policy['location']).toBe('${var.region}');
    expect(block(policy, 'psc_config')['subnetworks']).toEqual([
      '${google_compute_subnetwork.psc.id}',
    ]);
    const subnet = resource(rc, 'google_compute_subnetwork', 'psc');
    expect(subnet['network']).toBe('${var.network_id}');
    expect(subnet['region']).toBe('${var.region}');
    expect(subnet['ip_cidr_range']).toBe('${var.psc_cidr}');
    // Memorystore refuses a cluster on a network without the policy.
    expect(cluster['depends_on']).toEqual([
      '${google_network_connectivity_service_connection_policy.redis}',
    ]);
  });

  it('never evicts, keeps replicas in other zones, snapshots hourly and resists deletion', () => {
    const cluster = resource(mod('redis-cluster'), 'google_redis_cluster', 'main');
    expect(asRecord(cluster['redis_configs'], 'redis_configs')['maxmemory-policy']).toBe(
      'noeviction',
    );
    expect(block(cluster, 'zone_distribution_config')['mode']).toBe('MULTI_ZONE');
    expect(cluster['deletion_protection_enabled']).toBe(true);
    const persistence = block(cluster, 'persistence_config');
    expect(persistence['mode']).toBe('RDB');
    expect(block(persistence, 'rdb_config')['rdb_snapshot_period']).toBe('ONE_HOUR');
    expect(cluster['replica_count']).toBe('${var.replica_count}');
    expect(cluster['shard_count']).toBe('${var.shard_count}');
    expect(cluster['node_type']).toBe('${var.node_type}');
  });

  it('takes its PSC subnet from a range no other part of the VPC uses', () => {
    const psc = asString(variableDefault(mod('redis-cluster'), 'psc_cidr'), 'psc_cidr');
    const network = mod('network');
    for (const other of ['nodes_cidr', 'pods_cidr', 'services_cidr', 'private_services_cidr']) {
      const cidr = asString(variableDefault(network, other), other);
      expect(cidrsOverlap(psc, cidr), `${psc} overlaps ${other} ${cidr}`).toBe(false);
    }
  });

  it('refuses a shard without a replica and a node type Memorystore does not have', () => {
    const files = { 'variables.tf': variablesTf('redis-cluster') };
    const base = {
      project_id: 'p',
      region: 'europe-west3',
      network_id: 'projects/p/global/networks/frequency',
      shard_count: 3,
      replica_count: 1,
      node_type: 'REDIS_HIGHMEM_MEDIUM',
    };
    expect(evaluate(files, base)).toEqual({});
    expectValidationError(
      () => evaluate(files, { ...base, replica_count: 0 }),
      'replica_count is 1 or 2.',
    );
    expectValidationError(
      () => evaluate(files, { ...base, node_type: 'REDIS_HIGHMEM_HUGE' }),
      'node_type is one of',
    );
    expectValidationError(
      () => evaluate(files, { ...base, shard_count: 0 }),
      'A cluster has at least one shard.',
    );
  });

  it('writes the discovery endpoint as REDIS_CLUSTER_NODES (host:port)', () => {
    const version = resource(mod('redis-cluster'), 'google_secret_manager_secret_version', 'nodes');
    expect(version['secret']).toBe('${google_secret_manager_secret.nodes.id}');
    // The real template, with the cluster's computed endpoints stood in by a local.
    const template = asString(version['secret_data'], 'secret_data').replaceAll(
      'google_redis_cluster.main.',
      'local.cluster.',
    );
    const out = evaluate(
      {
        'main.tf': [
          'locals {',
          '  cluster = { discovery_endpoints = [{ address = "10.10.16.2", port = 6379 }] }',
          '}',
          `output "nodes" { value = ${JSON.stringify(template)} }`,
        ].join('\n'),
      },
      {},
    );
    expect(out['nodes']).toBe('10.10.16.2:6379');
    expect(
      resource(mod('redis-cluster'), 'google_secret_manager_secret', 'nodes')['secret_id'],
    ).toBe('redis-cluster-nodes');
  });
});

describe('redis_mode', () => {
  const platformValues = (mode: string): Record<string, unknown> => ({
    ...values('staging'),
    redis_mode: mode,
  });

  it('makes exactly one of the two Redis modules for each mode, and refuses any other', () => {
    const files = {
      'variables.tf': variablesTf('platform'),
      'main.tf': [
        `output "instance" { value = ${countOf('redis')} }`,
        `output "cluster" { value = ${countOf('redis_cluster')} }`,
      ].join('\n'),
    };
    expect(evaluate(files, platformValues('instance'))).toEqual({ instance: 1, cluster: 0 });
    expect(evaluate(files, platformValues('cluster'))).toEqual({ instance: 0, cluster: 1 });
    expectValidationError(
      () => evaluate(files, platformValues('sharded')),
      'redis_mode is "instance" or "cluster".',
    );
  });

  it('hands the services REDIS_URL from an instance and REDIS_CLUSTER_NODES from a cluster', () => {
    const platform = mod('platform');
    // The platform's real secret_ids expression; the modules it reads are stood in by
    // locals with the counts the platform gives them and the ids the modules create.
    const expression = bareExpression(
      platform.output['secret_ids']?.[0]?.['value'],
      'secret_ids',
    ).replaceAll('module.', 'local.');
    const ids = asRecord(variableDefault(mod('secrets'), 'secrets'), 'secrets default');
    const secretId = (name: ModuleName, resourceName: string): string =>
      asString(
        resource(mod(name), 'google_secret_manager_secret', resourceName)['secret_id'],
        `${name} ${resourceName}`,
      );
    const databaseUrl = secretId('cloudsql', 'database_url');
    const redisUrl = secretId('redis', 'redis_url');
    const clusterNodes = secretId('redis-cluster', 'nodes');
    // JSON is valid HCL for these values.
    const main = [
      'locals {',
      `  secrets = { secret_ids = ${JSON.stringify(ids)} }`,
      `  cloudsql = { database_url_secret = ${JSON.stringify(databaseUrl)} }`,
      `  redis = [for i in range(${countOf('redis')}) : { redis_url_secret = ${JSON.stringify(redisUrl)} }]`,
      `  redis_cluster = [for i in range(${countOf('redis_cluster')}) : { nodes_secret = ${JSON.stringify(clusterNodes)} }]`,
      '}',
      `output "secret_ids" { value = ${expression} }`,
    ].join('\n');
    const files = { 'variables.tf': variablesTf('platform'), 'main.tf': main };
    const instance = asRecord(evaluate(files, platformValues('instance'))['secret_ids'], 'ids');
    expect(instance['REDIS_URL']).toBe(redisUrl);
    expect(instance).not.toHaveProperty('REDIS_CLUSTER_NODES');
    const cluster = asRecord(evaluate(files, platformValues('cluster'))['secret_ids'], 'ids');
    expect(cluster['REDIS_CLUSTER_NODES']).toBe(clusterNodes);
    expect(cluster).not.toHaveProperty('REDIS_URL');
    for (const both of [instance, cluster]) {
      expect(both['DATABASE_URL']).toBe(databaseUrl);
      for (const name of Object.keys(ids)) expect(both).toHaveProperty(name);
    }
  });

  it.each(ENVS)('%s passes values the platform and the cluster module accept', (name) => {
    expect(evaluate({ 'variables.tf': variablesTf('platform') }, values(name))).toEqual({});
    // Checked in instance mode too: switching to cluster must not be the first test of them.
    expect(
      evaluate(
        { 'variables.tf': variablesTf('redis-cluster') },
        {
          project_id: value(name, 'project_id'),
          region: value(name, 'region'),
          network_id: 'projects/p/global/networks/frequency',
          shard_count: value(name, 'redis_cluster_shard_count'),
          replica_count: value(name, 'redis_cluster_replica_count'),
          node_type: value(name, 'redis_cluster_node_type'),
        },
      ),
    ).toEqual({});
  });

  it.each(ENVS)(
    '%s has a replica per shard for every acknowledgement checkout waits for',
    (name) => {
      const config = overlay(name).generatedConfigMap('frequency-config').data ?? {};
      const acks = Number(config['REDIS_MIN_REPLICAS_ACK'] ?? '0');
      expect(value(name, 'redis_cluster_replica_count')).toBeGreaterThanOrEqual(acks);
    },
  );
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
      REDIS_CLUSTER_NODES: resource(mod('redis-cluster'), 'google_secret_manager_secret', 'nodes')[
        'secret_id'
      ],
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
  it.each(ENVS)('%s is a backend, a provider and one call of modules/platform', (name) => {
    const dir = path.join(terraformDir, 'envs', name);
    const files = listFiles(dir, '.tf')
      .map((f) => path.relative(dir, f))
      .sort();
    expect(files).toEqual(ENV_FILES);
    expect(platformCall(name)['source']).toBe('../../modules/platform');
    expect(env(name).resource).toEqual({});
    expect(env(name).data).toEqual({});
    expect(env(name).variable).toEqual({});
  });

  it('share versions.tf, outputs.tf and moved.tf word for word', () => {
    for (const file of ['versions.tf', 'outputs.tf', 'moved.tf']) {
      const [a, b] = ENVS.map((e) =>
        readFileSync(path.join(terraformDir, 'envs', e, file), 'utf8'),
      );
      expect(a, file).toBe(b);
    }
  });

  it('call the same module with the same arguments and differ only in their values', () => {
    const [a, b] = ENVS.map((e) => platformCall(e));
    if (a === undefined || b === undefined) throw new Error('two environments expected');
    expect(a['source']).toBe(b['source']);
    expect(Object.keys(a).sort()).toEqual(Object.keys(b).sort());
    const [localsA, localsB] = ENVS.map((e) => Object.keys(env(e).locals).sort());
    expect(localsA).toEqual(localsB);
    // Nothing but the call's values may tell them apart.
    const [versionsA, versionsB] = ENVS.map((e) => env(e).terraform.filter((t) => !t['backend']));
    expect(versionsA).toEqual(versionsB);
    const differing = Object.keys(values('staging')).filter(
      (key) => JSON.stringify(value('staging', key)) !== JSON.stringify(value('production', key)),
    );
    expect(differing).toEqual(expect.arrayContaining(['project_id', 'domains', 'ops_domain']));
  });

  it.each(ENVS)('%s passes every platform variable without a default, and no other', (name) => {
    const declared = mod('platform').variable;
    const args = Object.keys(values(name));
    for (const arg of args) expect(Object.keys(declared), arg).toContain(arg);
    for (const [variable, [spec]] of Object.entries(declared).map(([k, v]) => [k, v] as const)) {
      if (spec !== undefined && !('default' in spec))
        expect(args, `needs ${variable}`).toContain(variable);
    }
  });

  it('the platform calls every building block with declared variables and all required ones', () => {
    const called = new Set<string>();
    for (const [callName, [call]] of Object.entries(mod('platform').module).map(
      ([k, v]) => [k, v] as const,
    )) {
      const source = asString(call?.['source'], `${callName}.source`);
      expect(source).toMatch(/^\.\.\/[a-z-]+$/);
      const moduleName = path.basename(source) as ModuleName;
      expect(BLOCKS).toContain(moduleName);
      called.add(moduleName);
      const declared = mod(moduleName).variable;
      const args = Object.keys(call ?? {}).filter(
        (k) => !['source', 'depends_on', 'count'].includes(k),
      );
      for (const arg of args) expect(Object.keys(declared), `${callName}.${arg}`).toContain(arg);
      for (const [variable, [spec]] of Object.entries(declared).map(([k, v]) => [k, v] as const)) {
        if (spec !== undefined && !('default' in spec))
          expect(args, `${callName} needs ${variable}`).toContain(variable);
      }
    }
    expect([...called].sort()).toEqual([...BLOCKS]);
  });

  it.each(ENVS)('%s keeps state in its own GCS bucket', (name) => {
    const backend = asRecord(
      env(name).terraform.find((t) => t['backend'] !== undefined)?.['backend'],
      'backend',
    );
    const gcs = asRecord(asArray(backend['gcs'], 'gcs')[0], 'gcs');
    expect(gcs['bucket']).toBe(`frequency-${name}-tfstate`);
  });

  it.each(ENVS)('%s moves every module of its old state into the platform call', (name) => {
    const moves = new Map(
      env(name).moved.map((m) => [asString(m['from'], 'from'), asString(m['to'], 'to')]),
    );
    // Every call but redis_cluster existed at the root before modules/platform did.
    for (const [callName, [call]] of Object.entries(mod('platform').module)) {
      if (callName === 'redis_cluster') continue;
      const index = call?.['count'] === undefined ? '' : '[0]';
      expect(moves.get(`\${module.${callName}}`), callName).toBe(
        `\${module.platform.module.${callName}${index}}`,
      );
    }
    expect(moves.size).toBe(Object.keys(mod('platform').module).length - 1);
  });

  it.each(ENVS)('%s outputs what the overlay and the deploy workflow consume', (name) => {
    const outputs = env(name).output;
    expect(Object.keys(outputs).sort()).toEqual(Object.keys(mod('platform').output).sort());
    for (const [output, [spec]] of Object.entries(outputs)) {
      expect(spec?.['value'], output).toBe(`\${module.platform.${output}}`);
    }
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
      'redis_mode',
      'redis_psc_cidr',
    ]) {
      expect(Object.keys(outputs), needed).toContain(needed);
    }
  });
});

describe('terraform and the manifests agree', () => {
  it.each(ENVS)('%s: project, registry and service-account emails', (name) => {
    const r = overlay(name);
    const project = asString(value(name, 'project_id'), 'project_id');
    expect(r.generatedConfigMap('frequency-config').data?.['PUBSUB_PROJECT_ID']).toBe(project);
    const region = value(name, 'region');
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
    expect(hosts).toEqual(value(name, 'domains'));
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
    expect(hosts).toEqual([value(name, 'ops_domain')]);
  });

  it.each(ENVS)('%s: NetworkPolicies name the ranges Redis and Postgres are on', (name) => {
    const privateServices = variableDefault(mod('network'), 'private_services_cidr');
    const psc = variableDefault(mod('redis-cluster'), 'psc_cidr');
    const cluster = value(name, 'redis_mode') === 'cluster';
    const policies = overlay(name).networkPolicies();
    const cidrOf = (policyName: string): string | undefined =>
      policies.find((p) => p.metadata?.name === policyName)?.spec?.egress?.[0]?.to?.[0]?.ipBlock
        ?.cidr;
    expect(cidrOf('postgres-egress')).toBe(privateServices);
    expect(cidrOf('redis-egress')).toBe(cluster ? psc : privateServices);
  });

  it.each(ENVS)(
    '%s: the overlay has components/redis-cluster exactly when redis_mode is "cluster"',
    (name) => {
      expect(overlayComponents(name).includes('redis-cluster')).toBe(
        value(name, 'redis_mode') === 'cluster',
      );
    },
  );

  it('components/redis-cluster opens the PSC range modules/redis-cluster creates', () => {
    const psc = variableDefault(mod('redis-cluster'), 'psc_cidr');
    const policy = renderWithComponent('staging', 'redis-cluster')
      .networkPolicies()
      .find((p) => p.metadata?.name === 'redis-egress');
    expect(policy?.spec?.egress?.map((rule) => rule.to?.[0]?.ipBlock?.cidr)).toEqual([psc]);
  });
});
