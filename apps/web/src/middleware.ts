import { type NextRequest, NextResponse } from 'next/server';
import { webEnv } from './lib/env';
import { contentSecurityPolicy, newNonce } from './lib/security-headers';

/**
 * Every page gets a policy with a nonce of its own. Next reads the nonce from the request's
 * Content-Security-Policy header while rendering and puts it on its inline bootstrap scripts, which
 * is why pages are rendered per request (see app/layout.tsx) rather than served prebuilt.
 */
export function middleware(request: NextRequest): NextResponse {
  const env = webEnv();
  const policy = contentSecurityPolicy({
    nonce: newNonce(),
    apiUrls: [
      env.WAITING_ROOM_PUBLIC_URL ?? env.WAITING_ROOM_URL,
      env.CHECKOUT_PUBLIC_URL ?? env.CHECKOUT_URL,
    ],
    development: process.env.NODE_ENV === 'development',
  });
  const requestHeaders = new Headers(request.headers);
  requestHeaders.set('content-security-policy', policy);
  const response = NextResponse.next({ request: { headers: requestHeaders } });
  response.headers.set('content-security-policy', policy);
  return response;
}

export const config = {
  // Node, not the edge runtime: the environment is read with the same schema as the route handlers.
  runtime: 'nodejs',
  // Pages only: static chunks, images, JSON routes and probes carry no inline script. Prefetches
  // are skipped as Next's guide advises: their payload is not a document.
  matcher: [
    {
      source: '/((?!api/|_next/static|_next/image|favicon.ico|metrics|healthz|readyz).*)',
      missing: [
        { type: 'header', key: 'next-router-prefetch' },
        { type: 'header', key: 'purpose', value: 'prefetch' },
      ],
    },
  ],
};
