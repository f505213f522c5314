/**
 * The pages' Content-Security-Policy. Scripts run only with this response's nonce (Next puts it on
 * its bootstrap and chunk scripts when it finds it in the request's policy), and `'strict-dynamic'`
 * lets those scripts load the chunks they need, so no host list (and no `'self'` file a bug could
 * upload) is trusted on its own. The browser talks to the waiting room and checkout, whose origins
 * come from the same runtime config `/api/config` hands out; nothing else may be fetched. Fonts are
 * local (geist), QR codes are data URLs, and the coming Web Worker is same-origin or a blob.
 */
export function contentSecurityPolicy(options: {
  nonce: string;
  apiUrls: string[];
  /** `next dev` evaluates code for fast refresh; a production build never does. */
  development?: boolean;
}): string {
  const apiOrigins = [...new Set(options.apiUrls.map((url) => new URL(url).origin))];
  const directives: Record<string, string[]> = {
    'default-src': ["'self'"],
    'script-src': [
      `'nonce-${options.nonce}'`,
      "'strict-dynamic'",
      ...(options.development ? ["'unsafe-eval'"] : []),
    ],
    'style-src': ["'self'", `'nonce-${options.nonce}'`],
    'img-src': ["'self'", 'data:', 'blob:'],
    'font-src': ["'self'"],
    'connect-src': ["'self'", ...apiOrigins],
    'worker-src': ["'self'", 'blob:'],
    'manifest-src': ["'self'"],
    'object-src': ["'none'"],
    'base-uri': ["'self'"],
    'form-action': ["'self'"],
    'frame-ancestors': ["'none'"],
  };
  return Object.entries(directives)
    .map(([name, values]) => `${name} ${values.join(' ')}`)
    .join('; ');
}

/**
 * HSTS on every response, whatever the scheme: production terminates TLS at the load balancer, so
 * this server only ever sees plain http and cannot tell; browsers ignore the header on an http
 * response (RFC 6797 §8.1), so local plain-http runs are unaffected. One year, subdomains included,
 * not preloaded (preloading is a commitment for the whole domain, made outside this app).
 */
export const strictTransportSecurity = 'max-age=31536000; includeSubDomains';

/** A fresh nonce: 128 random bits, base64. */
export function newNonce(): string {
  const bytes = new Uint8Array(16);
  crypto.getRandomValues(bytes);
  return btoa(String.fromCharCode(...bytes));
}
