import { randomFillSync } from 'node:crypto';
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

/**
 * Random bytes are drawn from the CSPRNG 4 KiB at a time and handed out once each, as Node does for
 * randomUUID: one call into OpenSSL per ~200 ids instead of one per id, which costs ~4 µs each on
 * a busy checkout (five per order).
 */
const pool = Buffer.alloc(4_096);
let poolOffset = pool.length;

/** The offset of `size` fresh random bytes in `pool`, valid until the next call. */
function takeRandom(size: number): number {
  if (poolOffset + size > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const offset = poolOffset;
  poolOffset += size;
  return offset;
}

export function newId(kind: IdKind): string {
  const offset = takeRandom(16);
  return `${idPrefixes[kind]}_${pool.toString('base64url', offset, offset + 16)}`;
}

/** A ticket code printed on the ticket and in its QR code: 160 random bits, unambiguous alphabet. */
const codeAlphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ'; // Crockford base32
export function newTicketCode(): string {
  const offset = takeRandom(20);
  let bits = 0;
  let value = 0;
  let out = '';
  let symbols = 0;
  for (let i = offset; i < offset + 20; i += 1) {
    value = ((value << 8) | (pool[i] ?? 0)) & 0xfff;
    bits += 8;
    while (bits >= 5) {
      // 160 bits -> 32 symbols, shown in groups of four.
      if (symbols > 0 && symbols % 4 === 0) out += '-';
      out += codeAlphabet.charAt((value >>> (bits - 5)) & 31);
      bits -= 5;
      symbols += 1;
    }
  }
  return out;
}

const idBody = '[A-Za-z0-9_-]{22}';
export const OrderIdSchema = z.string().regex(new RegExp(`^ord_${idBody}$`), 'not an order id');
export const TicketIdSchema = z.string().regex(new RegExp(`^tkt_${idBody}$`), 'not a ticket id');
export const QueueEntryIdSchema = z
  .string()
  .regex(new RegExp(`^q_${idBody}$`), 'not a queue entry id');
export const AdmissionIdSchema = z
  .string()
  .regex(new RegExp(`^adm_${idBody}$`), 'not an admission id');
export const TicketCodeSchema = z
  .string()
  .regex(/^([0-9A-HJKMNP-TV-Z]{4}-){7}[0-9A-HJKMNP-TV-Z]{4}$/);
