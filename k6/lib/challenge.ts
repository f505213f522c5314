// The join challenge (proof of work) as a fan's client plays it: read the challenge the waiting
// room issued, solve it with the platform's SHA-256, and learn from answers whether the event asks
// for one. No k6 imports: the script passes k6/crypto, the simulator and the tests node:crypto.
import { solveChallenge } from '@frequency/contracts/pow';

export interface IssuedChallenge {
  challenge: string;
  bits: number;
}

export interface ChallengeSolution {
  challenge: string;
  nonce: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isBits(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 32;
}

/** The 201 of POST /v1/events/{eventId}/challenge. */
export function readChallenge(body: unknown): IssuedChallenge | null {
  if (!isRecord(body)) return null;
  const { challenge, bits } = body;
  if (typeof challenge !== 'string' || challenge === '' || !isBits(bits)) return null;
  return { challenge, bits };
}

/** `joinChallengeBits` of GET /v1/events/{eventId}; null when the view does not carry it. */
export function readChallengeBits(body: unknown): number | null {
  if (!isRecord(body)) return null;
  return isBits(body['joinChallengeBits']) ? body['joinChallengeBits'] : null;
}

/** A join refused for want of a (valid) solution: the event asks for a challenge now. */
export function isChallengeFailed(status: number, body: unknown): boolean {
  if (status !== 403 || !isRecord(body) || !isRecord(body['error'])) return false;
  return body['error']['code'] === 'CHALLENGE_FAILED';
}

/** The join body for an issued challenge: 2^bits hashes on average, on the calling thread. */
export function solveJoinChallenge(
  issued: IssuedChallenge,
  sha256: (input: string) => Uint8Array,
): ChallengeSolution {
  const solution = solveChallenge(issued.challenge, issued.bits, sha256);
  // Unbounded search: it ends with a solution (each nonce succeeds with probability 2^-bits).
  return { challenge: issued.challenge, nonce: solution ? solution.nonce : '0' };
}

/**
 * What one client knows about the event's difficulty. It starts from the event view, follows every
 * challenge it is given, and a refused join switches it on, so a PATCH of the difficulty during the
 * run is followed within one join.
 */
export class ChallengeState {
  #bits: number;

  constructor(initialBits: number) {
    this.#bits = initialBits;
  }

  /** Whether the next join should ask for a challenge first. */
  get needed(): boolean {
    return this.#bits > 0;
  }

  sawEvent(body: unknown): void {
    const bits = readChallengeBits(body);
    if (bits !== null) this.#bits = bits;
  }

  sawChallenge(issued: IssuedChallenge): void {
    this.#bits = issued.bits;
  }

  sawJoin(status: number, body: unknown): void {
    if (isChallengeFailed(status, body)) this.#bits = Math.max(this.#bits, 1);
  }
}
