import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * The headers helmet sets for these options, worked out once. Helmet's middleware sets the same
 * fixed values on every response through a dozen `setHeader` calls and middleware hops (a tenth of
 * a status poll's CPU, profiled); as a plain object they go onto the reply in one call. Helmet
 * stays the one source of what the headers are.
 */
export function securityHeaders(options: HelmetOptions): Readonly<Record<string, string>> {
  const headers = new Map<string, string>();
  const response = {
    setHeader(name: string, value: string | number | readonly string[]) {
      headers.set(name.toLowerCase(), Array.isArray(value) ? value.join(', ') : String(value));
      return response;
    },
    removeHeader(name: string) {
      // Only X-Powered-By, which Fastify never sets.
      headers.delete(name.toLowerCase());
    },
  };
  let failure: unknown;
  const request: unknown = { headers: {} };
  helmet(options)(request as IncomingMessage, response as unknown as ServerResponse, (err) => {
    failure = err;
  });
  if (failure !== undefined)
    throw failure instanceof Error
      ? failure
      : new Error('helmet refused its options', { cause: failure });
  return Object.freeze(Object.fromEntries(headers));
}
