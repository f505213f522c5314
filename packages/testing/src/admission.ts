import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  admissionTokenAudience,
  admissionTokenIssuer,
  eventKeys,
  newId,
  type AdmissionTokenClaims,
} from '@frequency/contracts';
import type { RedisClient } from '@frequency/config/redis';
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
  /**
   * Registers the admission as live in this Redis (see `admit`), as the waiting room does when it
   * admits a fan; checkout refuses an order for an admission that is not. Pass the test's client
   * (it carries the key prefix the app under test uses). Default: the issuer's `admitIn`; `null`
   * mints a token whose admission is not live.
   */
  admitIn?: RedisClient | null;
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
  /** From now on, mint registers every admission live in this Redis (unless told otherwise). */
  admitIn(redis: RedisClient | null): void;
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
  let liveIn: RedisClient | null = null;
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
    admitIn(redis) {
      liveIn = redis;
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
      const live = options.admitIn === undefined ? liveIn : options.admitIn;
      if (live) await admit(live, [claims]);
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

/**
 * Makes admissions live in Redis the way the waiting room's admission script does: each jti in the
 * event's `active` sorted set with its expiry (epoch ms) as score. Tokens minted here bypass the
 * queue, so without this checkout would answer their orders 401 TOKEN_EXPIRED. Pipelined, for
 * benches that admit many at once.
 */
export async function admit(
  redis: RedisClient,
  admissions: readonly Pick<AdmissionTokenClaims, 'evt' | 'jti' | 'exp'>[],
): Promise<void> {
  const chunk = 1_000;
  // One pipeline per event: on a Redis Cluster a pipeline must keep to one slot.
  const byEvent = new Map<string, Pick<AdmissionTokenClaims, 'jti' | 'exp'>[]>();
  for (const admission of admissions) {
    const ofEvent = byEvent.get(admission.evt);
    if (ofEvent) ofEvent.push(admission);
    else byEvent.set(admission.evt, [admission]);
  }
  for (const [evt, ofEvent] of byEvent) {
    for (let start = 0; start < ofEvent.length; start += chunk) {
      const pipeline = redis.pipeline();
      for (const { jti, exp } of ofEvent.slice(start, start + chunk))
        pipeline.zadd(eventKeys(evt).active, exp * 1000, jti);
      const results = await pipeline.exec();
      const failed = results?.find(([err]) => err !== null);
      if (failed?.[0]) throw failed[0];
    }
  }
}
