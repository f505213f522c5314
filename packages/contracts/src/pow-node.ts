import { createHash } from 'node:crypto';
import { solveChallenge, type Solution, type SolveOptions } from './pow.js';

/** SHA-256 of a string's UTF-8 bytes, as the contract defines the challenge input. */
export function sha256Utf8(input: string): Uint8Array {
  return createHash('sha256').update(input, 'utf8').digest();
}

/** Solves a join challenge on this thread with node:crypto (simulator, tests, benchmarks). */
export function solveChallengeNode(
  challenge: string,
  bits: number,
  options: SolveOptions = {},
): Solution | null {
  return solveChallenge(challenge, bits, sha256Utf8, options);
}
