/**
 * The join challenge (proof of work) of the public contract: a join carries `{ challenge, nonce }`
 * where the first `bits` bits of SHA-256 of the UTF-8 string `${challenge}.${nonce}` are zero.
 *
 * Pure code shared by the server, the fan page (Web Worker), the simulator and k6: no imports, no
 * platform API. Each caller brings its own SHA-256 (node:crypto, crypto.subtle, k6/crypto), so this
 * module loads unchanged in Node, a browser and k6's goja.
 */

/** The most bits an event may ask for (the contract's bound on `joinChallengeBits`). */
export const MAX_CHALLENGE_BITS = 32;

/** The string whose SHA-256 a solution is judged by. */
export function challengeInput(challenge: string, nonce: string): string {
  return `${challenge}.${nonce}`;
}

/** Number of zero bits before the first one bit (8 × length for an all-zero string). */
export function leadingZeroBits(bytes: Uint8Array): number {
  let zeros = 0;
  for (const byte of bytes) {
    if (byte === 0) {
      zeros += 8;
      continue;
    }
    // Math.clz32 counts within 32 bits; a byte occupies the low 8 of them.
    return zeros + Math.clz32(byte) - 24;
  }
  return zeros;
}

/** Whether a digest starts with at least `bits` zero bits. Looks at no more bytes than it must. */
export function meetsDifficulty(digest: Uint8Array, bits: number): boolean {
  if (bits <= 0) return true;
  const whole = Math.floor(bits / 8);
  if (digest.length * 8 < bits) return false;
  for (let i = 0; i < whole; i += 1) if (digest[i] !== 0) return false;
  const rest = bits % 8;
  if (rest === 0) return true;
  return (digest[whole] ?? 0xff) >> (8 - rest) === 0;
}

/** Hashes a solver tries on average: each attempt succeeds with probability 2^-bits. */
export function expectedAttempts(bits: number): number {
  return 2 ** bits;
}

export interface Solution {
  nonce: string;
  /** Hashes computed to find it, the solution's included. */
  attempts: number;
}

export interface SolveOptions {
  /** First nonce tried; solvers that split the work start at different points. */
  start?: number;
  /** Give up (null) after this many attempts; unbounded by default. */
  maxAttempts?: number;
}

/** Counts nonces up from `start` (decimal strings) until one meets the difficulty. */
export function solveChallenge(
  challenge: string,
  bits: number,
  sha256: (input: string) => Uint8Array,
  options: SolveOptions = {},
): Solution | null {
  const start = options.start ?? 0;
  const max = options.maxAttempts ?? Number.POSITIVE_INFINITY;
  for (let attempts = 1; attempts <= max; attempts += 1) {
    const nonce = String(start + attempts - 1);
    if (meetsDifficulty(sha256(challengeInput(challenge, nonce)), bits)) return { nonce, attempts };
  }
  return null;
}

export interface AsyncSolveOptions extends SolveOptions {
  /**
   * Digests in flight at once. An asynchronous digest (crypto.subtle) costs a round trip into the
   * browser's crypto thread; overlapping a batch hides most of it.
   */
  batch?: number;
  /** Called after every batch with the attempts so far (for a progress display). */
  onProgress?: (attempts: number) => void;
  /** Stops the search (null) once aborted; an AbortSignal fits, typed structurally for k6. */
  signal?: { readonly aborted: boolean };
}

/** The same search for an asynchronous SHA-256; the answer is the lowest solving nonce, as above. */
export async function solveChallengeAsync(
  challenge: string,
  bits: number,
  sha256: (input: string) => Promise<Uint8Array>,
  options: AsyncSolveOptions = {},
): Promise<Solution | null> {
  const start = options.start ?? 0;
  const max = options.maxAttempts ?? Number.POSITIVE_INFINITY;
  const batch = Math.max(1, options.batch ?? 64);
  let tried = 0;
  while (tried < max) {
    if (options.signal?.aborted) return null;
    const size = Math.min(batch, max - tried);
    const nonces = Array.from({ length: size }, (_, i) => String(start + tried + i));
    const digests = await Promise.all(
      nonces.map((nonce) => sha256(challengeInput(challenge, nonce))),
    );
    for (let i = 0; i < size; i += 1) {
      const digest = digests[i];
      const nonce = nonces[i];
      if (digest && nonce !== undefined && meetsDifficulty(digest, bits)) {
        return { nonce, attempts: tried + i + 1 };
      }
    }
    tried += size;
    options.onProgress?.(tried);
  }
  return null;
}
