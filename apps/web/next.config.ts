import type { NextConfig } from 'next';

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
 * Pages are static shells; every figure comes from the APIs in the browser, so `next start` serves
 * prebuilt HTML and JS under load and never renders per poll.
 */
export const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  serverExternalPackages: ['prom-client'],
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
        ],
      },
    ];
  },
};

// Next loads its config through a default export; the one framework-required exception.
// eslint-disable-next-line no-restricted-syntax
export default nextConfig;
