/**
 * Bytes as a peer writes them, for tests that play a stranger's handset or gateway: written here
 * from WAP-230-WSP's rules, independently of `@openmmsc/codec`'s writer, so that the codec's own
 * encoder is never on the sending side of a test.
 */

/** Hex, with any white space between the octets: `'8c 80'` → `<8c 80>`. */
export const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** A WSP Text-string: the text (latin1) and its terminating NUL. */
export const textz = (s: string): Buffer => Buffer.from(`${s}\0`, 'latin1');

/** A WSP uintvar: 7 bits per octet, most significant first, the continuation bit on all but the last. */
export function uintvar(v: number): Buffer {
  const out = [v & 0x7f];
  for (v = Math.floor(v / 128); v > 0; v = Math.floor(v / 128)) out.unshift((v & 0x7f) | 0x80);
  return Buffer.from(out);
}
