import { Agent, request as httpRequest, type IncomingHttpHeaders } from 'node:http';

/**
 * Many clients on one machine, told apart the way a server tells them apart: by the address their
 * connection comes from. All of 127.0.0.0/8 is local on Linux, so each client binds its own
 * 127.x.y.z as source and the server sees a distinct socket address, with no header to forge.
 * Free of vitest, so load scripts and benchmarks can use it too.
 */

export interface ClientResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
  /** The body parsed as JSON; callers check its shape (a zod schema, or `toMatchObject`). */
  json(): unknown;
}

export interface ClientRequest {
  method?: string;
  /** Path and query, e.g. `/v1/events/x/queue`. */
  path: string;
  headers?: Record<string, string>;
  /** Sent as JSON (with its content type) unless it is a string. */
  body?: unknown;
}

export interface HttpClient {
  /** The source address every connection of this client binds. */
  readonly address: string;
  request(options: ClientRequest): Promise<ClientResponse>;
  /** Closes the kept-alive connections. */
  close(): void;
}

/**
 * The `index`-th distinct loopback address (0-based), skipping the network and broadcast-looking
 * ends of each /24 and the 127.0.0.x block most tools use: 127.1.0.1, 127.1.0.2, … 127.1.0.254,
 * 127.1.1.1, …
 */
export function loopbackAddress(index: number): string {
  if (!Number.isInteger(index) || index < 0 || index >= 254 * 256 * 254) {
    throw new RangeError(`no loopback address number ${index}`);
  }
  const host = (index % 254) + 1;
  const block = Math.floor(index / 254);
  return `127.${(block >> 8) + 1}.${block & 255}.${host}`;
}

/**
 * A client of `baseUrl` (plain http) whose connections come from `address`. Connections are kept
 * alive and reused, as a browser would, so thousands of requests do not cost thousands of sockets.
 */
export function clientFrom(address: string, baseUrl: string): HttpClient {
  const base = new URL(baseUrl);
  if (base.protocol !== 'http:')
    throw new Error(`clientFrom speaks plain http, not ${base.protocol}`);
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });
  return {
    address,
    close: () => {
      agent.destroy();
    },
    request: ({ method = 'GET', path, headers = {}, body }) =>
      new Promise<ClientResponse>((resolve, reject) => {
        const payload =
          body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
        const sent: Record<string, string> = { ...headers };
        if (payload !== undefined) {
          sent['content-length'] = String(Buffer.byteLength(payload));
          if (typeof body !== 'string') sent['content-type'] ??= 'application/json';
        }
        const req = httpRequest(
          {
            agent,
            host: base.hostname,
            port: base.port,
            method,
            path,
            headers: sent,
            localAddress: address,
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (chunk: Buffer) => chunks.push(chunk));
            res.on('error', reject);
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              resolve({
                status: res.statusCode ?? 0,
                headers: res.headers,
                body: text,
                json: (): unknown => JSON.parse(text),
              });
            });
          },
        );
        req.on('error', reject);
        req.end(payload);
      }),
  };
}
