import { isUtf8 } from 'node:buffer';
import { charsetName, decodeCharset, encodeCharset, isCharsetSupported } from './charsets.js';
import { isAscii } from './text.js';

/** Text read from an Encoded-string-value, with the charset label that reads and writes it back. */
export interface CharsetText {
  text: string;
  /** The declared charset, or, when the octets are not valid in it, the one they were read as. */
  charset: string;
  /** What did not match the declared charset, if anything (reported as a decode warning). */
  problem?: string;
  /** True when `problem` is the sender's fault (strict mode rejects it), not a limit of this codec. */
  deviation?: boolean;
}

/** Octets per code unit: 2 for UCS-2 / UTF-16, 4 for UCS-4 / UTF-32, else 1. */
export function charsetUnit(mib: number): 1 | 2 | 4 {
  if (mib === 1000 || mib === 1013 || mib === 1014 || mib === 1015) return 2;
  if (mib === 1001 || mib === 1017 || mib === 1018 || mib === 1019) return 4;
  return 1;
}

function allAscii(b: Buffer, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (b[i]! >= 0x80) return false;
  return true;
}

/** UTF-8 when the octets are valid UTF-8, else ISO-8859-1 (which reads any octets). */
function utf8OrLatin1(b: Buffer, deviation: string | undefined, keep?: string): CharsetText {
  const utf8 = isUtf8(b);
  const text = utf8 ? b.toString('utf8') : b.toString('latin1');
  const read = utf8 ? 'utf-8' : 'iso-8859-1';
  const r: CharsetText = { text, charset: keep ?? read };
  if (deviation !== undefined) {
    r.problem = `${deviation}; read as ${read}`;
    r.deviation = true;
  }
  return r;
}

/**
 * Reads the octets [start, end) of `buf`, declared to be in charset `mib`, such that the result
 * re-encodes: when the octets are not valid in the declared charset (or it is one this codec
 * cannot write back), the label becomes the charset the text was actually read in and `problem`
 * says why.
 */
export function readCharsetText(buf: Buffer, start: number, end: number, mib: number): CharsetText {
  const name = charsetName(mib);
  // The common case first, without making a view: ASCII text declared as UTF-8, any or ASCII.
  const ascii = allAscii(buf, start, end);
  if (ascii && (mib === 106 || mib === 0 || mib === 3)) return { text: end > start ? buf.latin1Slice(start, end) : '', charset: name };
  const b = buf.subarray(start, end);
  if (mib === 106 || mib === 0) {
    if (isUtf8(b)) return { text: b.toString('utf8'), charset: name };
    // '*' (any charset) promises nothing: Latin-1 is as good a reading as any.
    return mib === 0 ? utf8OrLatin1(b, undefined, name) : utf8OrLatin1(b, 'text is not valid utf-8');
  }
  if (mib === 3) return utf8OrLatin1(b, 'text is not us-ascii');
  if (!isCharsetSupported(name)) {
    // ASCII reads the same in every ASCII-compatible charset and is written back as is.
    if (ascii) return { text: b.toString('latin1'), charset: name };
    if (name.startsWith('mib-')) {
      // Unknown MIBenum: keep it (the encoder writes UTF-8 under it), say how the text was read.
      const r = utf8OrLatin1(b, undefined, name);
      return { ...r, problem: `unknown charset MIBenum ${mib}; read as ${isUtf8(b) ? 'utf-8' : 'iso-8859-1'}` };
    }
    const r = utf8OrLatin1(b, undefined);
    return { ...r, problem: `charset ${name} is not supported; read as ${r.charset}` };
  }
  const text = decodeCharset(b, mib);
  if (text.includes('\ufffd')) {
    return { text, charset: 'utf-8', problem: `text is not valid ${name}; undecodable octets replaced, labelled utf-8`, deviation: true };
  }
  if (!isAscii(text)) {
    try {
      encodeCharset(text, mib);
    } catch {
      return { text, charset: 'utf-8', problem: `text cannot be written back in ${name}; labelled utf-8` };
    }
  }
  return { text, charset: name };
}
