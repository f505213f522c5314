import { createHmac, randomBytes } from 'node:crypto';
import {
  AppError,
  ReceiptTokenClaimsSchema,
  receiptTokenIssuer,
  receiptTokenType,
  type ReceiptTokenClaims,
} from '@frequency/contracts';
import { errors, jwtVerify } from 'jose';

export interface ReceiptTokensOptions {
  /** HMAC key (>= 32 characters); undefined draws a random one for this process only. */
  secret: string | undefined;
  /** The key before the last rotation, still accepted for verification. */
  previousSecret?: string | undefined;
  ttlSeconds: number;
  /** Receipts whose signature was checked, remembered until they expire (0 turns the cache off). */
  cacheSize?: number;
  /** Tolerated clock difference between checkout replicas when checking exp. */
  clockToleranceSeconds?: number;
  now?: () => number;
}

/** Receipts are small; anything far larger is not one and is not worth decoding. */
const maxTokenLength = 2_048;
const algorithm = 'HS256';
/** The protected header of every receipt, encoded once. */
const receiptHeader = Buffer.from(
  JSON.stringify({ alg: algorithm, typ: receiptTokenType }),
).toString('base64url');

/**
 * Receipt tokens: checkout's own read-only, long-lived token for one order (contract "Receipt
 * token"). HS256 rather than a key pair: the signer and the only verifier are the same service, so
 * nobody else needs a public key, and an HMAC check costs a fraction of a signature check on a path
 * that fans poll. The header is pinned (alg HS256, typ receipt+jwt): an admission token, a token
 * with alg "none" or any other algorithm is never taken for a receipt.
 *
 * A fan polls its order with the receipt until it is confirmed, so a verified receipt is
 * remembered until it expires (bounded, oldest out first): each poll then costs a map lookup.
 */
export class ReceiptTokens {
  private readonly keys: Uint8Array[];
  private readonly verified = new Map<string, ReceiptTokenClaims>();
  /** True when no RECEIPT_SECRET was given and this process drew its own. */
  readonly ephemeral: boolean;
  private readonly now: () => number;

  constructor(private readonly options: ReceiptTokensOptions) {
    this.ephemeral = options.secret === undefined;
    const encoder = new TextEncoder();
    const current = options.secret ?? randomBytes(32).toString('base64url');
    this.keys = [current, options.previousSecret]
      .filter((key): key is string => key !== undefined)
      .map((key) => encoder.encode(key));
    this.now = options.now ?? Date.now;
  }

  /**
   * A receipt for one order of one event, valid for the configured lifetime: a compact JWS (RFC
   * 7515) signed HS256 with node:crypto's HMAC on the calling thread. Every 202 carries one, and
   * jose's signing goes through WebCrypto, importing the key and hopping to the thread pool for
   * each token: 15 % of an order's main-thread CPU, profiled. What it writes is exactly
   * what jose writes; verification stays with jose (`verify`).
   */
  issue(orderId: string, eventId: string): Promise<string> {
    const [key] = this.keys;
    if (!key) return Promise.reject(new Error('no receipt key'));
    const iat = Math.floor(this.now() / 1000);
    const claims = {
      evt: eventId,
      iss: receiptTokenIssuer,
      sub: orderId,
      iat,
      exp: iat + this.options.ttlSeconds,
    };
    const signed = `${receiptHeader}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
    const signature = createHmac('sha256', key).update(signed).digest('base64url');
    return Promise.resolve(`${signed}.${signature}`);
  }

  /** The claims of a valid receipt, or a 401 AppError (TOKEN_EXPIRED, TOKEN_INVALID). */
  async verify(token: string): Promise<ReceiptTokenClaims> {
    const nowSeconds = Math.floor(this.now() / 1000);
    const tolerance = this.options.clockToleranceSeconds ?? 5;
    const known = this.verified.get(token);
    if (known) {
      if (known.exp > nowSeconds - tolerance) return known;
      this.verified.delete(token);
      throw expired();
    }
    if (token.length > maxTokenLength) throw invalid('not a receipt token');
    for (const key of this.keys) {
      try {
        const { payload } = await jwtVerify(token, key, {
          algorithms: [algorithm],
          typ: receiptTokenType,
          issuer: receiptTokenIssuer,
          requiredClaims: ['sub', 'exp', 'iat'],
          clockTolerance: tolerance,
          currentDate: new Date(this.now()),
        });
        const claims = ReceiptTokenClaimsSchema.safeParse(payload);
        if (!claims.success) throw invalid('not a receipt token');
        this.remember(token, claims.data);
        return claims.data;
      } catch (err) {
        if (err instanceof AppError) throw err;
        if (err instanceof errors.JWTExpired) throw expired();
        // A signature that does not match this key may match the one before the rotation.
        if (err instanceof errors.JWSSignatureVerificationFailed) continue;
        throw invalid('not a receipt token');
      }
    }
    throw invalid('bad signature');
  }

  private remember(token: string, claims: ReceiptTokenClaims): void {
    const capacity = this.options.cacheSize ?? 20_000;
    if (capacity <= 0) return;
    if (this.verified.size >= capacity) {
      // Maps iterate in insertion order: the first key is the oldest.
      const oldest = this.verified.keys().next();
      if (!oldest.done) this.verified.delete(oldest.value);
    }
    this.verified.set(token, claims);
  }
}

/**
 * Whether a bearer token says it is a receipt (its protected header's typ). Only a routing hint:
 * the receipt verifier then pins the header itself, and anything else goes to the admission
 * verifier, which takes ES256 admission tokens only.
 */
export function looksLikeReceipt(token: string): boolean {
  const dot = token.indexOf('.');
  if (dot <= 0 || dot > 512) return false;
  try {
    const header: unknown = JSON.parse(Buffer.from(token.slice(0, dot), 'base64url').toString());
    return (
      typeof header === 'object' &&
      header !== null &&
      'typ' in header &&
      header.typ === receiptTokenType
    );
  } catch {
    return false;
  }
}

function invalid(message: string): AppError {
  return new AppError('TOKEN_INVALID', message, {
    'www-authenticate': 'Bearer error="invalid_token"',
  });
}

function expired(): AppError {
  return new AppError('TOKEN_EXPIRED', 'the receipt has expired', {
    'www-authenticate': 'Bearer error="invalid_token"',
  });
}
