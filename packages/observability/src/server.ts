import { randomUUID } from 'node:crypto';
import {
  LogController,
  type FastifyBaseLogger,
  type FastifyHttpOptions,
  type RawServerDefault,
} from 'fastify';
import type { Logger } from 'pino';
import { requestLoggerFactory } from './logger.js';

export interface HttpServerSettings {
  /** `TRUSTED_PROXY_HOPS`: proxies of our own between the client and this process. */
  trustedProxyHops?: number;
  /** The whole request, headers and body, must arrive within this. */
  requestTimeoutMs?: number;
  /** How long an idle kept-alive connection stays open between two requests. */
  keepAliveTimeoutMs?: number;
}

/**
 * Why these bounds. A body here is at most 16 KiB, which even a poor mobile link sends in well under
 * a second: 10 s for a whole request lets every honest client through and cuts off a slow-body
 * (slowloris) client before it can pin many sockets and parsers. Headers are a few hundred bytes, so
 * they get half of that, at most 5 s. Production traffic reaches us through Google's load balancer,
 * which keeps idle backend connections for 600 s: a server that closed them sooner would race the
 * balancer reusing them and turn that race into 502s, so keep-alive outlasts it (620 s, Google's
 * advice). The balancer's own backend timeout (30 s, infra/k8s BackendConfig) stays above the
 * request bound, so a cut-off is always ours and answered with 408.
 */
export const httpTimeoutDefaults = {
  requestTimeoutMs: 10_000,
  keepAliveTimeoutMs: 620_000,
} as const;

/**
 * Fastify's trust rule for `hops` proxies of our own. Hop 0 is the socket peer, hop i the i-th
 * X-Forwarded-For entry from the right; trusting hops 0..N-1 makes `request.ip` the entry the
 * outermost trusted proxy appended. Fastify 5 refuses a bare number for `trustProxy` (it trusts
 * nothing then), so the count is a function; it holds only because, behind our load balancer, no
 * client reaches the pods directly (TRUSTED_PROXY_HOPS stays 0 wherever that is not true).
 */
export function trustProxyHops(hops: number): false | ((address: string, hop: number) => boolean) {
  if (hops <= 0) return false;
  return (_address, hop) => hop < hops;
}

/**
 * Fastify options every service shares: the process logger, request ids taken from `x-request-id`
 * (set by the load balancer) or made fresh, and no per-request info logs: at 50,000 req/s those
 * lines would cost more than the requests. Errors are still logged by the error handler, through a
 * request logger that binds the request id only once something logs (RequestLogger). Who the
 * client is and how long a request may take are set here once, so every service has the same rule.
 */
export function baseServerOptions(
  logger: Logger,
  settings: HttpServerSettings = {},
): FastifyHttpOptions<RawServerDefault> & { loggerInstance: FastifyBaseLogger } {
  const requestTimeout = settings.requestTimeoutMs ?? httpTimeoutDefaults.requestTimeoutMs;
  const headersTimeout = Math.min(5_000, Math.ceil(requestTimeout / 2));
  return {
    loggerInstance: logger,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    logController: new LogController({ disableRequestLogging: true }),
    childLoggerFactory: requestLoggerFactory,
    bodyLimit: 16 * 1024,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
    trustProxy: trustProxyHops(settings.trustedProxyHops ?? 0),
    requestTimeout,
    // A socket silent that long mid-exchange is closed; this also covers a client that stops reading
    // our response, which the request bound does not.
    connectionTimeout: requestTimeout,
    keepAliveTimeout: settings.keepAliveTimeoutMs ?? httpTimeoutDefaults.keepAliveTimeoutMs,
    http: {
      requestTimeout,
      headersTimeout,
      // Node enforces both bounds from a sweep that runs every 30 s by default, so a bound could be
      // overrun by that much; a sweep every second (or sooner for short test bounds) keeps them honest.
      connectionsCheckingInterval: Math.min(1_000, Math.ceil(headersTimeout / 2)),
    },
  };
}

export interface ListenOptions {
  host: string;
  port: number;
  logger: Logger;
  /** Stop accepting and drain within this bound; Kubernetes' grace period must be longer. */
  drainTimeoutMs?: number;
}

interface Closable {
  listen(options: { host: string; port: number }): Promise<string>;
  close(): Promise<unknown>;
}

/**
 * Listens and drains on SIGTERM/SIGINT: stop accepting, let in-flight requests finish, run the app's
 * onClose hooks (which close clients), exit 0. A second signal or the drain timeout forces exit 1.
 */
export async function listenWithGrace(app: Closable, options: ListenOptions): Promise<string> {
  const { default: closeWithGrace } = await import('close-with-grace');
  closeWithGrace({ delay: options.drainTimeoutMs ?? 25_000 }, async ({ signal, err }) => {
    if (err) options.logger.error({ err }, 'shutting down after an error');
    else options.logger.info({ signal }, 'shutting down: draining in-flight requests');
    await app.close();
    options.logger.info('closed cleanly');
  });
  const address = await app.listen({ host: options.host, port: options.port });
  options.logger.info({ address }, 'listening');
  return address;
}
