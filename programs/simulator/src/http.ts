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
  /**
   * Source address to connect from (one of 127.0.0.0/8, all local on Linux). The services charge
   * per-client rules (the join limit) to the connecting address, so fans that are different people
   * come from different addresses; requests without one share the default pools.
   */
  from?: string;
}

/** The n-th of `count` loopback source addresses, from 127.0.1.1 on (127.0.0.1 is the services'). */
export function loopbackAddress(n: number): string {
  return `127.0.${1 + Math.floor(n / 254)}.${1 + (n % 254)}`;
}

/**
 * Keep-alive connection pools. Requests without a source address (ops calls, the monitor) share one
 * pool per service. Fans' requests go through one small pool per (service, source address): each
 * address stands for a group of fans behind one connection, so the services see as many clients as
 * there are addresses, and the sockets stay bounded by addresses × services.
 */
export class HttpClient {
  readonly #pools = new Map<string, Pool>();

  constructor(
    private readonly connections: number,
    /** Connections per source address and service. */
    private readonly connectionsPerAddress = 1,
  ) {}

  #pool(origin: string, from: string | undefined): Pool {
    const key = from === undefined ? origin : `${origin} ${from}`;
    let pool = this.#pools.get(key);
    if (!pool) {
      pool = new Pool(origin, {
        connections: from === undefined ? this.connections : this.connectionsPerAddress,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        // A request still unanswered after 15 s counts as failed; the services' own timeouts are shorter.
        headersTimeout: 15_000,
        bodyTimeout: 15_000,
        // The client option, not connect.localAddress: undici's connector lets the client's own
        // localAddress (unset) override the one given in `connect`.
        ...(from === undefined ? {} : { localAddress: from }),
      });
      this.#pools.set(key, pool);
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
      const response = await this.#pool(url.origin, request.from).request({
        method: request.method,
        path: url.pathname + url.search,
        headers,
        body,
      });
      const text = await response.body.text();
      const latencyMs = performance.now() - started;
      const contentType = response.headers['content-type'];
      const parsed =
        typeof contentType === 'string' && contentType.includes('json') ? parseJson(text) : null;
      return { status: response.statusCode, body: parsed, code: errorCode(parsed), latencyMs };
    } catch (err) {
      return {
        status: 0,
        body: null,
        code:
          err instanceof Error && 'code' in err && typeof err.code === 'string'
            ? err.code
            : 'NETWORK',
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
