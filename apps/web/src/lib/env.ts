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

/**
 * Parsed once. As in the services, an empty variable counts as unset (`FOO=` in a manifest means
 * "not configured"), and a bad environment is reported whole, every bad variable at once.
 */
export function webEnv(): WebEnv {
  if (cached) return cached;
  const set = Object.fromEntries(
    Object.entries(process.env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = webEnvSchema.safeParse(set);
  if (!result.success) throw new Error(`Invalid environment\n${z.prettifyError(result.error)}`);
  cached = result.data;
  return cached;
}
