import { parseEnv, postgresEnv } from '@frequency/config';
import { ensureDatabase, runMigrations } from './migrate.js';

/** `pnpm db:migrate` / the Kubernetes migration Job: create the database if needed, then migrate. */
async function main(): Promise<void> {
  const env = parseEnv(postgresEnv);
  const where = new URL(env.DATABASE_URL);
  where.password = '';
  await ensureDatabase(env.DATABASE_URL);
  await runMigrations(env.DATABASE_URL);
  process.stdout.write(`migrations applied to ${where.host}${where.pathname}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`migration failed: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
