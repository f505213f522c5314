import { z } from 'zod';

/**
 * Reply parsers shared by the waiting room's scripts. Each throws on a reply it does not expect, so
 * a script and its callers cannot drift apart silently.
 */

/** A script answering an outcome and one number (a place, a wait in ms), as `{ outcome, value }`. */
export function outcomeReply<const O extends readonly [string, ...string[]]>(outcomes: O) {
  const schema = z.tuple([z.enum(outcomes), z.number()]);
  return (raw: unknown) => {
    const [outcome, value] = schema.parse(raw);
    return { outcome, value };
  };
}

/** A script answering one of a closed list of words. */
export function wordReply<const O extends readonly [string, ...string[]]>(words: O) {
  const schema = z.enum(words);
  return (raw: unknown) => schema.parse(raw);
}

const integer = z.number().int();

export const numberReply = (raw: unknown): number => integer.parse(raw);

/** 1 or 0 (a Lua true comes back as 1 too). */
export const flagReply = (raw: unknown): boolean =>
  z.union([z.literal(0), z.literal(1)]).parse(raw) === 1;

/** A string, or null for a Lua false or nil. */
export const optionalStringReply = (raw: unknown): string | null =>
  z.string().nullable().parse(raw);
