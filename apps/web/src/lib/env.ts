import { parseEnv } from '@frequency/config';
import { z } from 'zod';

/**
 * The web server's environment, read by the route handlers at run time (never at build time, so one
 * build runs on any ports). The public URLs are what browsers use; they default to the internal ones,
 * which is right whenever browser and server see the APIs at the same address.
 */
export const webEnvSchema = z.object({
  WAITING_ROOM_URL: z.url().default('http://127.0.0.1:3001'),
  CHECKOUT_URL: z.url().default('http://127.0.0.1:3002'),
  WORKER_URL: z.url().default('http://127.0.0.1:3003'),
  WAITING_ROOM_PUBLIC_URL: z.url().optional(),
  CHECKOUT_PUBLIC_URL: z.url().optional(),
});
export type WebEnv = z.infer<typeof webEnvSchema>;

let cached: WebEnv | null = null;

export function webEnv(): WebEnv {
  cached ??= parseEnv(webEnvSchema);
  return cached;
}
