import { createHmac, timingSafeEqual } from 'node:crypto';
import type { QueueTokenClaims } from '@frequency/contracts';

/**
 * The queue token: `base64url(JSON claims).base64url(HMAC-SHA256(secret, first part))`.
 * Only this service issues and checks it, so a symmetric MAC is enough, and node:crypto's HMAC costs a
 * few microseconds where a JWT library costs tens: every status poll checks one. Besides the contract's
 * claims it carries the fan's place (`seq`) or pre-queue arrival number (`pre`), which is what lets a
 * poll answer from memory without asking Redis.
 */
export type QueueClaims = QueueTokenClaims & ({ seq: number } | { pre: number });

export type TokenFailure = 'TOKEN_INVALID' | 'TOKEN_EXPIRED';
export type VerifyResult = { ok: true; claims: QueueClaims } | { ok: false; reason: TokenFailure };

/** Verified tokens kept to skip the MAC on repeated polls; bounded (about 30 MB at most). */
const VERIFIED_CACHE_SIZE = 100_000;

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
    const full = {
      typ: 'queue',
      ...claims,
      exp: claims.exp ?? Math.floor(nowMs / 1000) + this.ttlSeconds,
    };
    const payload = Buffer.from(JSON.stringify(full), 'utf8').toString('base64url');
    return `${payload}.${this.#mac(payload).toString('base64url')}`;
  }

  /** Checks the MAC first (constant time), then the claims; a token for another event is invalid. */
  verify(token: string, eventId: string, nowMs = Date.now()): VerifyResult {
    const cached = this.#verified.get(token);
    if (cached) return checkClaims(cached, eventId, nowMs);
    const dot = token.indexOf('.');
    if (dot <= 0 || dot !== token.lastIndexOf('.') || token.length > 1024) {
      return { ok: false, reason: 'TOKEN_INVALID' };
    }
    const payload = token.slice(0, dot);
    const given = Buffer.from(token.slice(dot + 1), 'base64url');
    const expected = this.#mac(payload);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { ok: false, reason: 'TOKEN_INVALID' };
    }
    const claims = parseClaims(payload);
    if (!claims) return { ok: false, reason: 'TOKEN_INVALID' };
    if (this.#verified.size >= VERIFIED_CACHE_SIZE) this.#verified.clear();
    this.#verified.set(token, claims);
    return checkClaims(claims, eventId, nowMs);
  }

  #mac(payload: string): Buffer {
    return createHmac('sha256', this.#secret).update(payload).digest();
  }
}

function checkClaims(claims: QueueClaims, eventId: string, nowMs: number): VerifyResult {
  if (claims.evt !== eventId) return { ok: false, reason: 'TOKEN_INVALID' };
  if (claims.exp * 1000 <= nowMs) return { ok: false, reason: 'TOKEN_EXPIRED' };
  return { ok: true, claims };
}

function parseClaims(payload: string): QueueClaims | null {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  // The MAC already proved we issued these claims; this is a cheap shape check, not zod, because it
  // runs on every poll.
  if (typeof raw !== 'object' || raw === null) return null;
  const { typ, evt, sub, exp } = raw as Record<string, unknown>;
  if (typ !== 'queue' || typeof evt !== 'string' || typeof sub !== 'string') return null;
  if (!sub.startsWith('q_') || typeof exp !== 'number' || !Number.isSafeInteger(exp)) return null;
  const claims = { typ, evt, sub, exp } satisfies QueueTokenClaims;
  const seq = 'seq' in raw ? raw.seq : undefined;
  const pre = 'pre' in raw ? raw.pre : undefined;
  if (isPlace(seq)) return { ...claims, seq };
  if (isPlace(pre)) return { ...claims, pre };
  return null;
}

function isPlace(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 1;
}

/** `Authorization: Bearer <token>` -> the token, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return match?.[1] ?? null;
}
