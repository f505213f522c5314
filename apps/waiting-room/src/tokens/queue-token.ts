import { createHmac, timingSafeEqual } from 'node:crypto';
import {
  QueueTokenClaimsSchema,
  queueTokenType,
  type QueueTokenClaims,
} from '@frequency/contracts';

/**
 * The queue token: a JWS in compact form (RFC 7515), HS256 over the service's QUEUE_TOKEN_SECRET, with
 * the header `{"alg":"HS256","typ":"queue+jwt"}` and the claims of `QueueTokenClaimsSchema`: event,
 * entry, expiry and the fan's place (`seq`) or pre-queue arrival number (`pre`), which is what lets a
 * poll answer from memory without asking Redis.
 *
 * Only this service issues and checks it, so a symmetric key is enough, and the algorithm is pinned
 * by pinning the whole header: a token is looked at only if its first segment is byte for byte the
 * one this service writes. `alg: none`, another algorithm (an HS256/ES256 switch with a public key as
 * the secret), an admission token (`typ: JWT`, ES256, `kid`) or any extra header field never reach a
 * signature check. Signing and checking use node:crypto's HMAC directly: jose signs and verifies
 * through WebCrypto, asynchronously, which measured about 80 µs per token against 26 µs here on the
 * same (busy) machine, on a path every join takes. jose reads these tokens as ordinary JWTs (the
 * tests check both ways).
 */
export type QueueClaims = QueueTokenClaims;

export type TokenFailure = 'TOKEN_INVALID' | 'TOKEN_EXPIRED';
export type VerifyResult = { ok: true; claims: QueueClaims } | { ok: false; reason: TokenFailure };

/** Verified tokens kept to skip the MAC on repeated polls; bounded (about 30 MB at most). */
const VERIFIED_CACHE_SIZE = 100_000;
/** Queue tokens are a few hundred bytes; anything far larger is not one and is not decoded. */
const MAX_TOKEN_LENGTH = 1_024;
/** The only header this service writes, and so the only one it accepts. */
const HEADER = Buffer.from(JSON.stringify({ alg: 'HS256', typ: queueTokenType })).toString(
  'base64url',
);
const HEADER_PREFIX = `${HEADER}.`;
/** base64url of a 32-byte HMAC-SHA256, unpadded. */
const SIGNATURE_LENGTH = 43;

export class QueueTokens {
  readonly #secret: Buffer;
  /** Only tokens whose MAC verified get in, so a forged token never hits this cache. */
  readonly #verified = new Map<string, QueueClaims>();

  constructor(
    secret: string,
    readonly ttlSeconds: number,
  ) {
    this.#secret = Buffer.from(secret, 'utf8');
  }

  issue(
    claims: { evt: string; sub: string; exp?: number } & ({ seq: number } | { pre: number }),
    nowMs = Date.now(),
  ): string {
    const exp = claims.exp ?? Math.floor(nowMs / 1000) + this.ttlSeconds;
    const payload =
      'seq' in claims
        ? { evt: claims.evt, sub: claims.sub, seq: claims.seq, exp }
        : { evt: claims.evt, sub: claims.sub, pre: claims.pre, exp };
    const signingInput = `${HEADER_PREFIX}${Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url')}`;
    return `${signingInput}.${this.#mac(signingInput)}`;
  }

  /**
   * Checks the header and the MAC first (constant time), then the claims; a token for another event
   * is invalid. Tokens of the earlier `payload.mac` form are still taken (see `#verifyLegacy`).
   */
  verify(token: string, eventId: string, nowMs = Date.now()): VerifyResult {
    const cached = this.#verified.get(token);
    if (cached) return checkClaims(cached, eventId, nowMs);
    if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: 'TOKEN_INVALID' };
    const claims = token.startsWith(HEADER_PREFIX)
      ? this.#verifyJws(token)
      : this.#verifyLegacy(token);
    if (!claims) return { ok: false, reason: 'TOKEN_INVALID' };
    if (this.#verified.size >= VERIFIED_CACHE_SIZE) this.#verified.clear();
    this.#verified.set(token, claims);
    return checkClaims(claims, eventId, nowMs);
  }

  #verifyJws(token: string): QueueClaims | null {
    const end = token.indexOf('.', HEADER_PREFIX.length);
    if (end < 0 || token.length - end - 1 !== SIGNATURE_LENGTH) return null;
    const signingInput = token.slice(0, end);
    // The signature is compared as text: two encodings of the same bytes (base64url's spare low
    // bits) would otherwise both pass, and one token would have twins.
    if (!sameText(token.slice(end + 1), this.#mac(signingInput))) return null;
    const parsed = QueueTokenClaimsSchema.safeParse(
      decodeJson(token.slice(HEADER_PREFIX.length, end)),
    );
    return parsed.success ? parsed.data : null;
  }

  /**
   * The form issued before queue tokens were JWTs: `base64url(claims).base64url(HMAC(payload))` with
   * `typ: "queue"` among the claims. Fans who joined before the switch keep their place until their
   * token expires (one QUEUE_TOKEN_TTL_SECONDS at most; nothing issues this form any more), so this
   * path accepts nothing once that time has passed. The two forms cannot stand in for each other:
   * this MAC covers a string without a dot, a JWS signature one with a dot, and a JWS has two dots.
   */
  #verifyLegacy(token: string): QueueClaims | null {
    const dot = token.indexOf('.');
    if (dot <= 0 || dot !== token.lastIndexOf('.')) return null;
    const payload = token.slice(0, dot);
    if (!sameText(token.slice(dot + 1), this.#mac(payload))) return null;
    const raw = decodeJson(payload);
    if (typeof raw !== 'object' || raw === null) return null;
    const { typ, ...claims } = raw as Record<string, unknown>;
    if (typ !== 'queue') return null;
    const parsed = QueueTokenClaimsSchema.safeParse(claims);
    return parsed.success ? parsed.data : null;
  }

  #mac(input: string): string {
    return createHmac('sha256', this.#secret).update(input).digest('base64url');
  }
}

function sameText(given: string, expected: string): boolean {
  const a = Buffer.from(given, 'utf8');
  const b = Buffer.from(expected, 'utf8');
  return a.length === b.length && timingSafeEqual(a, b);
}

function decodeJson(segment: string): unknown {
  try {
    return JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
}

function checkClaims(claims: QueueClaims, eventId: string, nowMs: number): VerifyResult {
  if (claims.evt !== eventId) return { ok: false, reason: 'TOKEN_INVALID' };
  if (claims.exp * 1000 <= nowMs) return { ok: false, reason: 'TOKEN_EXPIRED' };
  return { ok: true, claims };
}

/** `Authorization: Bearer <token>` -> the token, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}
