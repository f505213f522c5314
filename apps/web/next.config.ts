import type { NextConfig } from 'next';
import { strictTransportSecurity } from './src/lib/security-headers';

interface WebpackConfig {
  plugins: unknown[];
  resolve: { fallback?: Record<string, string | false> };
}
interface WebpackApi {
  NormalModuleReplacementPlugin: new (
    pattern: RegExp,
    replace: (resource: { request: string }) => void,
  ) => unknown;
}

/**
 * Pages are shells; every figure comes from the APIs in the browser, so `next start` renders a page
 * once per visit (for its CSP nonce, see src/middleware.ts) and never per poll.
 */
export const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  serverExternalPackages: ['prom-client'],
  // Next's browser polyfills of Node built-ins are resolved per module rule, ahead of the fallback
  // below, so without this the stubbed `crypto` still pulled crypto-browserify, streams and util
  // (~0.5 MB) into the event page, and util's start-up probes call `Function`, which the pages' CSP
  // refuses. No browser code needs a Node built-in; `Buffer` is provided by Next on its own.
  experimental: { fallbackNodePolyfills: false },
  webpack(config: WebpackConfig, { isServer, webpack }: { isServer: boolean; webpack: WebpackApi }) {
    if (!isServer) {
      // @frequency/contracts also exports id generators that use node:crypto; the browser only uses
      // its schemas, so the module is stubbed out of client bundles instead of polyfilled.
      config.plugins.push(
        new webpack.NormalModuleReplacementPlugin(/^node:crypto$/, (resource: { request: string }) => {
          resource.request = 'crypto';
        }),
      );
      config.resolve.fallback = { ...config.resolve.fallback, crypto: false };
    }
    return config;
  },
  async headers() {
    return [
      {
        source: '/:path*',
        headers: [
          { key: 'X-Content-Type-Options', value: 'nosniff' },
          { key: 'Referrer-Policy', value: 'strict-origin-when-cross-origin' },
          { key: 'X-Frame-Options', value: 'DENY' },
          { key: 'Strict-Transport-Security', value: strictTransportSecurity },
        ],
      },
    ];
  },
};

// Next loads its config through a default export; the one framework-required exception.
// eslint-disable-next-line no-restricted-syntax
export default nextConfig;
