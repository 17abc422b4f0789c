/**
 * A small MIME reader and writer that keeps an MMS's part structure intact (every leaf part with
 * its Content-Type, Content-ID and Content-Location), which mail-oriented parsers flatten into
 * "text, html and attachments". Bounded: header size, part count and nesting depth.
 */
import { randomBytes } from 'node:crypto';
import type { ContentType, MmsPart } from '@openmmsc/core';

export class MimeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MimeError';
  }
}

export interface MimeLimits {
  maxParts: number;
  maxDepth: number;
  maxHeaderBytes: number;
}

export const DEFAULT_LIMITS: MimeLimits = { maxParts: 100, maxDepth: 5, maxHeaderBytes: 64 * 1024 };

export type HeaderList = Array<[name: string, value: string]>;

export interface ParsedMail {
  headers: HeaderList;
  contentType: ContentType;
  /** Leaf parts in order (nested multiparts flattened). A non-multipart body is one part. */
  parts: MmsPart[];
}

// --- headers -----------------------------------------------------------------------------

export function header(headers: HeaderList, name: string): string | undefined {
  const n = name.toLowerCase();
  for (const [k, v] of headers) if (k.toLowerCase() === n) return v;
  return undefined;
}

export function headerAll(headers: HeaderList, name: string): string[] {
  const n = name.toLowerCase();
  return headers.filter(([k]) => k.toLowerCase() === n).map(([, v]) => v);
}

function splitHeaderBlock(buf: Buffer, limits: MimeLimits): { headers: HeaderList; body: Buffer } {
  let end = -1;
  let sep = 0;
  for (let i = 0; i < buf.length; i++) {
    if (buf[i] === 0x0a) {
      if (buf[i + 1] === 0x0a) {
        end = i;
        sep = 2;
        break;
      }
      if (buf[i + 1] === 0x0d && buf[i + 2] === 0x0a) {
        end = i;
        sep = 3;
        break;
      }
    }
    if (i > limits.maxHeaderBytes) throw new MimeError(`header block larger than ${limits.maxHeaderBytes} bytes`);
  }
  // A part may begin directly with the blank line (no headers).
  if (buf[0] === 0x0a) return { headers: [], body: buf.subarray(1) };
  if (buf[0] === 0x0d && buf[1] === 0x0a) return { headers: [], body: buf.subarray(2) };
  const headText = (end < 0 ? buf : buf.subarray(0, end)).toString('latin1');
  const body = end < 0 ? Buffer.alloc(0) : buf.subarray(end + sep);
  return { headers: parseHeaderLines(headText), body };
}

export function parseHeaderLines(text: string): HeaderList {
  const headers: HeaderList = [];
  for (const line of text.split(/\r?\n/)) {
    if (line === '') continue;
    if (/^[ \t]/.test(line)) {
      const last = headers[headers.length - 1];
      if (!last) throw new MimeError('header block starts with a continuation line');
      last[1] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new MimeError(`malformed header line: ${JSON.stringify(line.slice(0, 60))}`);
    const name = line.slice(0, colon).trim();
    if (!/^[!-9;-~]+$/.test(name)) throw new MimeError(`malformed header name: ${JSON.stringify(name.slice(0, 60))}`);
    headers.push([name, line.slice(colon + 1).trim()]);
  }
  return headers;
}

/** Decodes RFC 2047 encoded words (`=?utf-8?B?…?=`); raw 8-bit header bytes are read as UTF-8. */
export function decodeWords(value: string): string {
  const raw = /[\x80-\xff]/.test(value) ? Buffer.from(value, 'latin1').toString('utf8') : value;
  return raw.replace(/=\?([^?*]+)(?:\*[^?]*)?\?([BbQq])\?([^?]*)\?=(\s+(?==\?))?/g, (_m, charset: string, enc: string, text: string) => {
    let bytes: Buffer;
    if (enc.toUpperCase() === 'B') bytes = Buffer.from(text, 'base64');
    else bytes = Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    return decodeCharset(bytes, charset);
  });
}

export function decodeCharset(bytes: Uint8Array, charset: string): string {
  try {
    return new TextDecoder(charset.toLowerCase() === 'utf8' ? 'utf-8' : charset).decode(bytes);
  } catch {
    return Buffer.from(bytes).toString('latin1');
  }
}

/** Encodes a header value as RFC 2047 words when it is not plain ASCII. */
export function encodeWords(value: string): string {
  if (/^[\x20-\x7e]*$/.test(value)) return value;
  const words: string[] = [];
  let chunk = '';
  for (const ch of value) {
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w).toString('base64')}?=`).join(' ');
}

// --- content types -----------------------------------------------------------------------

/** Parses `type/subtype; a=b; c="d"` (RFC 2045, with RFC 2231 `name*=` values). */
export function parseContentType(value: string | undefined, fallback = 'text/plain'): ContentType {
  if (!value) return { type: fallback, params: fallback === 'text/plain' ? { charset: 'us-ascii' } : {} };
  const [typePart, params] = splitParams(value);
  const type = typePart.trim().toLowerCase();
  if (!/^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(type)) throw new MimeError(`malformed content type ${JSON.stringify(typePart.slice(0, 60))}`);
  return { type, params };
}

export function splitParams(value: string): [string, Record<string, string>] {
  const params: Record<string, string> = {};
  let i = value.indexOf(';');
  const head = i < 0 ? value : value.slice(0, i);
  const extended: Record<string, string[]> = {};
  while (i >= 0 && i < value.length) {
    i++;
    while (value[i] === ' ' || value[i] === '\t') i++;
    const eq = value.indexOf('=', i);
    if (eq < 0) break;
    const name = value.slice(i, eq).trim().toLowerCase();
    i = eq + 1;
    while (value[i] === ' ' || value[i] === '\t') i++;
    let v = '';
    if (value[i] === '"') {
      i++;
      while (i < value.length && value[i] !== '"') {
        if (value[i] === '\\' && i + 1 < value.length) i++;
        v += value[i];
        i++;
      }
      i = value.indexOf(';', i);
    } else {
      const next = value.indexOf(';', i);
      v = (next < 0 ? value.slice(i) : value.slice(i, next)).trim();
      i = next;
    }
    const star = /^([^*]+)\*(\d+)?\*?$/.exec(name);
    if (star) (extended[star[1]!] ??= []).push(v);
    else params[name] = v;
  }
  for (const [name, pieces] of Object.entries(extended)) {
    const joined = pieces.join('');
    const m = /^([^']*)'[^']*'(.*)$/.exec(joined);
    if (m) {
      const bytes = Buffer.from(m[2]!.replace(/%([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
      params[name] = decodeCharset(bytes, m[1] || 'utf-8');
    } else params[name] = joined;
  }
  return [head, params];
}

// --- parsing -----------------------------------------------------------------------------

/** Parses a whole RFC 5322 message; throws `MimeError` for what cannot be read. */
export function parseMail(raw: Buffer, limits: MimeLimits = DEFAULT_LIMITS): ParsedMail {
  const { headers, body } = splitHeaderBlock(raw, limits);
  if (headers.length === 0) throw new MimeError('message has no headers');
  const contentType = parseContentType(header(headers, 'content-type'));
  const parts: MmsPart[] = [];
  collect(headers, contentType, body, parts, 0, limits);
  return { headers, contentType, parts };
}

function collect(headers: HeaderList, ct: ContentType, body: Buffer, out: MmsPart[], depth: number, limits: MimeLimits): void {
  if (ct.type.startsWith('multipart/')) {
    if (depth >= limits.maxDepth) throw new MimeError(`multipart nesting deeper than ${limits.maxDepth}`);
    const boundary = ct.params.boundary;
    if (!boundary) throw new MimeError(`${ct.type} without a boundary`);
    for (const piece of splitMultipart(body, boundary)) {
      const { headers: ph, body: pb } = splitHeaderBlock(piece, limits);
      const pct = parseContentType(header(ph, 'content-type'), ct.type === 'multipart/digest' ? 'message/rfc822' : 'text/plain');
      collect(ph, pct, pb, out, depth + 1, limits);
      if (out.length > limits.maxParts) throw new MimeError(`more than ${limits.maxParts} parts`);
    }
    return;
  }
  const data = decodeBody(body, header(headers, 'content-transfer-encoding'));
  const part: MmsPart = { contentType: ct, data };
  const id = header(headers, 'content-id');
  if (id) part.contentId = id.trim().replace(/^<|>$/g, '');
  const location = header(headers, 'content-location');
  if (location) part.contentLocation = decodeWords(location.trim());
  const disposition = header(headers, 'content-disposition');
  if (disposition) {
    part.contentDisposition = disposition;
    if (!part.contentLocation) {
      const [, dp] = splitParams(disposition);
      if (dp.filename) part.contentLocation = decodeWords(dp.filename);
    }
  }
  if (!part.contentLocation && ct.params.name) part.contentLocation = decodeWords(ct.params.name);
  out.push(part);
}

function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const text = body.toString('latin1');
  const delim = `--${boundary}`;
  const pieces: Buffer[] = [];
  let pos = lineStartIndex(text, delim, 0);
  if (pos < 0) throw new MimeError('multipart boundary not found in the body');
  let closed = false;
  for (;;) {
    const lineEnd = text.indexOf('\n', pos);
    const afterDelim = text.slice(pos + delim.length, lineEnd < 0 ? undefined : lineEnd);
    if (afterDelim.startsWith('--')) {
      closed = true;
      break;
    }
    if (lineEnd < 0) break;
    const start = lineEnd + 1;
    const next = lineStartIndex(text, delim, start);
    if (next < 0) {
      pieces.push(body.subarray(start));
      break;
    }
    // The CRLF before a delimiter belongs to the delimiter.
    let end = next;
    if (text[end - 1] === '\n') end--;
    if (text[end - 1] === '\r') end--;
    pieces.push(body.subarray(start, Math.max(start, end)));
    pos = next;
  }
  if (!closed && pieces.length === 0) throw new MimeError('multipart body has no parts');
  return pieces;
}

function lineStartIndex(text: string, delim: string, from: number): number {
  let i = from;
  for (;;) {
    const at = text.indexOf(delim, i);
    if (at < 0) return -1;
    if (at === 0 || text[at - 1] === '\n') return at;
    i = at + 1;
  }
}

function decodeBody(body: Buffer, encoding: string | undefined): Buffer {
  const enc = (encoding ?? '7bit').trim().toLowerCase();
  switch (enc) {
    case 'base64': {
      const text = body.toString('latin1').replace(/[\r\n\t ]/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new MimeError('invalid base64 content');
      return Buffer.from(text, 'base64');
    }
    case 'quoted-printable': {
      const text = body.toString('latin1').replace(/=\r?\n/g, '');
      return Buffer.from(text.replace(/=([0-9A-Fa-f]{2})/g, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1');
    }
    case '7bit':
    case '8bit':
    case 'binary':
      return Buffer.from(body);
    default:
      throw new MimeError(`unknown content transfer encoding ${JSON.stringify(enc)}`);
  }
}

// --- writing -----------------------------------------------------------------------------

/** `application/vnd.wap.multipart.related` → `multipart/related`, and so on. */
export function mimeMultipartType(type: string): string {
  const m = /^application\/vnd\.wap\.multipart\.(mixed|related|alternative)$/.exec(type);
  if (m) return `multipart/${m[1]}`;
  return type;
}

/** `multipart/related` → `application/vnd.wap.multipart.related` (the MMS form). */
export function mmsMultipartType(type: string): string {
  const m = /^multipart\/(mixed|related|alternative)$/.exec(type);
  return m ? `application/vnd.wap.multipart.${m[1]}` : type;
}

export function formatParams(type: string, params: Record<string, string>): string {
  let out = type;
  for (const [k, v] of Object.entries(params)) {
    const ascii = /^[\x20-\x7e]*$/.test(v);
    if (!ascii) out += `; ${k}*=utf-8''${encodeURIComponent(v)}`;
    else out += /^[A-Za-z0-9!#$&^_.+-]+$/.test(v) ? `; ${k}=${v}` : `; ${k}="${v.replace(/(["\\])/g, '\\$1')}"`;
  }
  return out;
}

function wrap76(text: string): string {
  return text.replace(/.{1,76}/g, '$&\r\n');
}

function isSafe7bit(data: Uint8Array): boolean {
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
  return !/(^|\n)--/.test(Buffer.from(data).toString('latin1'));
}

/** Serialises one part (headers + body, CRLF). Bytes survive exactly: anything not plain 7-bit is base64. */
export function writePart(part: MmsPart): Buffer {
  const lines: string[] = [`Content-Type: ${formatParams(part.contentType.type, part.contentType.params)}`];
  if (part.contentId) lines.push(`Content-ID: <${part.contentId.replace(/^<|>$/g, '')}>`);
  if (part.contentLocation) lines.push(`Content-Location: ${encodeWords(part.contentLocation)}`);
  if (part.contentDisposition) lines.push(`Content-Disposition: ${part.contentDisposition}`);
  const seven = isSafe7bit(part.data);
  lines.push(`Content-Transfer-Encoding: ${seven ? '7bit' : 'base64'}`);
  const body = seven ? Buffer.from(part.data).toString('latin1') : wrap76(Buffer.from(part.data).toString('base64'));
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1');
}

export function newBoundary(): string {
  return `=_mm4_${randomBytes(12).toString('hex')}`;
}

/** Writes a message: the given headers, then the parts as a multipart (or a single body). */
export function writeMail(headers: HeaderList, content: { contentType: ContentType; parts: readonly MmsPart[] } | { text: string }): Buffer {
  const head = headers.map(([k, v]) => `${k}: ${v}`);
  head.push('MIME-Version: 1.0');
  if ('text' in content) {
    head.push('Content-Type: text/plain; charset=utf-8', 'Content-Transfer-Encoding: 8bit');
    return Buffer.from(`${head.join('\r\n')}\r\n\r\n${content.text.replace(/\r?\n/g, '\r\n')}\r\n`, 'utf8');
  }
  const type = mimeMultipartType(content.contentType.type);
  if (!type.startsWith('multipart/') && content.parts.length === 1) {
    const single = writePart(content.parts[0]!);
    return Buffer.concat([Buffer.from(`${head.join('\r\n')}\r\n`, 'latin1'), single, Buffer.from('\r\n')]);
  }
  const boundary = newBoundary();
  const multipart = type.startsWith('multipart/') ? type : 'multipart/mixed';
  const params: Record<string, string> = {};
  for (const [k, v] of Object.entries(content.contentType.params)) if (k !== 'boundary') params[k] = v;
  params.boundary = boundary;
  head.push(`Content-Type: ${formatParams(multipart, params)}`);
  const chunks: Buffer[] = [Buffer.from(`${head.join('\r\n')}\r\n\r\nThis is a multimedia message in MIME format.\r\n`, 'latin1')];
  for (const part of content.parts) {
    chunks.push(Buffer.from(`\r\n--${boundary}\r\n`, 'latin1'), writePart(part));
  }
  chunks.push(Buffer.from(`\r\n--${boundary}--\r\n`, 'latin1'));
  return Buffer.concat(chunks);
}
