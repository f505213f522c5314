import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, newNonce } from './security-headers';

const directives = (policy: string) =>
  new Map(
    policy.split('; ').map((directive) => {
      const [name = '', ...values] = directive.split(' ');
      return [name, values];
    }),
  );

describe('contentSecurityPolicy', () => {
  it('runs scripts only by nonce, and fetches only from the app and the two API origins', () => {
    const policy = directives(
      contentSecurityPolicy({
        nonce: 'abc123',
        apiUrls: [
          'https://queue.example.org/',
          'https://shop.example.org:8443/v1',
          'https://queue.example.org',
        ],
      }),
    );
    expect(policy.get('script-src')).toEqual(["'nonce-abc123'", "'strict-dynamic'"]);
    expect(policy.get('connect-src')).toEqual([
      "'self'",
      'https://queue.example.org',
      'https://shop.example.org:8443',
    ]);
    expect(policy.get('worker-src')).toEqual(["'self'", 'blob:']);
    expect(policy.get('frame-ancestors')).toEqual(["'none'"]);
    expect(policy.get('object-src')).toEqual(["'none'"]);
    expect([...policy.values()].flat()).not.toContain("'unsafe-inline'");
    expect([...policy.values()].flat()).not.toContain("'unsafe-eval'");
  });

  it('allows eval only for next dev', () => {
    const policy = directives(
      contentSecurityPolicy({ nonce: 'n', apiUrls: [], development: true }),
    );
    expect(policy.get('script-src')).toContain("'unsafe-eval'");
  });
});

describe('newNonce', () => {
  it('is fresh every time and carries 128 bits', () => {
    const nonces = new Set(Array.from({ length: 1_000 }, () => newNonce()));
    expect(nonces.size).toBe(1_000);
    for (const nonce of nonces) expect(Buffer.from(nonce, 'base64')).toHaveLength(16);
  });
});
