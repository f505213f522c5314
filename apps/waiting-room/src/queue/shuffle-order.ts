import { createHash, createHmac, randomBytes } from 'node:crypto';

/**
 * The verifiable pre-queue shuffle. Before opening the event publishes `commitment = SHA-256(seed)`;
 * after the shuffle it reveals `seed`. The order is defined as: pre-queue entry ids sorted ascending by
 * HMAC-SHA256(key = seed bytes, message = entry id in UTF-8), compared as hex strings (ties, which
 * never happen in practice, by entry id). Place 1 is the first of that order. Because the seed is
 * fixed before anyone joins and the pre-queue is frozen before the seed is revealed, nobody (including
 * us) can steer a fan's place; HMAC as a pseudorandom function makes every order equally likely.
 */
export function newShuffleSeed(): string {
  return randomBytes(32).toString('hex');
}

export function shuffleCommitment(seedHex: string): string {
  return createHash('sha256').update(Buffer.from(seedHex, 'hex')).digest('hex');
}

export function shuffleKey(seed: Buffer, entryId: string): string {
  return createHmac('sha256', seed).update(entryId, 'utf8').digest('hex');
}

/** Indices of `entryIds` in shuffled order (index 0 gets place 1). */
export function shuffleOrder(seedHex: string, entryIds: readonly string[]): number[] {
  const seed = Buffer.from(seedHex, 'hex');
  const keys = entryIds.map((id) => shuffleKey(seed, id));
  const order = entryIds.map((_, index) => index);
  order.sort((a, b) => {
    const ka = keys[a] ?? '';
    const kb = keys[b] ?? '';
    if (ka !== kb) return ka < kb ? -1 : 1;
    const ia = entryIds[a] ?? '';
    const ib = entryIds[b] ?? '';
    return ia < ib ? -1 : ia > ib ? 1 : 0;
  });
  return order;
}
