import { randomFillSync } from 'node:crypto';

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

// Filled 4 KB at a time: one call into the CSPRNG costs microseconds whatever its size, and ids
// are made per message (Node's randomUUID keeps a cache of its random bytes the same way).
const pool = Buffer.alloc(4096);
let used = pool.length;

/** `n` bytes from the CSPRNG, each handed out once. */
function randomBytes(n: number): Buffer {
  if (n > pool.length) return randomFillSync(Buffer.alloc(n));
  if (used + n > pool.length) {
    randomFillSync(pool);
    used = 0;
  }
  const out = Buffer.from(pool.subarray(used, used + n));
  used += n;
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
