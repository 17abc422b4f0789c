import { randomBytes } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32 in lower case, without padding: URL- and filename-safe, and in every SMS alphabet. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = ((value << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}

/** Unguessable, URL- and filename-safe id (base32, `bytes` × 8 bits of entropy). */
export function randomId(bytes = 16): string {
  return base32(randomBytes(bytes));
}

/**
 * A message id: 5 bytes of the time in milliseconds (modulo 2^40: it wraps every 34.8 years, and
 * only locality depends on it), then `random` unguessable bytes, in base32.
 * Ids made close in time share their first characters, so a store's B-tree (SQLite, PostgreSQL)
 * inserts the records of one burst into a few neighbouring pages, not one random page each: a
 * commit writes those few pages, not one per record. The time prefix tells what the Date header
 * tells anyway; the 80 random bits keep the id unguessable.
 */
export function timeOrderedId(random = 10, now = Date.now()): string {
  const bytes = randomBytes(5 + random);
  let t = now;
  for (let i = 4; i >= 0; i--) {
    bytes[i] = t % 256;
    t = Math.floor(t / 256);
  }
  return base32(bytes);
}
