import { parseEnv } from '@frequency/config';
import { applySpannerSchema } from './spanner-admin.js';
import { spannerLocationFromEnv, spannerStoreEnv } from './store-env.js';

/**
 * `pnpm --filter @frequency/db spanner:apply`: applies spanner/schema.sql to the database named by
 * SPANNER_PROJECT_ID / SPANNER_INSTANCE / SPANNER_DATABASE. With SPANNER_EMULATOR_HOST set it first
 * creates the instance and the database on the emulator if they are missing. Safe to run again.
 */
async function main(): Promise<void> {
  const env = parseEnv(spannerStoreEnv, { ...process.env, STORE: 'spanner' });
  const location = spannerLocationFromEnv(env);
  const result = await applySpannerSchema(location);
  const where = `${location.emulatorHost ? `emulator ${location.emulatorHost} ` : ''}projects/${location.projectId}/instances/${location.instance}/databases/${location.database}`;
  const lines = [
    result.createdInstance ? `created instance ${location.instance}` : undefined,
    result.createdDatabase ? `created database ${location.database}` : undefined,
    `${result.applied.length} DDL statement(s) applied to ${where}`,
  ];
  process.stdout.write(`${lines.filter((line) => line !== undefined).join('\n')}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(
    `spanner:apply failed: ${err instanceof Error ? err.message : String(err)}\n`,
  );
  process.exit(1);
});
