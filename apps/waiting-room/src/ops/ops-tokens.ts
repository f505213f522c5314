import { createHash, timingSafeEqual } from 'node:crypto';
import { OpsActorSchema } from '@frequency/contracts';

export interface NamedToken {
  name: string;
  token: string;
}

/** The name `OPS_TOKEN` goes by in the audit trail. */
export const DEFAULT_OPS_TOKEN_NAME = 'ops';
const MIN_TOKEN_LENGTH = 16;

/**
 * Parses `OPS_TOKENS` (`alice:token1,bob:token2`): names as the audit shows them, tokens of at least
 * 16 characters, no name or token twice. Throws with a message that never contains a token.
 */
export function parseOpsTokens(value: string | undefined): NamedToken[] {
  if (value === undefined || value.trim() === '') return [];
  const tokens = value.split(',').map((item, index) => {
    const at = item.indexOf(':');
    const name = item.slice(0, at).trim();
    const token = item.slice(at + 1).trim();
    if (at < 1 || !OpsActorSchema.safeParse(name).success) {
      throw new Error(
        `entry ${index + 1}: expected name:token with a name of a-z, 0-9, ".", "_", "-"`,
      );
    }
    if (token.length < MIN_TOKEN_LENGTH) {
      throw new Error(`${name}: the token must be at least ${MIN_TOKEN_LENGTH} characters`);
    }
    return { name, token };
  });
  const names = new Set(tokens.map((t) => t.name));
  if (names.size !== tokens.length) throw new Error('a name appears twice');
  if (new Set(tokens.map((t) => t.token)).size !== tokens.length) {
    throw new Error('a token appears twice');
  }
  return tokens;
}

/**
 * Who an ops bearer token belongs to. Tokens are compared as SHA-256 digests, so every comparison has
 * the same length and timingSafeEqual leaks neither a token's content nor its length, and every
 * known token is compared on every call, so the time does not tell which one matched.
 */
export class OpsTokens {
  private readonly entries: { name: string; digest: Buffer }[];

  constructor(tokens: readonly NamedToken[]) {
    if (tokens.length === 0) throw new Error('at least one ops token is needed');
    this.entries = tokens.map((t) => ({ name: t.name, digest: digest(t.token) }));
  }

  /** `OPS_TOKEN` as "ops", plus every named token of `OPS_TOKENS`. */
  static fromEnv(opsToken: string, opsTokens: string | undefined): OpsTokens {
    const named = parseOpsTokens(opsTokens);
    if (named.some((t) => t.name === DEFAULT_OPS_TOKEN_NAME)) {
      throw new Error(`OPS_TOKENS: "${DEFAULT_OPS_TOKEN_NAME}" is the name of OPS_TOKEN`);
    }
    if (named.some((t) => t.token === opsToken)) throw new Error('OPS_TOKENS repeats OPS_TOKEN');
    return new OpsTokens([{ name: DEFAULT_OPS_TOKEN_NAME, token: opsToken }, ...named]);
  }

  /** The token's name, or null for a missing or unknown token. */
  identify(token: string | null): string | null {
    const given = digest(token ?? '');
    let name: string | null = null;
    for (const entry of this.entries) {
      if (timingSafeEqual(given, entry.digest) && token !== null) name ??= entry.name;
    }
    return name;
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
