/** Content-Transfer-Encoding (RFC 2045 §6): base64, quoted-printable, 7bit, 8bit, binary. */
import libqp from 'libqp';
import { MimeError, type MimeWarningSink } from './errors.js';

export type TransferEncoding = '7bit' | '8bit' | 'binary' | 'base64' | 'quoted-printable';

/**
 * Undoes a Content-Transfer-Encoding. Unknown encodings are refused, and so is base64 that is not
 * whole groups of four characters: that is content cut short, not a dialect. Lenient mode decodes
 * the whole groups and reports the rest as `truncated`.
 */
export function decodeTransferEncoding(body: Uint8Array, encoding: string | undefined, warn?: MimeWarningSink, strict = true): Buffer {
  const buf = Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  const enc = (encoding ?? '').trim().toLowerCase();
  switch (enc) {
    case '':
    case '7bit':
    case '8bit':
    case 'binary':
      return buf;
    case 'base64':
      return decodeBase64(buf, warn, strict);
    case 'quoted-printable':
      return decodeQuotedPrintable(buf, warn);
    default:
      throw new MimeError('unknown-transfer-encoding', `unknown content transfer encoding ${JSON.stringify(enc)}`);
  }
}

function decodeBase64(body: Buffer, warn: MimeWarningSink | undefined, strict: boolean): Buffer {
  const decoded = decodeWellFormedBase64(body);
  if (decoded) return decoded;
  // Not well-formed: find out why (strict) or read what can be read (lenient). Rare, so not fast.
  const text = body.toString('latin1').replace(/[\r\n\t ]+/g, '');
  const valid = /^[A-Za-z0-9+/]*={0,2}$/.test(text);
  if (valid && text.length % 4 === 0) return Buffer.from(text, 'base64');
  if (strict) throw new MimeError('base64-invalid', `base64 content invalid or cut short (${valid ? `${text.length} characters, not a multiple of 4` : 'not base64'})`);
  const whole = text.replace(/[^A-Za-z0-9+/=]/g, '');
  warn?.('truncated', 'base64 content invalid or cut short; the whole groups of four were read');
  return Buffer.from(whole.slice(0, whole.length - (whole.length % 4)), 'base64');
}

const LF = 0x0a;
const CR = 0x0d;
const EQUALS = 0x3d;
const isSpace = (c: number) => c === CR || c === LF || c === 0x09 || c === 0x20;

/**
 * Bytes taken by line ends (LF or CRLF). Lines of one length are stepped over without a search,
 * which is what base64 bodies look like. A lone CR, a tab or a space is not counted: it makes
 * the caller's count too high, which its length check catches (and the slow path then reads it).
 */
function lineEndBytes(body: Buffer): number {
  let bytes = 0;
  let stride = 0;
  for (let i = body.indexOf(LF); i >= 0; ) {
    bytes += i > 0 && body[i - 1] === CR ? 2 : 1;
    const next = stride > 0 && body[i + stride] === LF ? i + stride : body.indexOf(LF, i + 1);
    stride = next - i;
    i = next;
  }
  return bytes;
}

/**
 * base64 that is exactly well-formed (alphabet, line ends, at most two `=` at the end, whole
 * groups of four), decoded by Node's native decoder without building a whitespace-free copy;
 * undefined for anything else, which the caller reads the slow way. Node's decoder ignores
 * whitespace, skips bytes outside its alphabet and stops at `=`, so a body holding anything that
 * is not base64 (or whitespace not counted here) decodes to fewer bytes than the character count
 * promises: comparing the two is the validity check. Node also reads the URL-safe `-` and `_`,
 * which MIME does not allow: those are looked for first.
 */
function decodeWellFormedBase64(body: Buffer): Buffer | undefined {
  if (body.indexOf(0x2d) >= 0 || body.indexOf(0x5f) >= 0) return undefined;
  let padding = 0;
  let trailingSpace = 0;
  const firstEquals = body.indexOf(EQUALS);
  if (firstEquals >= 0) {
    for (let i = firstEquals; i < body.length; i++) {
      const c = body[i]!;
      if (c === EQUALS) padding++;
      else if (!isSpace(c)) return undefined;
      else if (c !== LF && c !== CR) trailingSpace++;
    }
    if (padding > 2) return undefined;
  }
  const characters = body.length - lineEndBytes(body) - trailingSpace - padding;
  if ((characters + padding) % 4 !== 0) return undefined;
  const decoded = Buffer.from(body.toString('latin1'), 'base64');
  return decoded.length === Math.floor((characters * 3) / 4) ? decoded : undefined;
}

/** Quoted-printable (libqp); a stray `=` is kept as is, as most decoders do, and reported. */
export function decodeQuotedPrintable(body: Uint8Array, warn?: MimeWarningSink): Buffer {
  const text = Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('latin1');
  if (warn) {
    const stray = text.replace(/=[ \t]*\r?\n/g, '').match(/=(?![0-9A-Fa-f]{2})(?![ \t]*$)/g)?.length ?? 0;
    if (stray) warn('qp-stray-equals', `${stray} "=" not followed by two hex digits in quoted-printable content (kept as is)`);
  }
  return libqp.decode(text);
}

/** Quoted-printable with soft line breaks at 76 columns; CRLF line ends kept as hard breaks. */
export function encodeQuotedPrintable(data: Uint8Array): string {
  return libqp.wrap(libqp.encode(Buffer.from(data.buffer, data.byteOffset, data.byteLength)), 76);
}

/** base64 in lines of 76 characters, each ending in CRLF. */
export function base64Lines(data: Uint8Array): string {
  const b64 = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
  let out = '';
  for (let i = 0; i < b64.length; i += 76) out += `${b64.slice(i, i + 76)}\r\n`;
  return out;
}

/** Whether bytes can travel as 7bit: ASCII without NUL, CRLF line ends, lines ≤ 76, no line starting `--`. */
export function isSafe7bit(data: Uint8Array): boolean {
  let lineLength = 0;
  for (let i = 0; i < data.length; i++) {
    const b = data[i]!;
    if (b === 0x0d) {
      if (data[i + 1] !== 0x0a) return false;
      continue;
    }
    if (b === 0x0a) {
      if (data[i - 1] !== 0x0d) return false;
      lineLength = 0;
      continue;
    }
    if (b >= 0x80 || b === 0 || (b < 0x20 && b !== 0x09)) return false;
    if (++lineLength > 76) return false;
  }
  // A body line starting with "--" might look like a boundary; base64 avoids any doubt.
  return !/(^|\n)--/.test(Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('latin1'));
}
