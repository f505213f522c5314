import { httpEnv, postgresEnv, pubsubEnv, redisEnv } from '@frequency/config';
import { z } from 'zod';

export const envSchema = httpEnv(3003)
  .extend(redisEnv.shape)
  .extend(pubsubEnv.shape)
  .extend(postgresEnv.shape)
  .extend({
    STORE: z.enum(['postgres']).default('postgres'),
  });
export type Env = z.infer<typeof envSchema>;
