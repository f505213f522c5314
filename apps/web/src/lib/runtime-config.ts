import { z } from 'zod';

/**
 * What `/api/config` tells the browser: where the APIs are. Read at run time from the server's
 * environment, so one build runs behind any host names and ports.
 */
export const RuntimeConfigSchema = z.object({
  waitingRoomUrl: z.url(),
  checkoutUrl: z.url(),
});
export type RuntimeConfig = z.infer<typeof RuntimeConfigSchema>;

let pending: Promise<RuntimeConfig> | null = null;

export function loadRuntimeConfig(): Promise<RuntimeConfig> {
  pending ??= fetch('/api/config', { cache: 'default' })
    .then(async (response) => {
      if (!response.ok) throw new Error(`config: HTTP ${response.status}`);
      return RuntimeConfigSchema.parse(await response.json());
    })
    .catch((err: unknown) => {
      pending = null;
      throw err;
    });
  return pending;
}
