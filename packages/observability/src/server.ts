import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger, FastifyServerOptions } from 'fastify';
import type { Logger } from 'pino';

/**
 * Fastify options every service shares: the process logger, request ids taken from `x-request-id`
 * (set by the load balancer) or made fresh, and no per-request info logs: at 50,000 req/s those
 * lines would cost more than the requests. Errors are still logged by the error handler.
 */
export function baseServerOptions(
  logger: Logger,
): FastifyServerOptions & { loggerInstance: FastifyBaseLogger } {
  return {
    loggerInstance: logger,
    requestIdHeader: 'x-request-id',
    genReqId: () => randomUUID(),
    // eslint-disable-next-line @typescript-eslint/no-deprecated -- still the Fastify 5 option; logController arrives with 6
    disableRequestLogging: true,
    bodyLimit: 16 * 1024,
    return503OnClosing: true,
    forceCloseConnections: 'idle',
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
