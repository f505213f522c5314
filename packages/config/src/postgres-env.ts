import { z } from 'zod';

export const postgresEnv = z.object({
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// URL' })
    .default('postgres://postgres@127.0.0.1:5432/frequency'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
});
