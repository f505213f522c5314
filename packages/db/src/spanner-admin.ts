import { credentials } from '@grpc/grpc-js';
import { Spanner, type Database } from '@google-cloud/spanner';
import {
  additiveAlterations,
  createdObjectName,
  loadSpannerDdl,
  parseSpannerDdl,
  type ExistingTables,
} from './spanner-ddl.js';

export interface SpannerLocation {
  projectId: string;
  instance: string;
  database: string;
  /** host:port of the emulator; unset in GCP (Workload Identity through the metadata server). */
  emulatorHost?: string | undefined;
}

/**
 * The one way to build a Spanner client. The emulator is given explicitly (plain gRPC, no
 * credentials) instead of through process.env.SPANNER_EMULATOR_HOST, so a process, a test file or
 * the benchmark can talk to the emulator and nothing else without mutating its environment.
 * Client-side built-in metrics (exported to Cloud Monitoring) stay off on the emulator by design of
 * the library: it disables them for insecure channels.
 *
 * The emulator (gcloud 528) answers a request for a multiplexed session with a regular one. The
 * client then runs concurrent transactions on that one session and, when a query ends, hands it to
 * a pool that never lent it, emitting an 'error' that kills the process. The library's only switch
 * is GOOGLE_CLOUD_SPANNER_MULTIPLEXED_SESSIONS, read when a Database object is made; it is set to
 * `false` here for emulator clients unless the operator set it, so every process that talks to the
 * emulator (worker, tests, benchmark) gets regular pooled sessions. Real Spanner keeps multiplexed ones.
 */
export function createSpannerClient(
  location: Pick<SpannerLocation, 'projectId' | 'emulatorHost'>,
): Spanner {
  if (location.emulatorHost) {
    process.env.GOOGLE_CLOUD_SPANNER_MULTIPLEXED_SESSIONS ??= 'false';
    const index = location.emulatorHost.lastIndexOf(':');
    // The library lets SPANNER_EMULATOR_HOST override the endpoint it is given; hidden for the
    // (synchronous) construction, so the location named here is the one the client talks to.
    const fromEnv = process.env.SPANNER_EMULATOR_HOST;
    delete process.env.SPANNER_EMULATOR_HOST;
    try {
      return new Spanner({
        projectId: location.projectId,
        servicePath: location.emulatorHost.slice(0, index),
        port: Number(location.emulatorHost.slice(index + 1)),
        sslCreds: credentials.createInsecure(),
      });
    } finally {
      if (fromEnv !== undefined) process.env.SPANNER_EMULATOR_HOST = fromEnv;
    }
  }
  return new Spanner({ projectId: location.projectId });
}

/** gRPC status code of an error from the Spanner client, if it has one. */
export function grpcCode(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null || !('code' in err)) return undefined;
  return typeof err.code === 'number' ? err.code : undefined;
}

const ALREADY_EXISTS = 6;

function ignoreAlreadyExists(err: unknown): void {
  // Two processes (test files, the stack script) creating the same instance or database at once.
  if (grpcCode(err) !== ALREADY_EXISTS) throw err;
}

export interface ApplyResult {
  createdInstance: boolean;
  createdDatabase: boolean;
  /** DDL statements applied by this call (all of them for a new database). */
  applied: string[];
}

/**
 * Makes the database match spanner/schema.sql, idempotently:
 * - on the emulator, creates the instance if it is missing (in GCP the instance is infrastructure,
 *   created by Terraform, and its absence is an error);
 * - creates the database with every statement if it is missing;
 * - otherwise applies the CREATE statements whose table or index does not exist yet, and adds the
 *   columns and CHECK constraints an existing table lacks (each NOT NULL column has a DEFAULT, so
 *   its rows take it).
 * It only adds: a changed column in an existing table is a migration to write by hand.
 */
export async function applySpannerSchema(
  location: SpannerLocation,
  statements: readonly string[] = loadSpannerDdl(),
): Promise<ApplyResult> {
  const spanner = createSpannerClient(location);
  const result: ApplyResult = { createdInstance: false, createdDatabase: false, applied: [] };
  try {
    const instance = spanner.instance(location.instance);
    const [instanceExists] = await instance.exists();
    if (!instanceExists) {
      if (!location.emulatorHost) {
        throw new Error(
          `Spanner instance ${location.instance} does not exist in project ${location.projectId}`,
        );
      }
      try {
        const [, operation] = await spanner.createInstance(location.instance, {
          config: 'emulator-config',
          nodes: 1,
          displayName: location.instance,
        });
        await operation.promise();
        result.createdInstance = true;
      } catch (err) {
        ignoreAlreadyExists(err);
      }
    }
    const database = instance.database(location.database);
    const [databaseExists] = await database.exists();
    if (!databaseExists) {
      try {
        const [, operation] = await instance.createDatabase(location.database, {
          schema: [...statements],
        });
        await operation.promise();
        result.createdDatabase = true;
        result.applied = [...statements];
        return result;
      } catch (err) {
        ignoreAlreadyExists(err);
      }
    }
    const [current] = await database.getSchema();
    const existing = new Set(
      current.flatMap(
        (statement) =>
          /^CREATE (?:UNIQUE )?(?:NULL_FILTERED )?(?:TABLE|INDEX) (\w+)/i.exec(statement)?.[1] ??
          [],
      ),
    );
    const missing = statements.filter((statement) => !existing.has(createdObjectName(statement)));
    const alterations = additiveAlterations(
      parseSpannerDdl(statements),
      await existingTables(database),
    );
    // New columns of existing tables first (an index or check below may name them), checks last.
    const pending = [...alterations.columns, ...missing, ...alterations.checks];
    if (pending.length > 0) {
      const [operation] = await database.updateSchema(pending);
      await operation.promise();
      result.applied = pending;
    }
    return result;
  } finally {
    await spanner.close();
  }
}

/** The columns and CHECK constraints of the tables a database has (INFORMATION_SCHEMA). */
async function existingTables(database: Database): Promise<ExistingTables> {
  const [columnRows] = await database.run({
    sql: "SELECT TABLE_NAME AS t, COLUMN_NAME AS c FROM INFORMATION_SCHEMA.COLUMNS WHERE TABLE_SCHEMA = ''",
    json: true,
  });
  const [checkRows] = await database.run({
    sql: "SELECT TABLE_NAME AS t, CONSTRAINT_NAME AS c FROM INFORMATION_SCHEMA.TABLE_CONSTRAINTS WHERE TABLE_SCHEMA = '' AND CONSTRAINT_TYPE = 'CHECK'",
    json: true,
  });
  const group = (rows: unknown[]): Map<string, Set<string>> => {
    const out = new Map<string, Set<string>>();
    for (const row of rows as { t?: unknown; c?: unknown }[]) {
      if (typeof row.t !== 'string' || typeof row.c !== 'string') continue;
      const set = out.get(row.t) ?? new Set<string>();
      set.add(row.c);
      out.set(row.t, set);
    }
    return out;
  };
  return { columns: group(columnRows), checks: group(checkRows) };
}

/** Deletes the database (tests, benchmark); a missing one is not an error. */
export async function dropSpannerDatabase(location: SpannerLocation): Promise<void> {
  const spanner = createSpannerClient(location);
  try {
    const database = spanner.instance(location.instance).database(location.database);
    await database.close();
    const [exists] = await database.exists();
    if (exists) await database.delete();
  } finally {
    await spanner.close();
  }
}
