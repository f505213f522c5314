import { httpEnv, redisEnv } from '@frequency/config';
import { z } from 'zod';

export const envSchema = httpEnv(3001)
  .extend(redisEnv.shape)
  .extend({
    OPS_TOKEN: z.string().min(16, 'must be at least 16 characters'),
    QUEUE_TOKEN_SECRET: z.string().min(32, 'must be at least 32 characters'),
    ADMISSION_PRIVATE_JWKS: z
      .string()
      .refine((value) => {
        try {
          const parsed: unknown = JSON.parse(value);
          return typeof parsed === 'object' && parsed !== null && 'keys' in parsed;
        } catch {
          return false;
        }
      }, 'must be a JSON object { "keys": [ ...private JWKs ] }'),
  });
export type Env = z.infer<typeof envSchema>;
