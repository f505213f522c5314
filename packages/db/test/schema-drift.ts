import { getTableConfig, type PgTable } from 'drizzle-orm/pg-core';
import type { SpannerSchema } from '../src/spanner-ddl.js';

/** Postgres column type (as drizzle renders it) -> the Spanner type it must have. */
export const spannerTypeOf: Record<string, string> = {
  text: 'STRING(MAX)',
  integer: 'INT64',
  smallint: 'INT64',
  'double precision': 'FLOAT64',
  boolean: 'BOOL',
  'timestamp with time zone': 'TIMESTAMP',
};

/**
 * The deliberate key differences, one per table at most: Spanner's primary key is the Postgres unique
 * constraint `fromUnique`, and the Postgres primary key becomes the unique index `primaryKeyBecomes`.
 */
export interface KeyMapping {
  fromUnique: string;
  primaryKeyBecomes: string;
}

export const deliberateKeyMappings: Record<string, KeyMapping> = {
  // tickets: keyed (order_id, ordinal) in Spanner so an order's tickets are one key range; see schema.sql.
  tickets: { fromUnique: 'tickets_order_ordinal_unique', primaryKeyBecomes: 'tickets_id_unique' },
};

interface ColumnModel {
  type: string;
  notNull: boolean;
  /** Filled with the write's time when not given: now() in Postgres, the commit timestamp or CURRENT_TIMESTAMP() in Spanner. */
  commitTimestamp: boolean;
  /** A literal default (0, false), as text; undefined when there is none. */
  literalDefault: string | undefined;
}

interface TableModel {
  columns: Map<string, ColumnModel>;
  primaryKey: string[];
  /** name -> "UNIQUE (a, b)" or "INDEX (a)" */
  indexes: Map<string, string>;
  /** name -> "(a) REFERENCES t (b)" */
  foreignKeys: Map<string, string>;
  checks: Set<string>;
}

const describeIndex = (unique: boolean, columns: readonly string[]) =>
  `${unique ? 'UNIQUE ' : ''}INDEX (${columns.join(', ')})`;

/** What the Spanner DDL must say for one drizzle table, deliberate mappings applied. */
function expectedFromDrizzle(
  table: PgTable,
  mappings: Record<string, KeyMapping>,
): { name: string; model: TableModel; problems: string[] } {
  const config = getTableConfig(table);
  const problems: string[] = [];
  const model: TableModel = {
    columns: new Map(),
    primaryKey: [],
    indexes: new Map(),
    foreignKeys: new Map(),
    checks: new Set(config.checks.map((check) => check.name)),
  };
  for (const column of config.columns) {
    const sqlType = column.getSQLType();
    const type = spannerTypeOf[sqlType];
    if (!type)
      problems.push(
        `${config.name}.${column.name}: no Spanner mapping for Postgres type ${sqlType}`,
      );
    // A Postgres now() default is a Spanner commit-timestamp column the store fills.
    const commitTimestamp =
      column.hasDefault && column.defaultFn === undefined && sqlType.startsWith('timestamp');
    const literal: unknown = column.default;
    model.columns.set(column.name, {
      type: type ?? `?${sqlType}`,
      notNull: column.notNull,
      commitTimestamp,
      literalDefault:
        typeof literal === 'number' || typeof literal === 'boolean' || typeof literal === 'string'
          ? String(literal)
          : undefined,
    });
    if (column.primary) model.primaryKey.push(column.name);
    if (column.isUnique)
      model.indexes.set(
        column.uniqueName ?? `${config.name}_${column.name}_unique`,
        describeIndex(true, [column.name]),
      );
  }
  for (const primaryKey of config.primaryKeys)
    model.primaryKey = primaryKey.columns.map((c) => c.name);
  for (const unique of config.uniqueConstraints) {
    model.indexes.set(
      unique.getName() ?? '?unnamed',
      describeIndex(
        true,
        unique.columns.map((c) => c.name),
      ),
    );
  }
  for (const index of config.indexes) {
    const columns = index.config.columns.map((c) =>
      'name' in c && typeof c.name === 'string' ? c.name : '?expression',
    );
    model.indexes.set(index.config.name ?? '?unnamed', describeIndex(index.config.unique, columns));
  }
  for (const foreignKey of config.foreignKeys) {
    const reference = foreignKey.reference();
    model.foreignKeys.set(
      foreignKey.getName(),
      `(${reference.columns.map((c) => c.name).join(', ')}) REFERENCES ${getTableConfig(reference.foreignTable).name} (${reference.foreignColumns.map((c) => c.name).join(', ')})`,
    );
  }
  const mapping = mappings[config.name];
  if (mapping) {
    const unique = model.indexes.get(mapping.fromUnique);
    const columns = unique && /^UNIQUE INDEX \((.*)\)$/.exec(unique)?.[1];
    if (!columns) {
      problems.push(
        `${config.name}: the deliberate key mapping names ${mapping.fromUnique}, which is not a unique constraint of the Drizzle schema`,
      );
    } else {
      model.indexes.delete(mapping.fromUnique);
      model.indexes.set(mapping.primaryKeyBecomes, describeIndex(true, model.primaryKey));
      model.primaryKey = columns.split(', ');
    }
  }
  return { name: config.name, model, problems };
}

function modelFromSpanner(schema: SpannerSchema): Map<string, TableModel> {
  const tables = new Map<string, TableModel>();
  for (const table of schema.tables) {
    tables.set(table.name, {
      columns: new Map(
        table.columns.map((c): [string, ColumnModel] => {
          const fillsNow = c.default !== undefined && /^CURRENT_TIMESTAMP\(\)$/i.test(c.default);
          return [
            c.name,
            {
              type: c.type,
              notNull: c.notNull,
              commitTimestamp: c.allowCommitTimestamp || fillsNow,
              literalDefault: fillsNow ? undefined : c.default?.toLowerCase(),
            },
          ];
        }),
      ),
      primaryKey: table.primaryKey,
      indexes: new Map(),
      foreignKeys: new Map(
        table.foreignKeys.map((fk) => [
          fk.name,
          `(${fk.columns.join(', ')}) REFERENCES ${fk.references.table} (${fk.references.columns.join(', ')})`,
        ]),
      ),
      checks: new Set(table.checks),
    });
  }
  for (const index of schema.indexes) {
    const table = tables.get(index.table);
    if (table) table.indexes.set(index.name, describeIndex(index.unique, index.columns));
  }
  return tables;
}

function compareMaps(
  what: string,
  expected: Map<string, string>,
  actual: Map<string, string>,
  out: string[],
): void {
  for (const [name, shape] of expected) {
    const found = actual.get(name);
    if (found === undefined) out.push(`${what} ${name} ${shape}: missing in the Spanner DDL`);
    else if (found !== shape)
      out.push(`${what} ${name}: ${shape} in Drizzle, ${found} in the Spanner DDL`);
  }
  for (const [name, shape] of actual) {
    if (!expected.has(name)) out.push(`${what} ${name} ${shape}: in the Spanner DDL only`);
  }
}

/**
 * Every difference between the Drizzle tables and the Spanner DDL, as readable lines; empty when they
 * agree. Compared: tables, columns (name, mapped type, NOT NULL, now() default = commit timestamp or
 * CURRENT_TIMESTAMP(), literal defaults),
 * primary keys, unique constraints and indexes (by name), foreign keys, check constraint names.
 */
export function schemaDrift(
  drizzleTables: readonly PgTable[],
  spanner: SpannerSchema,
  mappings: Record<string, KeyMapping> = deliberateKeyMappings,
): string[] {
  const out: string[] = [];
  const actualTables = modelFromSpanner(spanner);
  const expectedNames = new Set<string>();
  for (const table of drizzleTables) {
    const { name, model: expected, problems } = expectedFromDrizzle(table, mappings);
    expectedNames.add(name);
    out.push(...problems);
    const actual = actualTables.get(name);
    if (!actual) {
      out.push(`table ${name}: missing in the Spanner DDL`);
      continue;
    }
    for (const [column, shape] of expected.columns) {
      const found = actual.columns.get(column);
      if (!found) {
        out.push(`${name}.${column}: missing in the Spanner DDL`);
        continue;
      }
      if (found.type !== shape.type)
        out.push(
          `${name}.${column}: type ${shape.type} expected, ${found.type} in the Spanner DDL`,
        );
      if (found.notNull !== shape.notNull) {
        out.push(
          `${name}.${column}: ${shape.notNull ? 'NOT NULL' : 'nullable'} in Drizzle, ${found.notNull ? 'NOT NULL' : 'nullable'} in the Spanner DDL`,
        );
      }
      if (found.commitTimestamp !== shape.commitTimestamp) {
        out.push(
          `${name}.${column}: allow_commit_timestamp must be ${String(shape.commitTimestamp)} (Drizzle default now(): ${String(shape.commitTimestamp)})`,
        );
      }
      if (found.literalDefault !== shape.literalDefault) {
        out.push(
          `${name}.${column}: default ${shape.literalDefault ?? 'none'} in Drizzle, ${found.literalDefault ?? 'none'} in the Spanner DDL`,
        );
      }
    }
    for (const column of actual.columns.keys()) {
      if (!expected.columns.has(column)) out.push(`${name}.${column}: in the Spanner DDL only`);
    }
    if (expected.primaryKey.join(', ') !== actual.primaryKey.join(', ')) {
      out.push(
        `${name}: primary key (${expected.primaryKey.join(', ')}) expected, (${actual.primaryKey.join(', ')}) in the Spanner DDL`,
      );
    }
    compareMaps(`${name} index`, expected.indexes, actual.indexes, out);
    compareMaps(`${name} foreign key`, expected.foreignKeys, actual.foreignKeys, out);
    compareMaps(
      `${name} check`,
      new Map([...expected.checks].map((c) => [c, 'CHECK'])),
      new Map([...actual.checks].map((c) => [c, 'CHECK'])),
      out,
    );
  }
  for (const name of actualTables.keys()) {
    if (!expectedNames.has(name)) out.push(`table ${name}: in the Spanner DDL only`);
  }
  return out;
}
