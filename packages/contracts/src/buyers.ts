import { createHash } from 'node:crypto';
import { z } from 'zod';

/**
 * Characters a buyer name or e-mail never needs and that would reach tickets, e-mails, ops screens
 * and the ledger unseen: C0 and C1 controls (NUL included), DEL, the line and paragraph separators
 * (they end a line in JavaScript and some log viewers), and every bidi control (embeddings,
 * overrides, isolates and the directional marks), which can make a name display as something else.
 */
const forbiddenCharacters =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069]/u;

/** A buyer text field: no forbidden characters, in NFC (so one name has one spelling), bounded. */
function buyerText(maxLength: number) {
  return z
    .string()
    .trim()
    .max(maxLength)
    .refine((value) => !forbiddenCharacters.test(value), 'must not contain control characters')
    .refine((value) => value.normalize('NFC') === value, 'must be in Unicode normal form NFC');
}

export const BuyerNameSchema = buyerText(200)
  .pipe(z.string().min(1))
  .describe('1-200 characters after trimming, in NFC, without control or bidi characters');
// RFC 5321 bounds a path at 256 octets; 320 is the local part (64) + "@" + the domain (255).
export const BuyerEmailSchema = buyerText(320)
  .pipe(z.email())
  .describe('An e-mail address, at most 320 characters, in NFC, without control characters');

/**
 * The one spelling of a buyer for the per-buyer cap: trimmed, lower-cased, and without a `+tag` in
 * the local part, so `Foo+x@Example.com ` and `foo@example.com` are one buyer.
 */
export function normaliseBuyerEmail(email: string): string {
  const lowered = email.trim().toLowerCase();
  const at = lowered.lastIndexOf('@');
  if (at < 0) return lowered;
  const local = lowered.slice(0, at);
  const plus = local.indexOf('+');
  return plus < 0 ? lowered : `${local.slice(0, plus)}${lowered.slice(at)}`;
}

/**
 * The field of a buyer in an event's `buyers` hash: a SHA-256 of the normalised address, so Redis
 * (its dumps, its MONITOR, whoever reads it) holds no e-mail address in clear.
 */
export function buyerCapField(email: string): string {
  return createHash('sha256').update(normaliseBuyerEmail(email)).digest('base64url');
}
