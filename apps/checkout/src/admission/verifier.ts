import { createPublicKey, type KeyObject } from 'node:crypto';
import {
  AdmissionTokenClaimsSchema,
  AppError,
  type AdmissionTokenClaims,
} from '@frequency/contracts';
import { z } from 'zod';
import { threadPoolChecker, type SignatureChecker } from './signature-thread.js';

export interface AdmissionVerifierOptions {
  jwksUrl: string;
  /** Minimum time between fetches triggered by an unknown kid, so forged kids cannot flood the JWKS. */
  refetchCooldownMs: number;
  /** Keys older than this are refreshed in the background on the next verification. */
  maxAgeMs: number;
  /** Deadline of one JWKS fetch. */
  fetchTimeoutMs?: number;
  /** Tolerated clock difference with the waiting room when checking exp and iat. */
  clockToleranceSeconds?: number;
  /** Tokens whose signature was checked, remembered until they expire (0 turns the cache off). */
  cacheSize?: number;
  /** Where signatures are checked (default: libuv's thread pool); checkout uses a SignatureThread. */
  signatures?: SignatureChecker;
  now?: () => number;
}

interface Verified {
  claims: AdmissionTokenClaims;
  kid: string;
}

const HeaderSchema = z.object({
  alg: z.literal('ES256'),
  kid: z.string().min(1).max(200),
  typ: z.string().optional(),
  // A critical extension we do not understand must make the token invalid (RFC 7515 4.1.11).
  crit: z.never().optional(),
});

const JwkSchema = z.object({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string(),
  y: z.string(),
  kid: z.string().min(1),
  use: z.string().optional(),
  alg: z.string().optional(),
});
const JwksSchema = z.object({ keys: z.array(z.unknown()) });

/** An ES256 signature is r || s, 32 bytes each (JWS, not DER). */
const signatureBytes = 64;
/** Admission tokens are small; anything far larger is not one and is not worth decoding. */
const maxTokenLength = 4_096;

/**
 * Verifies admission tokens locally: ES256 signature with the waiting room's public keys, then
 * iss, aud, typ, exp, and the claim shapes of the contract. No network call per request: keys are
 * cached, fetched again only for an unknown kid (at most once per cooldown) or when older than
 * maxAge (in the background, the old keys keep serving meanwhile).
 *
 * The signature check (~70 µs of CPU for ECDSA P-256) runs off the event loop, on the
 * SignatureChecker it is given. A fan uses one admission
 * for the order and then polls it until confirmed, so a verified token is remembered until it
 * expires (bounded, oldest out first): each poll costs a map lookup instead of a signature check.
 * A remembered token is dropped as soon as its key leaves the JWKS.
 */
export class AdmissionVerifier {
  /** The JWKS's keys by kid, with the coordinates they were made from. */
  private keys = new Map<string, { x: string; y: string; key: KeyObject }>();
  private readonly verified = new Map<string, Verified>();
  /** Signature checks done and answers taken from the cache, for tests and metrics. */
  readonly stats = { signatureChecks: 0, cacheHits: 0 };
  private fetchedAt = 0;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | undefined;
  private readonly now: () => number;

  constructor(private readonly options: AdmissionVerifierOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Returns the claims of a valid admission token for `eventId`, or throws a 401 AppError (503 when
   * the signature queue is full). `client` is the caller's address, for the queue's fair share.
   * `allowExpired` takes a token past its exp (everything else is checked as always): only for
   * looking up what the admission already did, never for placing anything.
   */
  async verify(
    authorization: string | undefined,
    eventId?: string,
    client?: string,
    { allowExpired = false }: { allowExpired?: boolean } = {},
  ): Promise<AdmissionTokenClaims> {
    const token = bearerToken(authorization);
    const nowSeconds = Math.floor(this.now() / 1000);
    const tolerance = this.options.clockToleranceSeconds ?? 5;
    const known = this.verified.get(token);
    if (known) {
      this.stats.cacheHits += 1;
      this.refreshIfStale();
      if (known.claims.exp <= nowSeconds - tolerance) this.verified.delete(token);
      return this.accept(known.claims, nowSeconds, tolerance, eventId, allowExpired);
    }
    const parts = token.split('.');
    if (parts.length !== 3) throw invalid('not a JWS compact token');
    const [encodedHeader = '', encodedPayload = '', encodedSignature = ''] = parts;
    const header = HeaderSchema.safeParse(decodeJson(encodedHeader));
    if (!header.success) throw invalid('unsupported token header');
    const signature = Buffer.from(encodedSignature, 'base64url');
    if (signature.length !== signatureBytes) throw invalid('bad signature');
    // Cheap refusals before the signature check, so junk never waits in (or fills) its queue. They
    // only ever refuse: what the payload says is trusted only once the signature is checked.
    const payload = decodeJson(encodedPayload);
    if (!isRecord(payload) || (eventId !== undefined && payload.evt !== eventId))
      throw invalid('not an admission token for this event');

    const key = await this.keyFor(header.data.kid);
    const signed = Buffer.from(`${encodedHeader}.${encodedPayload}`);
    const ok = await (this.options.signatures ?? threadPoolChecker).check(
      key,
      signed,
      signature,
      client,
    );
    this.stats.signatureChecks += 1;
    if (!ok) throw invalid('bad signature');

    // Only a token signed by the waiting room is looked at further: claims of a forged token are
    // never trusted, not even to tell "expired" from "invalid".
    if (
      !allowExpired &&
      isRecord(payload) &&
      typeof payload.exp === 'number' &&
      payload.exp <= nowSeconds - tolerance
    ) {
      throw new AppError('TOKEN_EXPIRED', 'the admission has expired');
    }
    // The schema pins typ, iss (frequency-waiting-room) and aud (frequency-checkout) as literals.
    const claims = AdmissionTokenClaimsSchema.safeParse(payload);
    if (!claims.success) throw invalid('not an admission token');
    const c = claims.data;
    if (c.iat > nowSeconds + tolerance) throw invalid('issued in the future');
    // Unless the key was retired while the signature was being checked: then it vouches only once.
    if (this.keys.get(header.data.kid)?.key === key && c.exp > nowSeconds - tolerance)
      this.remember(token, { claims: c, kid: header.data.kid });
    return this.accept(c, nowSeconds, tolerance, eventId, allowExpired);
  }

  /** The checks that depend on the time and on the request, made on every use of a token. */
  private accept(
    claims: AdmissionTokenClaims,
    nowSeconds: number,
    tolerance: number,
    eventId: string | undefined,
    allowExpired: boolean,
  ): AdmissionTokenClaims {
    if (!allowExpired && claims.exp <= nowSeconds - tolerance)
      throw new AppError('TOKEN_EXPIRED', 'the admission has expired');
    if (eventId !== undefined && claims.evt !== eventId)
      throw invalid('the admission is for another event');
    return claims;
  }

  private remember(token: string, entry: Verified): void {
    const capacity = this.options.cacheSize ?? 20_000;
    if (capacity <= 0) return;
    if (this.verified.size >= capacity) {
      // Maps iterate in insertion order: the first key is the oldest.
      const oldest = this.verified.keys().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.set(token, entry);
  }

  /** Fetches the keys now (startup warm-up); failures are left to the first verification to report. */
  async warmUp(): Promise<void> {
    await this.refresh().catch(() => undefined);
  }

  /** Keys older than maxAge are fetched again in the background; the old ones serve meanwhile. */
  private refreshIfStale(): void {
    if (this.keys.size > 0 && this.now() - this.fetchedAt > this.options.maxAgeMs)
      void this.refresh().catch(() => undefined);
  }

  private async keyFor(kid: string): Promise<KeyObject> {
    this.refreshIfStale();
    const cached = this.keys.get(kid);
    if (cached) return cached.key;
    try {
      if (this.inflight) await this.inflight;
      else if (
        this.now() - this.lastAttemptAt >= this.options.refetchCooldownMs ||
        this.keys.size === 0
      )
        await this.refresh();
    } catch {
      // The waiting room is unreachable: known keys keep working, only a kid never seen fails.
    }
    const key = this.keys.get(kid);
    if (key) return key.key;
    // With no key at all nothing can be told apart: the token may well be good (every request that
    // waited on the same failed fetch lands here), so the answer is "try again", never 401.
    if (this.keys.size === 0) {
      throw new AppError('UNAVAILABLE', 'admission keys are not available yet', {
        'retry-after': '1',
      });
    }
    throw invalid('unknown signing key');
  }

  private refresh(): Promise<void> {
    if (this.inflight) return this.inflight;
    // With no key at all, every request would otherwise wait out the cooldown with a 503; a short
    // floor still keeps a down waiting room from receiving one fetch per request.
    const floor = this.keys.size === 0 ? Math.min(this.options.refetchCooldownMs, 1_000) : 0;
    if (floor > 0 && this.now() - this.lastAttemptAt < floor) {
      return Promise.reject(new Error('JWKS fetch cooling down'));
    }
    this.lastAttemptAt = this.now();
    this.inflight = this.fetchKeys().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async fetchKeys(): Promise<void> {
    const response = await fetch(this.options.jwksUrl, {
      signal: AbortSignal.timeout(this.options.fetchTimeoutMs ?? 2_000),
      headers: { accept: 'application/json' },
    });
    if (!response.ok) throw new Error(`JWKS answered ${response.status}`);
    const body = JwksSchema.parse(await response.json());
    const keys = new Map<string, { x: string; y: string; key: KeyObject }>();
    for (const entry of body.keys) {
      const jwk = JwkSchema.safeParse(entry);
      if (!jwk.success || (jwk.data.use !== undefined && jwk.data.use !== 'sig')) continue;
      if (jwk.data.alg !== undefined && jwk.data.alg !== 'ES256') continue;
      const { kty, crv, x, y, kid } = jwk.data;
      // An unchanged key keeps its KeyObject (the signature thread knows keys by identity).
      const same = this.keys.get(kid);
      const key =
        same?.x === x && same.y === y
          ? same.key
          : createPublicKey({ key: { kty, crv, x, y }, format: 'jwk' });
      keys.set(kid, { x, y, key });
    }
    if (keys.size === 0) throw new Error('JWKS holds no ES256 key');
    // A key the waiting room stopped publishing (retired or compromised) no longer vouches for
    // anything, not even for tokens it verified before.
    for (const [token, entry] of this.verified)
      if (!keys.has(entry.kid)) this.verified.delete(token);
    this.keys = keys;
    this.fetchedAt = this.now();
  }
}

/** The token of an `Authorization: Bearer …` header, or a 401 AppError. */
export function bearerToken(authorization: string | undefined): string {
  if (!authorization) throw invalid('missing admission token');
  const match = /^Bearer ([A-Za-z0-9_.-]+)$/i.exec(authorization.trim());
  if (!match?.[1] || match[1].length > maxTokenLength)
    throw invalid('malformed Authorization header');
  return match[1];
}

function decodeJson(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function invalid(message: string): AppError {
  return new AppError('TOKEN_INVALID', message, {
    'www-authenticate': 'Bearer error="invalid_token"',
  });
}
