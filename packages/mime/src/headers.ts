/** RFC 5322 header blocks, RFC 2047 encoded words, charsets and Content-IDs. */
import iconv from 'iconv-lite';
import libmime from 'libmime';
import { MimeError } from './errors.js';

/** Header fields in order, as received (names as written, values unfolded). */
export type HeaderList = Array<[name: string, value: string]>;

/** The first value of a header (names compare case-insensitively). */
export function header(headers: HeaderList, name: string): string | undefined {
  const n = name.toLowerCase();
  for (const [k, v] of headers) if (k.toLowerCase() === n) return v;
  return undefined;
}

export function headerAll(headers: HeaderList, name: string): string[] {
  const n = name.toLowerCase();
  return headers.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v);
}

/** Header fields by lower-case name (the first of repeated fields). */
export function headerRecord(headers: HeaderList): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of headers) out[k.toLowerCase()] ??= v;
  return out;
}

/**
 * Unfolds and splits a header block (LF or CRLF). Strict: a line that is not `name: value`, or a
 * block starting with a continuation line, is a `MimeError`; lenient mode skips such lines.
 */
export function parseHeaderLines(text: string, strict = true): HeaderList {
  const headers: HeaderList = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === '') continue;
    if (/^[ \t]/.test(line)) {
      const last = headers[headers.length - 1];
      if (last) last[1] += ` ${line.trim()}`;
      else if (strict) throw new MimeError('malformed-header', 'header block starts with a continuation line');
      continue;
    }
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).trim() : '';
    if (!/^[!-9;-~]+$/.test(name)) {
      if (!strict) continue;
      throw new MimeError('malformed-header', colon <= 0 ? `malformed header line: ${JSON.stringify(line.slice(0, 60))}` : `malformed header name: ${JSON.stringify(name.slice(0, 60))}`);
    }
    headers.push([name, line.slice(colon + 1).trim()]);
  }
  return headers;
}

/** Bytes in a named charset (iconv-lite); an unknown charset is read as Latin-1, byte for byte. */
export function decodeCharset(bytes: Uint8Array, charset: string): string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const name = charset.trim();
  return iconv.encodingExists(name) ? iconv.decode(buf, name) : buf.toString('latin1');
}

/** Text in a named charset; an unknown charset is written as UTF-8. */
export function encodeCharset(text: string, charset: string): Buffer {
  return iconv.encodingExists(charset) ? iconv.encode(text, charset) : Buffer.from(text, 'utf8');
}

/** Decodes RFC 2047 encoded words (`=?utf-8?B?…?=`, adjacent words joined). */
export function decodeWords(value: string): string {
  return libmime.decodeWords(value);
}

/** A header value as RFC 2047 UTF-8 B-words (lines of at most 75) when it is not plain ASCII. */
export function encodeWords(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  return libmime.encodeWord(value, 'B', 75);
}

/** `<id@host>` → `id@host`: the form a Content-ID is kept in. */
export function bareId(value: string): string;
export function bareId(value: string | undefined): string | undefined;
export function bareId(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  return value.trim().replace(/^<(.*)>$/, '$1').trim();
}

/** `id@host` (or `<id@host>`) → `<id@host>`: the form a Content-ID or `start` takes on the wire. */
export function wireId(value: string): string {
  return `<${bareId(value)}>`;
}

/** The Content-ID a `cid:` URL names (RFC 2392: percent-encoded, no brackets); undefined for other URLs. */
export function cidUrlId(url: string): string | undefined {
  const ref = url.trim();
  if (!/^cid:/i.test(ref)) return undefined;
  let id = ref.slice(4);
  try {
    id = decodeURIComponent(id);
  } catch {
    // not percent-encoded after all: taken as written
  }
  return bareId(id);
}
