import {
  admissionTokenAudience,
  admissionTokenIssuer,
  type AdmissionTokenClaims,
} from '@frequency/contracts';
import {
  calculateJwkThumbprint,
  exportJWK,
  generateKeyPair,
  importJWK,
  SignJWT,
  type CryptoKey,
  type JWK,
} from 'jose';
import { z } from 'zod';

/**
 * Admission tokens: ES256 JWTs that checkout verifies through /.well-known/jwks.json, so checkout
 * never holds a signing key.
 *
 * ADMISSION_PRIVATE_JWKS is `{ "keys": [current, next, ...previous] }`: the first key signs, every key
 * is published. Publishing `next` before it signs lets checkouts cache it ahead of the switch; keeping
 * the previous key published for one checkout window after the switch keeps tokens in flight valid.
 * See README.md, "Rotating the admission keys".
 */
const PrivateJwkSchema = z.looseObject({
  kty: z.literal('EC'),
  crv: z.literal('P-256'),
  x: z.string().min(1),
  y: z.string().min(1),
  d: z.string().min(1),
  kid: z.string().min(1).max(200),
});
const PrivateJwksSchema = z.object({ keys: z.array(PrivateJwkSchema).min(1).max(10) });

export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

export class AdmissionTokenSigner {
  private constructor(
    private readonly signingKey: CryptoKey,
    readonly kid: string,
    readonly jwks: { keys: PublicJwk[] },
  ) {}

  static async fromJwks(json: string): Promise<AdmissionTokenSigner> {
    const parsed = PrivateJwksSchema.safeParse(JSON.parse(json));
    if (!parsed.success) {
      throw new Error(
        `ADMISSION_PRIVATE_JWKS is not a set of private P-256 JWKs: ${parsed.error.message}`,
      );
    }
    const kids = new Set(parsed.data.keys.map((key) => key.kid));
    if (kids.size !== parsed.data.keys.length)
      throw new Error('ADMISSION_PRIVATE_JWKS repeats a kid');
    const [current] = parsed.data.keys;
    if (!current) throw new Error('ADMISSION_PRIVATE_JWKS has no key');
    const signingKey = await importJWK({ ...current, alg: 'ES256' }, 'ES256');
    if (signingKey instanceof Uint8Array) throw new Error('the admission key is not an EC key');
    const keys = parsed.data.keys.map(({ kty, crv, x, y, kid }): PublicJwk => ({
      kty,
      crv,
      x,
      y,
      kid,
      alg: 'ES256',
      use: 'sig',
    }));
    return new AdmissionTokenSigner(signingKey, current.kid, { keys });
  }

  /** Claims are fixed by the stored admission, so repeated polls get equivalent tokens. */
  sign(claims: Pick<AdmissionTokenClaims, 'evt' | 'sub' | 'jti' | 'iat' | 'exp'>): Promise<string> {
    return new SignJWT({ typ: 'admission', evt: claims.evt })
      .setProtectedHeader({ alg: 'ES256', kid: this.kid, typ: 'JWT' })
      .setIssuer(admissionTokenIssuer)
      .setAudience(admissionTokenAudience)
      .setSubject(claims.sub)
      .setJti(claims.jti)
      .setIssuedAt(claims.iat)
      .setExpirationTime(claims.exp)
      .sign(this.signingKey);
  }
}

/** A fresh private P-256 JWK with its RFC 7638 thumbprint as kid. */
export async function generateAdmissionKey(): Promise<JWK & { kid: string }> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { ...jwk, kid, alg: 'ES256', use: 'sig' };
}
