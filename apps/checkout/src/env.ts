import { httpEnv, pubsubEnv, redisEnv } from '@frequency/config';
import { z } from 'zod';

export const envSchema = httpEnv(3002)
  .extend(redisEnv.shape)
  .extend(pubsubEnv.shape)
  .extend({
    WAITING_ROOM_URL: z.url().default('http://127.0.0.1:3001'),
  });
export type Env = z.infer<typeof envSchema>;
