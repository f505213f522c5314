import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import type { ServiceMetrics } from './metrics.js';

export type ReadinessCheck = () => Promise<void>;

export interface ObservabilityOptions {
  metrics: ServiceMetrics;
  /** Named dependency checks; /readyz answers 503 naming each one that fails. */
  readiness: Record<string, ReadinessCheck>;
  /** Deadline of each check, so a hung dependency cannot hang the probe. */
  readinessTimeoutMs?: number;
}

interface RouteSeries {
  duration: { observe(seconds: number): void };
  byStatus: Map<number, { inc(): void }>;
}

/**
 * prom-client's labelled children, made once per route, method and status code: `inc({ labels })`
 * would build and check the label set on every request.
 */
function seriesCache(metrics: ServiceMetrics) {
  const routes = new Map<string, RouteSeries>();
  return (
    route: string,
    method: string,
    status: number,
  ): [RouteSeries['duration'], { inc(): void }] => {
    const key = `${method} ${route}`;
    let series = routes.get(key);
    if (!series) {
      series = { duration: metrics.httpDuration.labels({ route, method }), byStatus: new Map() };
      routes.set(key, series);
    }
    let counter = series.byStatus.get(status);
    if (!counter) {
      counter = metrics.httpRequests.labels({ route, method, status_code: status });
      series.byStatus.set(status, counter);
    }
    return [series.duration, counter];
  };
}

/**
 * RED metrics for every route, plus /metrics, /healthz and /readyz.
 * One counter and one histogram observation on response, timed by Fastify's own clock
 * (`reply.elapsedTime`, read at the start of routing and when the response finished), so nothing
 * else on the request path reads a clock for metrics or logs.
 */
export const observabilityPlugin = fp<ObservabilityOptions>(
  (app, options, done) => {
    const { metrics } = options;
    const timeoutMs = options.readinessTimeoutMs ?? 2_000;

    const series = seriesCache(metrics);
    app.addHook('onResponse', (request, reply, next) => {
      const route = request.is404 ? 'unmatched' : (request.routeOptions.url ?? 'unmatched');
      const [duration, count] = series(route, request.method, reply.statusCode);
      count.inc();
      duration.observe(reply.elapsedTime / 1000);
      next();
    });

    // While draining, every response tells the client to close its keep-alive connection, so the
    // server can finish closing as soon as the in-flight requests are answered.
    let draining = false;
    app.addHook('preClose', (next) => {
      draining = true;
      next();
    });
    app.addHook('onSend', (_request, reply, payload, next) => {
      if (draining) void reply.header('connection', 'close');
      next(null, payload);
    });

    app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
      const body = await metrics.registry.metrics();
      return reply.type(metrics.registry.contentType).send(body);
    });
    app.get('/healthz', { schema: { hide: true } }, (_request, reply) => {
      void reply.send({ status: 'ok' });
    });
    app.get(
      '/readyz',
      { schema: { hide: true } },
      async (_request: FastifyRequest, reply: FastifyReply) => {
        const results = await runChecks(options.readiness, timeoutMs);
        const failed = Object.entries(results).filter(([, r]) => r !== 'ok');
        if (failed.length > 0) {
          return reply.code(503).send({
            status: 'unavailable',
            checks: results,
            error: {
              code: 'UNAVAILABLE',
              message: `not ready: ${failed.map(([name, r]) => `${name} (${r})`).join('; ')}`,
              requestId: _request.id,
            },
          });
        }
        return reply.send({ status: 'ready', checks: results });
      },
    );
    done();
  },
  { name: 'observability', fastify: '5.x' },
);

export async function runChecks(
  checks: Record<string, ReadinessCheck>,
  timeoutMs: number,
): Promise<Record<string, string>> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => {
              reject(new Error(`no answer within ${timeoutMs} ms`));
            }, timeoutMs);
          }),
        ]);
        return [name, 'ok'] as const;
      } catch (err) {
        return [name, err instanceof Error ? err.message : String(err)] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return Object.fromEntries(entries);
}

export type { FastifyInstance };
