// Prints fresh values for the apps' secrets (the waiting room's and checkout's receipt key), one
// `NAME=value` line each.
//
//   pnpm exec tsx infra/scripts/generate-secrets.ts > .env          # local stack
//   pnpm exec tsx infra/scripts/generate-secrets.ts --only OPS_TOKEN  # one raw value, for
//     | gcloud secrets versions add ops-token --data-file=-            # Secret Manager
//
// Keys are made here, on the operator's machine, and go straight to Secret Manager:
// Terraform creates the secrets but never their values, so no private key sits in state.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { pathToFileURL } from 'node:url';

export const SECRET_NAMES = [
  'OPS_TOKEN',
  'QUEUE_TOKEN_SECRET',
  'ADMISSION_PRIVATE_JWKS',
  'RECEIPT_SECRET',
] as const;
export type SecretName = (typeof SECRET_NAMES)[number];

export interface PrivateJwk {
  kty: string;
  crv: string;
  x: string;
  y: string;
  d: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
}

function token(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

function es256Jwk(): PrivateJwk {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = privateKey.export({ format: 'jwk' });
  if (jwk.kty === undefined || jwk.crv === undefined || jwk.x === undefined) {
    throw new Error('node:crypto returned an incomplete EC key');
  }
  if (jwk.y === undefined || jwk.d === undefined) {
    throw new Error('node:crypto returned an incomplete EC key');
  }
  // A random kid, not a counter: checkout picks the verification key by kid during rotation.
  const kid = `adm_${token(9)}`;
  return {
    kty: jwk.kty,
    crv: jwk.crv,
    x: jwk.x,
    y: jwk.y,
    d: jwk.d,
    kid,
    alg: 'ES256',
    use: 'sig',
  };
}

export function generateSecrets(): Record<SecretName, string> {
  return {
    // 32 random bytes = 43 base64url characters; QUEUE_TOKEN_SECRET must be at least 32.
    OPS_TOKEN: token(32),
    QUEUE_TOKEN_SECRET: token(32),
    // [current, next]: the waiting room signs with the first and publishes both in its JWKS,
    // so the next key is already trusted by checkout when a rotation promotes it.
    ADMISSION_PRIVATE_JWKS: JSON.stringify({ keys: [es256Jwk(), es256Jwk()] }),
    // Checkout's HMAC key of receipt tokens (at least 32 characters).
    RECEIPT_SECRET: token(32),
  };
}

function isSecretName(value: string): value is SecretName {
  return (SECRET_NAMES as readonly string[]).includes(value);
}

function main(argv: readonly string[]): void {
  const secrets = generateSecrets();
  const onlyAt = argv.indexOf('--only');
  if (onlyAt >= 0) {
    const name = argv[onlyAt + 1] ?? '';
    if (!isSecretName(name)) {
      throw new Error(`--only takes one of ${SECRET_NAMES.join(', ')}`);
    }
    process.stdout.write(secrets[name]);
    return;
  }
  for (const name of SECRET_NAMES) process.stdout.write(`${name}=${secrets[name]}\n`);
}

const entry = process.argv[1];
if (entry !== undefined && import.meta.url === pathToFileURL(entry).href) {
  main(process.argv.slice(2));
}
