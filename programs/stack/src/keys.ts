import { randomBytes, randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair } from 'jose';

/**
 * Fresh local secrets: the waiting room's ES256 admission keys (current + next), queue MAC key and
 * ops token, and checkout's receipt key (RECEIPT_SECRET, for checkout alone).
 */
export async function generateSecrets() {
  const keys = [];
  for (let i = 0; i < 2; i++) {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true });
    keys.push({
      ...(await exportJWK(privateKey)),
      kid: `local-${randomUUID().slice(0, 8)}`,
      alg: 'ES256',
      use: 'sig',
    });
  }
  return {
    ADMISSION_PRIVATE_JWKS: JSON.stringify({ keys }),
    QUEUE_TOKEN_SECRET: randomBytes(32).toString('base64url'),
    OPS_TOKEN: `ops_${randomBytes(18).toString('base64url')}`,
    RECEIPT_SECRET: randomBytes(32).toString('base64url'),
  };
}
