import type { Cursor } from '../wsp/cursor.js';
import { warn } from '../wsp/multipart.js';
import { charsetName } from '../wsp/charsets.js';
import { charsetUnit, readCharsetText } from '../wsp/charset-text.js';
import type { DecodeContext } from './decode-context.js';
import type { EncodedAddress, EncodedString } from './types.js';

/** Encoded-string-value = Text-string | Value-length Char-set Text-string. */
export function encodedString(c: Cursor, ctx?: DecodeContext): EncodedString {
  const b = c.peek();
  if (b === 0 || b >= 0x20) return { text: c.textString() };
  const len = c.valueLength();
  const end = c.pos + len;
  if (len === 0) return { text: '' };
  const saveEnd = c.end;
  c.end = end;
  let mib: number;
  const cb = c.peek();
  if (cb === 0x80) {
    c.pos++;
    mib = 0;
  } else if (cb & 0x80 || cb < 0x20) {
    mib = c.integerValue();
  } else {
    // Lenient: no charset, just text inside a value-length.
    mib = 106;
  }
  c.end = saveEnd;
  let s = c.pos;
  let e = end;
  const unit = charsetUnit(mib);
  if (e > s && c.buf[e - 1] === 0) e--;
  if (unit > 1) {
    // The NUL terminator may be written as a whole code unit.
    while ((e - s) % unit !== 0 && c.buf[e - 1] === 0) e--;
  } else {
    if (c.buf[s] === 0x7f) s++;
    // The text ends at its NUL; anything after it inside the value-length is padding.
    const z = c.buf.indexOf(0, s);
    if (z >= 0 && z < e) e = z;
  }
  c.pos = end;
  // A UTF-8 byte-order mark some handsets put in front is not part of the text.
  if (mib === 106 && e - s >= 3 && c.buf[s] === 0xef && c.buf[s + 1] === 0xbb && c.buf[s + 2] === 0xbf) s += 3;
  const r = readCharsetText(c.buf, s, e, mib);
  if (ctx && r.problem !== undefined) {
    if (ctx.strict && r.deviation) c.fail('invalid-value', `${r.problem} (declared ${charsetName(mib)})`, s);
    warn(ctx, s, r.problem);
  }
  return { text: r.text, charset: r.charset };
}

function splitAddress(s: EncodedString): EncodedAddress {
  const t = s.text;
  // Find "/TYPE=" (or "/type=") scanning back from the end: the type token is short.
  let i = -1;
  for (let j = t.length - 6, stop = Math.max(0, t.length - 40); j >= stop; j--) {
    if (t.charCodeAt(j) === 0x2f && (t.charCodeAt(j + 5) === 0x3d) && (t.charCodeAt(j + 1) | 0x20) === 0x74 &&
      (t.charCodeAt(j + 2) | 0x20) === 0x79 && (t.charCodeAt(j + 3) | 0x20) === 0x70 && (t.charCodeAt(j + 4) | 0x20) === 0x65) {
      const upper = t.charCodeAt(j + 1) === 0x54;
      if (upper ? t.startsWith('/TYPE=', j) : t.startsWith('/type=', j)) {
        i = j;
        break;
      }
    }
  }
  const a: EncodedAddress = i >= 0 ? { address: t.slice(0, i), type: addressType(t, i + 6) } : { address: t };
  if (s.charset !== undefined) a.charset = s.charset;
  return a;
}

/** The type token after /TYPE=, without allocating for the common ones. */
function addressType(t: string, from: number): string {
  const n = t.length - from;
  if (n === 4 && t.endsWith('PLMN')) return 'PLMN';
  if (n === 4 && t.endsWith('IPv4')) return 'IPv4';
  if (n === 4 && t.endsWith('IPv6')) return 'IPv6';
  return t.slice(from);
}

export function address(c: Cursor, ctx?: DecodeContext): EncodedAddress {
  return splitAddress(encodedString(c, ctx));
}
