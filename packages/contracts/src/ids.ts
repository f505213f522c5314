import { randomBytes } from 'node:crypto';
import { z } from 'zod';

/**
 * Ids are random and carry a prefix that tells what they are. Random (not sequential) keys spread
 * writes across Spanner splits and cannot be guessed on the web. 16 bytes = 128 bits of randomness,
 * encoded base64url (22 chars).
 */
export const idPrefixes = {
  order: 'ord',
  ticket: 'tkt',
  queueEntry: 'q',
  admission: 'adm',
} as const;
export type IdKind = keyof typeof idPrefixes;

export function newId(kind: IdKind): string {
  return `${idPrefixes[kind]}_${randomBytes(16).toString('base64url')}`;
}

/** A ticket code printed on the ticket and in its QR code: 160 random bits, unambiguous alphabet. */
const codeAlphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32
export function newTicketCode(): string {
  const bytes = randomBytes(20);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += codeAlphabet.charAt((value >>> (bits - 5)) & 31);
      bits -= 5;
    }
  }
  // 160 bits -> 32 symbols, shown in groups of four.
  return out.match(/.{4}/g)?.join('-') ?? out;
}

const idBody = '[A-Za-z0-9_-]{22}';
export const OrderIdSchema = z.string().regex(new RegExp(`^ord_${idBody}$`), 'not an order id');
export const TicketIdSchema = z.string().regex(new RegExp(`^tkt_${idBody}$`), 'not a ticket id');
export const QueueEntryIdSchema = z.string().regex(new RegExp(`^q_${idBody}$`), 'not a queue entry id');
export const AdmissionIdSchema = z.string().regex(new RegExp(`^adm_${idBody}$`), 'not an admission id');
export const TicketCodeSchema = z.string().regex(/^([0-9A-HJKMNP-TV-Z]{4}-){7}[0-9A-HJKMNP-TV-Z]{4}$/);
