import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** The Spanner DDL, packages/db/spanner/schema.sql (one level up from src/ and from dist/). */
export const spannerSchemaFile = fileURLToPath(new URL('../spanner/schema.sql', import.meta.url));

/**
 * The DDL file as the statements the admin API takes: `--` comments stripped, split on `;`.
 * Its string literals (check constraints) hold no `;` and no `--`, so a plain split is exact.
 */
export function splitDdl(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.replace(/--.*$/, ''))
    .join('\n')
    .split(';')
    .map((statement) => statement.replace(/\s+/g, ' ').trim())
    .filter((statement) => statement.length > 0);
}

export function loadSpannerDdl(file = spannerSchemaFile): string[] {
  return splitDdl(readFileSync(file, 'utf8'));
}

export interface SpannerColumn {
  name: string;
  /** As written: STRING(MAX), INT64, TIMESTAMP, … */
  type: string;
  notNull: boolean;
  /** The DEFAULT expression, without its parentheses. */
  default?: string;
  allowCommitTimestamp: boolean;
  /** The column's definition as written, for ALTER TABLE … ADD COLUMN. */
  definition: string;
}

export interface SpannerCheck {
  name: string;
  /** `CONSTRAINT name CHECK (…)` as written, for ALTER TABLE … ADD. */
  definition: string;
}

export interface SpannerForeignKey {
  name: string;
  columns: string[];
  references: { table: string; columns: string[] };
}

export interface SpannerTable {
  name: string;
  columns: SpannerColumn[];
  primaryKey: string[];
  /** Names of the CHECK constraints; their definitions in checkDefinitions. */
  checks: string[];
  checkDefinitions: SpannerCheck[];
  foreignKeys: SpannerForeignKey[];
  interleaveIn?: { parent: string; onDelete: 'CASCADE' | 'NO ACTION' };
}

export interface SpannerIndex {
  name: string;
  table: string;
  columns: string[];
  unique: boolean;
}

export interface SpannerSchema {
  tables: SpannerTable[];
  indexes: SpannerIndex[];
}

const createTable = /^CREATE TABLE (\w+) \((.*)\) PRIMARY KEY \(([^)]*)\)(.*)$/i;
const createIndex = /^CREATE (UNIQUE )?(?:NULL_FILTERED )?INDEX (\w+) ON (\w+) \(([^)]*)\)$/i;
const interleave = /^,\s*INTERLEAVE IN PARENT (\w+)(?: ON DELETE (CASCADE|NO ACTION))?$/i;
const column =
  /^(\w+) ([A-Z0-9]+(?:\([A-Z0-9]+\))?)( NOT NULL)?(?: DEFAULT \((.*?)\))?(?: OPTIONS \((.*)\))?$/i;
const checkConstraint = /^CONSTRAINT (\w+) CHECK \((.*)\)$/i;
const foreignKey = /^CONSTRAINT (\w+) FOREIGN KEY \(([^)]*)\) REFERENCES (\w+) \(([^)]*)\)$/i;

/** Splits on commas that are not inside parentheses. */
function splitTopLevel(body: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of body) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current.trim());
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current.trim());
  return parts.filter((part) => part.length > 0);
}

const keyColumns = (list: string): string[] =>
  list
    .split(',')
    .map((part) => part.trim().replace(/ (ASC|DESC)$/i, ''))
    .filter((part) => part.length > 0);

/**
 * A small parser for the subset of GoogleSQL DDL schema.sql uses (CREATE TABLE, CREATE INDEX). It
 * throws on anything else, so a statement the drift test cannot read is an error, not a blind spot.
 */
export function parseSpannerDdl(statements: readonly string[]): SpannerSchema {
  const tables: SpannerTable[] = [];
  const indexes: SpannerIndex[] = [];
  for (const statement of statements) {
    const table = createTable.exec(statement);
    if (table) {
      const [, name = '', body = '', key = '', rest = ''] = table;
      const parsed: SpannerTable = {
        name,
        columns: [],
        primaryKey: keyColumns(key),
        checks: [],
        checkDefinitions: [],
        foreignKeys: [],
      };
      for (const part of splitTopLevel(body)) {
        const check = checkConstraint.exec(part);
        if (check) {
          parsed.checks.push(check[1] ?? '');
          parsed.checkDefinitions.push({ name: check[1] ?? '', definition: part });
          continue;
        }
        const fk = foreignKey.exec(part);
        if (fk) {
          parsed.foreignKeys.push({
            name: fk[1] ?? '',
            columns: keyColumns(fk[2] ?? ''),
            references: { table: fk[3] ?? '', columns: keyColumns(fk[4] ?? '') },
          });
          continue;
        }
        const col = column.exec(part);
        if (!col) throw new Error(`cannot read column definition "${part}" of table ${name}`);
        const options = col[5] ?? '';
        parsed.columns.push({
          name: col[1] ?? '',
          type: (col[2] ?? '').toUpperCase(),
          notNull: col[3] !== undefined,
          ...(col[4] === undefined ? {} : { default: col[4] }),
          allowCommitTimestamp: /allow_commit_timestamp\s*=\s*true/i.test(options),
          definition: part,
        });
      }
      if (rest.trim().length > 0) {
        const inParent = interleave.exec(rest.trim());
        if (!inParent)
          throw new Error(`cannot read table options "${rest.trim()}" of table ${name}`);
        parsed.interleaveIn = {
          parent: inParent[1] ?? '',
          onDelete:
            (inParent[2]?.toUpperCase() ?? 'NO ACTION') === 'CASCADE' ? 'CASCADE' : 'NO ACTION',
        };
      }
      tables.push(parsed);
      continue;
    }
    const index = createIndex.exec(statement);
    if (index) {
      indexes.push({
        unique: index[1] !== undefined,
        name: index[2] ?? '',
        table: index[3] ?? '',
        columns: keyColumns(index[4] ?? ''),
      });
      continue;
    }
    throw new Error(`unsupported DDL statement: ${statement}`);
  }
  return { tables, indexes };
}

/** The name of the table or index a CREATE statement creates. */
export function createdObjectName(statement: string): string {
  const match = /^CREATE (?:UNIQUE )?(?:NULL_FILTERED )?(?:TABLE|INDEX) (\w+)/i.exec(statement);
  if (!match?.[1]) throw new Error(`not a CREATE TABLE/INDEX statement: ${statement}`);
  return match[1];
}

/** What an existing database has, per table: its column names and its CHECK constraint names. */
export interface ExistingTables {
  columns: Map<string, Set<string>>;
  checks: Map<string, Set<string>>;
}

/**
 * The ALTER statements that bring tables that already exist up to the DDL, in the order to apply
 * them: columns first (the DDL gives every NOT NULL column a DEFAULT, so a table with rows takes
 * it), then the checks, which may name the new columns. Only adds: a column or check the DDL no
 * longer has, or one whose type changed, is a migration to write by hand.
 */
export function additiveAlterations(
  schema: SpannerSchema,
  existing: ExistingTables,
): { columns: string[]; checks: string[] } {
  const columns: string[] = [];
  const checks: string[] = [];
  for (const table of schema.tables) {
    const present = existing.columns.get(table.name);
    if (!present) continue;
    for (const column of table.columns) {
      if (!present.has(column.name))
        columns.push(`ALTER TABLE ${table.name} ADD COLUMN ${column.definition}`);
    }
    const presentChecks = existing.checks.get(table.name) ?? new Set<string>();
    for (const check of table.checkDefinitions) {
      if (!presentChecks.has(check.name))
        checks.push(`ALTER TABLE ${table.name} ADD ${check.definition}`);
    }
  }
  return { columns, checks };
}
