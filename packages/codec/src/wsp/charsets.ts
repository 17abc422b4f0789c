import { TextDecoder } from 'node:util';
import { WspEncodeError } from '../errors.js';
import { decodeText } from './text.js';

/**
 * Character sets by IANA MIBenum (the Well-known-charset values of WSP), and text conversion.
 * Decoding uses the platform's TextDecoder (Node 20 ships full ICU). Encoding to legacy multi-byte
 * sets (Shift_JIS, GBK, GB2312, Big5, EUC-KR, ...) uses a reverse table built once, lazily, from the
 * same decoder, so there is no runtime dependency.
 */
export const CHARSETS: ReadonlyMap<number, string> = new Map([
  [0, '*'],
  [3, 'us-ascii'],
  [4, 'iso-8859-1'],
  [5, 'iso-8859-2'],
  [6, 'iso-8859-3'],
  [7, 'iso-8859-4'],
  [8, 'iso-8859-5'],
  [9, 'iso-8859-6'],
  [10, 'iso-8859-7'],
  [11, 'iso-8859-8'],
  [12, 'iso-8859-9'],
  [13, 'iso-8859-10'],
  [17, 'shift_jis'],
  [18, 'euc-jp'],
  [36, 'ks_c_5601-1987'],
  [37, 'iso-2022-kr'],
  [38, 'euc-kr'],
  [39, 'iso-2022-jp'],
  [40, 'iso-2022-jp-2'],
  [81, 'iso-8859-6-e'],
  [82, 'iso-8859-6-i'],
  [84, 'iso-8859-8-e'],
  [85, 'iso-8859-8-i'],
  [106, 'utf-8'],
  [109, 'iso-8859-13'],
  [110, 'iso-8859-14'],
  [111, 'iso-8859-15'],
  [112, 'iso-8859-16'],
  [113, 'gbk'],
  [114, 'gb18030'],
  [1000, 'iso-10646-ucs-2'],
  [1001, 'iso-10646-ucs-4'],
  [1012, 'utf-7'],
  [1013, 'utf-16be'],
  [1014, 'utf-16le'],
  [1015, 'utf-16'],
  [1017, 'utf-32'],
  [1018, 'utf-32be'],
  [1019, 'utf-32le'],
  [2025, 'gb2312'],
  [2026, 'big5'],
  [2084, 'koi8-r'],
  [2088, 'koi8-u'],
  [2101, 'big5-hkscs'],
  [2250, 'windows-1250'],
  [2251, 'windows-1251'],
  [2252, 'windows-1252'],
  [2253, 'windows-1253'],
  [2254, 'windows-1254'],
  [2255, 'windows-1255'],
  [2256, 'windows-1256'],
  [2257, 'windows-1257'],
  [2258, 'windows-1258'],
  [2259, 'tis-620'],
]);

const ALIASES: Record<string, string> = {
  ascii: 'us-ascii',
  'iso_8859-1': 'iso-8859-1',
  latin1: 'iso-8859-1',
  utf8: 'utf-8',
  'ucs-2': 'iso-10646-ucs-2',
  ucs2: 'iso-10646-ucs-2',
  'csunicode': 'iso-10646-ucs-2',
  sjis: 'shift_jis',
  'shift-jis': 'shift_jis',
  'x-sjis': 'shift_jis',
  'euc-cn': 'gb2312',
  cp936: 'gbk',
  big5hkscs: 'big5-hkscs',
};

const byName = new Map<string, number>();
for (const [k, v] of CHARSETS) byName.set(v, k);

/** Canonical (lower-case IANA) charset name for a MIBenum; unknown ones as `mib-<n>`. */
export function charsetName(mib: number): string {
  return CHARSETS.get(mib) ?? `mib-${mib}`;
}

/** MIBenum for a charset name (case-insensitive, common aliases), or -1. */
export function charsetMib(name: string): number {
  const n = name.toLowerCase();
  const direct = byName.get(n) ?? byName.get(ALIASES[n] ?? '');
  if (direct !== undefined) return direct;
  const m = /^mib-(\d+)$/.exec(n);
  return m ? Number(m[1]) : -1;
}

function decoderLabel(name: string): string {
  switch (name) {
    case 'iso-10646-ucs-2':
      return 'utf-16be';
    case 'utf-16':
      return 'utf-16be';
    case 'iso-8859-6-e':
    case 'iso-8859-6-i':
      return 'iso-8859-6';
    case 'iso-8859-8-e':
    case 'iso-8859-8-i':
      return 'iso-8859-8';
    case 'tis-620':
      return 'windows-874';
    case 'us-ascii':
      return 'windows-1252';
    case 'ks_c_5601-1987':
      return 'euc-kr';
    case 'iso-8859-1':
      return 'latin1';
    default:
      return name;
  }
}

const decoders = new Map<string, TextDecoder | null>();
const utf16beKeepBom = new TextDecoder('utf-16be', { ignoreBOM: true });
function getDecoder(label: string): TextDecoder | null {
  let d = decoders.get(label);
  if (d === undefined) {
    try {
      d = new TextDecoder(label);
    } catch {
      d = null;
    }
    decoders.set(label, d);
  }
  return d;
}

/** True when text in this charset can be decoded here. */
export function isCharsetSupported(name: string): boolean {
  const n = name.toLowerCase();
  if (n === 'utf-8' || n === 'us-ascii' || n === 'iso-8859-1' || n === 'utf-32' || n === 'utf-32be' || n === 'utf-32le' || n === 'iso-10646-ucs-4') {
    return true;
  }
  return getDecoder(decoderLabel(ALIASES[n] ?? n)) !== null;
}

/**
 * Decodes text in the given charset (name or MIBenum). UTF-16 / UCS-2 honour a byte-order mark
 * (default big-endian). Unknown charsets fall back to UTF-8 if valid, else Latin-1.
 */
export function decodeCharset(data: Uint8Array, charset: string | number): string {
  const name = typeof charset === 'number' ? charsetName(charset) : (ALIASES[charset.toLowerCase()] ?? charset.toLowerCase());
  const buf = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  switch (name) {
    case 'utf-8':
    case '*':
      return buf.toString('utf8');
    case 'us-ascii':
    case 'iso-8859-1':
      return buf.toString('latin1');
    case 'utf-16':
    case 'iso-10646-ucs-2': {
      // One byte-order mark is dropped, not two: the platform decoder would drop a second one.
      if (buf.length >= 2 && buf[0] === 0xff && buf[1] === 0xfe) return buf.toString('utf16le', 2);
      if (buf.length >= 2 && buf[0] === 0xfe && buf[1] === 0xff) return utf16beKeepBom.decode(buf.subarray(2));
      return getDecoder('utf-16be')!.decode(buf);
    }
    case 'utf-32':
    case 'utf-32be':
    case 'utf-32le':
    case 'iso-10646-ucs-4': {
      const le = name === 'utf-32le';
      let s = '';
      for (let i = 0; i + 4 <= buf.length; i += 4) {
        const cp = le ? buf.readUInt32LE(i) : buf.readUInt32BE(i);
        if (cp === 0xfeff && i === 0) continue;
        s += cp <= 0x10ffff ? String.fromCodePoint(cp) : '\ufffd';
      }
      // A partial code unit at the end is not text either.
      return buf.length % 4 === 0 ? s : s + '\ufffd';
    }
  }
  const d = name.startsWith('mib-') ? null : getDecoder(decoderLabel(name));
  if (d) return d.decode(buf);
  // Unknown charset: UTF-8 when valid, else Latin-1 (what the encoder writes back for it is UTF-8).
  return decodeText(buf, 0, buf.length);
}

const reverseTables = new Map<string, Map<number, number[]>>();

function reverseTable(label: string): Map<number, number[]> {
  let t = reverseTables.get(label);
  if (t) return t;
  t = new Map();
  const dec = new TextDecoder(label, { fatal: true });
  const one = new Uint8Array(1);
  const two = new Uint8Array(2);
  for (let b = 0; b < 256; b++) {
    one[0] = b;
    try {
      const s = dec.decode(one);
      const cp = s.codePointAt(0);
      if (s.length === 1 && cp !== undefined && !t.has(cp)) t.set(cp, [b]);
    } catch {
      /* not a single-byte character */
    }
  }
  let high = 0;
  for (const cp of t.values()) if (cp[0]! >= 0x80) high++;
  // Single-byte charsets map (nearly) every high octet to one character: no pairs to look for.
  for (let a = 0x81; a < 0xff && high < 120; a++) {
    for (let b = 0x40; b < 0xff; b++) {
      two[0] = a;
      two[1] = b;
      try {
        const s = dec.decode(two);
        const cp = s.codePointAt(0);
        if (cp !== undefined && s.length === (cp > 0xffff ? 2 : 1) && !t.has(cp)) t.set(cp, [a, b]);
      } catch {
        /* not a two-byte character */
      }
    }
  }
  reverseTables.set(label, t);
  return t;
}

/**
 * Encodes text in the given charset. Throws WspEncodeError for characters the charset cannot
 * represent or charsets we cannot write.
 */
export function encodeCharset(text: string, charset: string | number): Buffer {
  const name = typeof charset === 'number' ? charsetName(charset) : (ALIASES[charset.toLowerCase()] ?? charset.toLowerCase());
  switch (name) {
    case 'utf-8':
    case '*':
      return Buffer.from(text, 'utf8');
    case 'us-ascii':
    case 'iso-8859-1': {
      const max = name === 'us-ascii' ? 0x7f : 0xff;
      for (let i = 0; i < text.length; i++) {
        if (text.charCodeAt(i) > max) throw new WspEncodeError('', `character U+${text.charCodeAt(i).toString(16)} not in ${name}`);
      }
      return Buffer.from(text, 'latin1');
    }
    case 'utf-16le':
      return Buffer.from(text, 'utf16le');
    case 'utf-16be':
    case 'utf-16':
    case 'iso-10646-ucs-2': {
      const b = Buffer.from(text, 'utf16le');
      b.swap16();
      return b;
    }
    case 'utf-32':
    case 'utf-32be':
    case 'utf-32le':
    case 'iso-10646-ucs-4':
      return encodeUtf32(text, name === 'utf-32le');
  }
  if (name === 'gb2312' || name === 'gb18030') return encodeCharset(text, 'gbk');
  if (name.startsWith('mib-')) return Buffer.from(text, 'utf8');
  if (name === 'iso-2022-jp') return encodeIso2022jp(text);
  const label = decoderLabel(name);
  const known = getDecoder(label) !== null;
  // Stateful encodings start in ASCII: plain ASCII text is written as is. Printable ASCII is the
  // same octets in every charset here; control characters are not (Shift_JIS as decoded here
  // swaps 0x1A, 0x1C and 0x7F), so with a table they go through it.
  if (/^[\x00-\x7f]*$/.test(text) && !name.startsWith('utf-') && !name.startsWith('iso-10646')) {
    if (!known || /^[\x20-\x7e\t\n\r]*$/.test(text)) return Buffer.from(text, 'latin1');
  }
  if (label.startsWith('iso-2022') || label === 'utf-7' || !known) throw new WspEncodeError('', `cannot encode charset ${name}`);
  const table = reverseTable(label);
  const out: number[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    const bytes = table.get(cp) ?? (cp < 0x80 ? [cp] : undefined);
    if (!bytes) throw new WspEncodeError('', `character U+${cp.toString(16)} not in ${name}`);
    for (const x of bytes) out.push(x);
  }
  return Buffer.from(out);
}

/** UTF-32 / UCS-4 (big-endian unless `le`), the inverse of the decoder above. */
function encodeUtf32(text: string, le: boolean): Buffer {
  const cps = Array.from(text, (ch) => ch.codePointAt(0)!);
  const out = Buffer.alloc(cps.length * 4);
  cps.forEach((cp, i) => (le ? out.writeUInt32LE(cp, i * 4) : out.writeUInt32BE(cp, i * 4)));
  return out;
}

/** ISO-2022-JP: ASCII and JIS X 0208 (via the EUC-JP table), switching with escape sequences. */
function encodeIso2022jp(text: string): Buffer {
  const table = reverseTable('euc-jp');
  const out: number[] = [];
  let jis = false;
  for (const ch of text) {
    const cp = ch.codePointAt(0)!;
    if (cp < 0x80) {
      if (jis) out.push(0x1b, 0x28, 0x42);
      jis = false;
      out.push(cp);
      continue;
    }
    const b = table.get(cp);
    if (!b || b.length !== 2 || b[0]! < 0xa1) throw new WspEncodeError('', `character U+${cp.toString(16)} not in iso-2022-jp`);
    if (!jis) out.push(0x1b, 0x24, 0x42);
    jis = true;
    out.push(b[0]! & 0x7f, b[1]! & 0x7f);
  }
  if (jis) out.push(0x1b, 0x28, 0x42);
  return Buffer.from(out);
}
