/** Messages between the page and the proof-of-work worker (pow.worker.ts). */
export interface SolveRequest {
  challenge: string;
  bits: number;
}

export type SolveAnswer =
  | { type: 'progress'; attempts: number }
  | { type: 'solved'; nonce: string; attempts: number; ms: number }
  | { type: 'failed'; message: string };

/**
 * Progress shown while solving, in percent. The number of hashes a solution takes is geometric with
 * mean 2^bits, so "attempts / expected" can pass 100 % on an unlucky run; the chance of having found
 * it by now, 1 − e^(−attempts / 2^bits), rises smoothly and never claims to be done before it is.
 */
export function challengeProgress(attempts: number, bits: number): number {
  if (bits <= 0) return 100;
  const share = 1 - Math.exp(-attempts / 2 ** bits);
  return Math.min(99, Math.floor(share * 100));
}
