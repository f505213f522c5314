import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse } from '@cdktf/hcl2json';
import { asArray, asRecord, infraDir, isRecord, listFiles, run } from './repo.js';

export const terraformDir = path.join(infraDir, 'terraform');
export const ENVS = ['staging', 'production'] as const;
export type Env = (typeof ENVS)[number];

/** hcl2json's JSON of every .tf file in one directory, merged by block type. */
export interface TfDir {
  resource: Record<string, Record<string, Record<string, unknown>[]>>;
  data: Record<string, Record<string, Record<string, unknown>[]>>;
  module: Record<string, Record<string, unknown>[]>;
  variable: Record<string, Record<string, unknown>[]>;
  output: Record<string, Record<string, unknown>[]>;
  locals: Record<string, unknown>;
  moved: Record<string, unknown>[];
  terraform: Record<string, unknown>[];
}

const parsed = new Map<string, Promise<Record<string, unknown>>>();

/** Parses one file once per test file: hcl2json starts a Go/WASM parser per call. */
export function parseFile(file: string): Promise<Record<string, unknown>> {
  let result = parsed.get(file);
  if (result === undefined) {
    result = parse(path.basename(file), readFileSync(file, 'utf8')).then((json) =>
      asRecord(json, file),
    );
    parsed.set(file, result);
  }
  return result;
}

function mergeInto(target: Record<string, unknown>, source: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(source)) {
    const existing = target[key];
    if (isRecord(existing) && isRecord(value)) mergeInto(existing, value);
    else if (Array.isArray(existing) && Array.isArray(value)) target[key] = [...existing, ...value];
    else target[key] = value;
  }
}

export async function parseDir(dir: string): Promise<TfDir> {
  const merged: Record<string, unknown> = {};
  for (const file of listFiles(dir, '.tf').filter((f) => path.dirname(f) === dir)) {
    mergeInto(merged, await parseFile(file));
  }
  const blocks = (key: string): Record<string, unknown> => asRecord(merged[key] ?? {}, key);
  const nested = (key: string): Record<string, Record<string, Record<string, unknown>[]>> =>
    Object.fromEntries(
      Object.entries(blocks(key)).map(([type, byName]) => [
        type,
        Object.fromEntries(
          Object.entries(asRecord(byName, `${key}.${type}`)).map(([name, list]) => [
            name,
            asArray(list, `${key}.${type}.${name}`).map((b) => asRecord(b, name)),
          ]),
        ),
      ]),
    );
  const flat = (key: string): Record<string, Record<string, unknown>[]> =>
    Object.fromEntries(
      Object.entries(blocks(key)).map(([name, list]) => [
        name,
        asArray(list, `${key}.${name}`).map((b) => asRecord(b, name)),
      ]),
    );
  return {
    resource: nested('resource'),
    data: nested('data'),
    module: flat('module'),
    variable: flat('variable'),
    output: flat('output'),
    locals: Object.assign(
      {},
      ...asArray(merged['locals'] ?? [], 'locals').map((b) => asRecord(b, 'locals')),
    ) as Record<string, unknown>,
    moved: asArray(merged['moved'] ?? [], 'moved').map((b) => asRecord(b, 'moved')),
    terraform: asArray(merged['terraform'] ?? [], 'terraform').map((b) => asRecord(b, 'terraform')),
  };
}

/** The single block `name` of resource type `type`. */
export function resource(dir: TfDir, type: string, name: string): Record<string, unknown> {
  const blocks = dir.resource[type]?.[name];
  if (blocks?.length !== 1 || blocks[0] === undefined)
    throw new Error(`expected one ${type}.${name}`);
  return blocks[0];
}

/** The first nested block `key` (HCL blocks come out of hcl2json as one-element lists). */
export function block(parent: Record<string, unknown>, key: string): Record<string, unknown> {
  const list = asArray(parent[key], key);
  return asRecord(list[0], key);
}

export function resourcesOfType(dir: TfDir, type: string): Record<string, unknown>[] {
  return Object.values(dir.resource[type] ?? {}).flat();
}

export const TERRAFORM_HINT =
  'install terraform 1.11 (HashiCorp apt repository; CI uses hashicorp/setup-terraform)';

/** An expression as hcl2json hands it over ("${expr}"), without the interpolation wrapper. */
export function bareExpression(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what}: expected an expression string`);
  const m = /^\$\{([\s\S]*)\}$/.exec(value);
  if (m?.[1] === undefined || m[1].includes('${'))
    throw new Error(`${what}: not one expression: ${value}`);
  return m[1];
}

/**
 * Runs Terraform itself on a configuration that needs no provider (variables,
 * locals, outputs only) and returns its outputs: validation rules and
 * expressions taken from the real modules are evaluated by Terraform, offline.
 * A failed validation throws a CommandError whose stderr holds Terraform's message.
 */
export function evaluate(
  files: Record<string, string>,
  values: Record<string, unknown>,
): Record<string, unknown> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tf-eval-'));
  const options = {
    cwd: dir,
    env: { CHECKPOINT_DISABLE: '1', TF_IN_AUTOMATION: '1', TF_CLI_CONFIG_FILE: '' },
    installHint: TERRAFORM_HINT,
  };
  try {
    for (const [name, text] of Object.entries(files)) writeFileSync(path.join(dir, name), text);
    writeFileSync(path.join(dir, 'terraform.tfvars.json'), JSON.stringify(values));
    run('terraform', ['init', '-input=false', '-no-color'], options);
    run('terraform', ['apply', '-auto-approve', '-input=false', '-no-color'], options);
    const outputs = asRecord(
      JSON.parse(run('terraform', ['output', '-json', '-no-color'], options)) as unknown,
      'terraform output',
    );
    return Object.fromEntries(
      Object.entries(outputs).map(([name, out]) => [name, asRecord(out, name)['value']]),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
