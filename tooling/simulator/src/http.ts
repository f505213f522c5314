import { performance } from 'node:perf_hooks';
import { Pool } from 'undici';

export interface HttpResponse {
  /** 0 when no response arrived. */
  status: number;
  body: unknown;
  /** The contract's error code (`error.code`) of a non-2xx JSON answer. */
  code: string | null;
  latencyMs: number;
}

export interface HttpRequest {
  method: 'GET' | 'POST' | 'PATCH';
  url: string;
  headers?: Record<string, string>;
  json?: unknown;
}

/**
 * Keep-alive connection pools, one per service, shared by every virtual fan: the way a CDN or load
 * balancer in front of the services multiplexes many browsers over few upstream connections. A
 * browser's own TLS handshake is not what this measures.
 */
export class HttpClient {
  readonly #pools = new Map<string, Pool>();

  constructor(private readonly connections: number) {}

  #pool(origin: string): Pool {
    let pool = this.#pools.get(origin);
    if (!pool) {
      pool = new Pool(origin, {
        connections: this.connections,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        // A request still unanswered after 15 s counts as failed; the services' own timeouts are shorter.
        headersTimeout: 15_000,
        bodyTimeout: 15_000,
      });
      this.#pools.set(origin, pool);
    }
    return pool;
  }

  async send(request: HttpRequest): Promise<HttpResponse> {
    const url = new URL(request.url);
    const headers: Record<string, string> = { ...request.headers };
    let body: string | undefined;
    if (request.json !== undefined) {
      body = JSON.stringify(request.json);
      headers['content-type'] = 'application/json';
    }
    const started = performance.now();
    try {
      const response = await this.#pool(url.origin).request({
        method: request.method,
        path: url.pathname + url.search,
        headers,
        body,
      });
      const text = await response.body.text();
      const latencyMs = performance.now() - started;
      const contentType = response.headers['content-type'];
      const parsed = typeof contentType === 'string' && contentType.includes('json') ? parseJson(text) : null;
      return { status: response.statusCode, body: parsed, code: errorCode(parsed), latencyMs };
    } catch (err) {
      return {
        status: 0,
        body: null,
        code: err instanceof Error && 'code' in err && typeof err.code === 'string' ? err.code : 'NETWORK',
        latencyMs: performance.now() - started,
      };
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.#pools.values()].map((pool) => pool.close()));
    this.#pools.clear();
  }
}

function parseJson(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}

function errorCode(body: unknown): string | null {
  if (typeof body !== 'object' || body === null || !('error' in body)) return null;
  const error = body.error;
  if (typeof error !== 'object' || error === null || !('code' in error)) return null;
  return typeof error.code === 'string' ? error.code : null;
}
