import { timingSafeEqual } from 'node:crypto';

/** True when the request carries `Authorization: Bearer <OPS_TOKEN>`; compared in constant time. */
export function hasOpsToken(authorization: string | null, expected: string | undefined): boolean {
  if (!expected || !authorization?.startsWith('Bearer ')) return false;
  const given = Buffer.from(authorization.slice('Bearer '.length));
  const wanted = Buffer.from(expected);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}
