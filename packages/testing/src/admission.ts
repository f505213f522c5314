import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  admissionTokenAudience,
  admissionTokenIssuer,
  newId,
  type AdmissionTokenClaims,
} from '@frequency/contracts';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK } from 'jose';

export interface TestSigningKey {
  kid: string;
  privateKey: CryptoKey;
  publicJwk: JWK;
}

/** An ES256 key pair with a kid, as the waiting room holds in ADMISSION_PRIVATE_JWKS. */
export async function createSigningKey(
  kid = newId('admission').slice(4, 16),
): Promise<TestSigningKey> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return { kid, privateKey, publicJwk };
}

export interface MintOptions {
  eventId: string;
  /** Overrides of any claim, to build expired, wrong-audience or otherwise bad tokens on purpose. */
  claims?: Partial<Record<keyof AdmissionTokenClaims, unknown>>;
  /** Seconds until expiry (default 600). */
  ttlSeconds?: number;
  /** Sign with this key instead of the issuer's current one (e.g. a key not in the JWKS). */
  key?: TestSigningKey;
  /** Protected header overrides (alg stays ES256: the key only signs ES256). */
  header?: Record<string, unknown>;
}

export interface MintedAdmission {
  token: string;
  claims: AdmissionTokenClaims;
}

export interface TestAdmissionIssuer {
  /** URL of the JWKS document, the value checkout derives from WAITING_ROOM_URL. */
  jwksUrl: string;
  /** Base URL to pass as WAITING_ROOM_URL. */
  baseUrl: string;
  current: TestSigningKey;
  mint(options: MintOptions): Promise<MintedAdmission>;
  /** Publishes another key (a rotation): later fetches of the JWKS list it. */
  addKey(key: TestSigningKey): void;
  /** Stops publishing a key (retired or compromised): later fetches of the JWKS omit it. */
  removeKey(kid: string): void;
  /** How many times the JWKS was fetched: proves caching and refetch-on-unknown-kid. */
  readonly fetches: number;
  close(): Promise<void>;
}

/**
 * A stand-in for the waiting room's token side, built from the contract: ES256 admission tokens with
 * the claims of AdmissionTokenClaimsSchema, and a JWKS served at `/.well-known/jwks.json` by a tiny
 * HTTP server on a free port. Checkout verifies exactly as it does against the real waiting room.
 */
export async function createTestAdmissionIssuer(): Promise<TestAdmissionIssuer> {
  const current = await createSigningKey();
  const published: JWK[] = [current.publicJwk];
  let fetches = 0;
  const server: Server = createServer((request, response) => {
    if (request.url === '/.well-known/jwks.json') {
      fetches += 1;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ keys: published }));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}`;
  return {
    baseUrl,
    jwksUrl: `${baseUrl}/.well-known/jwks.json`,
    current,
    get fetches() {
      return fetches;
    },
    addKey(key) {
      published.push(key.publicJwk);
    },
    removeKey(kid) {
      const index = published.findIndex((jwk) => jwk.kid === kid);
      if (index >= 0) published.splice(index, 1);
    },
    async mint(options) {
      const key = options.key ?? current;
      const now = Math.floor(Date.now() / 1000);
      const claims = {
        typ: 'admission',
        iss: admissionTokenIssuer,
        aud: admissionTokenAudience,
        evt: options.eventId,
        sub: newId('queueEntry'),
        jti: newId('admission'),
        iat: now,
        exp: now + (options.ttlSeconds ?? 600),
        ...options.claims,
      } as AdmissionTokenClaims;
      const token = await new SignJWT({ ...claims })
        .setProtectedHeader({ typ: 'JWT', ...options.header, alg: 'ES256', kid: key.kid })
        .sign(key.privateKey);
      return { token, claims };
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}
