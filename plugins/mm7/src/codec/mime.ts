import { randomBytes } from 'node:crypto';
import type { ContentType } from '@openmmsc/core';
import type { WarningSink } from './warnings.js';

/**
 * A small, tolerant MIME reader and writer for SOAP-with-attachments. Tolerant of what real
 * VASPs send (LF instead of CRLF, a preamble, trailing spaces after a boundary), strict about
 * limits (size, part count, nesting depth) and about termination.
 */

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

export const DEFAULT_MIME_LIMITS: MimeLimits = { maxParts: 100, maxDepth: 4, maxHeaderBytes: 16 * 1024 };

export interface MimeEntity {
  contentType: ContentType;
  /** Header names in lower case; values unfolded. */
  headers: Record<string, string>;
  /** Decoded body (transfer encoding undone). For a multipart, the raw body. */
  body: Buffer;
  /** Sub-entities of a multipart. */
  parts?: MimeEntity[];
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Parses `type/subtype; a=b; c="d e"` (type lower-cased, parameter names lower-cased). */
export function parseContentType(value: string | undefined, fallback = 'text/plain'): ContentType {
  if (!value || !value.trim()) return { type: fallback, params: {} };
  const params: Record<string, string> = {};
  let i = value.indexOf(';');
  const type = (i < 0 ? value : value.slice(0, i)).trim().toLowerCase();
  while (i >= 0 && i < value.length) {
    i++;
    while (i < value.length && /\s/.test(value[i]!)) i++;
    const eq = value.indexOf('=', i);
    if (eq < 0) break;
    const name = value.slice(i, eq).trim().toLowerCase();
    let j = eq + 1;
    while (j < value.length && /\s/.test(value[j]!)) j++;
    let v = '';
    if (value[j] === '"') {
      j++;
      while (j < value.length && value[j] !== '"') {
        if (value[j] === '\\' && j + 1 < value.length) j++;
        v += value[j];
        j++;
      }
      j++;
      const semi = value.indexOf(';', j);
      i = semi;
    } else {
      const semi = value.indexOf(';', j);
      v = (semi < 0 ? value.slice(j) : value.slice(j, semi)).trim();
      i = semi;
    }
    if (name) params[name] = v;
    if (i < 0) break;
  }
  return { type: type.includes('/') ? type : fallback, params };
}

export function formatParams(ct: ContentType): string {
  let out = ct.type;
  for (const [k, v] of Object.entries(ct.params)) out += TOKEN.test(v) ? `; ${k}=${v}` : `; ${k}="${v.replace(/(["\\])/g, '\\$1')}"`;
  return out;
}

/** Unfolds and splits a header block; names lower-cased, repeated headers joined with `, `. */
export function parseHeaderBlock(block: string): Record<string, string> {
  const headers: Record<string, string> = {};
  const lines = block.split(/\r?\n/);
  let current: string | undefined;
  const flush = () => {
    if (current === undefined) return;
    const colon = current.indexOf(':');
    if (colon > 0) {
      const name = current.slice(0, colon).trim().toLowerCase();
      const value = current.slice(colon + 1).trim();
      headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`;
    }
    current = undefined;
  };
  for (const line of lines) {
    if (/^[ \t]/.test(line) && current !== undefined) current += ` ${line.trim()}`;
    else {
      flush();
      current = line;
    }
  }
  flush();
  return headers;
}

/** The value of a Content-ID / Content-Location style id: `<abc@x>` → `abc@x`. */
export function bareId(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  return v.startsWith('<') && v.endsWith('>') ? v.slice(1, -1).trim() : v;
}

/**
 * Undoes a Content-Transfer-Encoding. Unknown encodings are refused, and so is base64 that is not
 * whole quanta of four characters: that is content cut short, not a dialect.
 */
export function decodeTransferEncoding(body: Buffer, encoding: string | undefined, warn?: WarningSink): Buffer {
  const enc = (encoding ?? '').trim().toLowerCase();
  switch (enc) {
    case '':
    case '7bit':
    case '8bit':
    case 'binary':
      return body;
    case 'base64': {
      const cleaned = body.toString('latin1').replace(/\s+/g, '');
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(cleaned)) throw new MimeError('invalid base64 content');
      if (cleaned.length % 4 !== 0) throw new MimeError(`base64 content cut short (${cleaned.length} characters, not a multiple of 4)`);
      return Buffer.from(cleaned, 'base64');
    }
    case 'quoted-printable':
      return decodeQuotedPrintable(body, warn);
    default:
      throw new MimeError(`unsupported Content-Transfer-Encoding ${JSON.stringify(encoding)}`);
  }
}

export function decodeQuotedPrintable(body: Buffer, warn?: WarningSink): Buffer {
  const out = Buffer.allocUnsafe(body.length);
  let o = 0;
  let stray = 0;
  for (let i = 0; i < body.length; i++) {
    const c = body[i]!;
    if (c !== 0x3d /* = */) {
      out[o++] = c;
      continue;
    }
    // Soft line break: "=" then optional whitespace then CRLF or LF.
    let j = i + 1;
    while (j < body.length && (body[j] === 0x20 || body[j] === 0x09)) j++;
    if (j < body.length && body[j] === 0x0d && body[j + 1] === 0x0a) {
      i = j + 1;
      continue;
    }
    if (j < body.length && body[j] === 0x0a) {
      i = j;
      continue;
    }
    if (j >= body.length) {
      i = j;
      continue;
    }
    const hex = body.toString('latin1', i + 1, i + 3);
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      out[o++] = Number.parseInt(hex, 16);
      i += 2;
    } else {
      out[o++] = c; // a stray "=": keep it, as most decoders do
      stray++;
    }
  }
  if (stray && warn) warn('qp-stray-equals', `${stray} "=" not followed by two hex digits in quoted-printable content`);
  return out.subarray(0, o);
}

export function encodeQuotedPrintable(data: Uint8Array): string {
  let out = '';
  let line = 0;
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    let piece: string;
    if (c === 0x0d && data[i + 1] === 0x0a) {
      out += '\r\n';
      line = 0;
      i++;
      continue;
    } else if ((c >= 33 && c <= 126 && c !== 61) || ((c === 32 || c === 9) && i + 1 < data.length && data[i + 1] !== 0x0d)) {
      piece = String.fromCharCode(c);
    } else {
      piece = `=${c.toString(16).toUpperCase().padStart(2, '0')}`;
    }
    if (line + piece.length > 75) {
      out += '=\r\n';
      line = 0;
    }
    out += piece;
    line += piece.length;
  }
  return out;
}

function lineStartBefore(buf: Buffer, at: number): number {
  // The delimiter's preceding line break belongs to the delimiter.
  if (at >= 2 && buf[at - 2] === 0x0d && buf[at - 1] === 0x0a) return at - 2;
  if (at >= 1 && buf[at - 1] === 0x0a) return at - 1;
  return at;
}

/**
 * Splits a multipart body into its raw parts (headers + undecoded body). Accepts CRLF or LF,
 * ignores preamble and epilogue, requires the closing delimiter.
 */
export function splitMultipart(body: Buffer, boundary: string, limits: MimeLimits = DEFAULT_MIME_LIMITS, warn?: WarningSink): Array<{ headers: Record<string, string>; body: Buffer }> {
  if (!boundary || boundary.length > 200) throw new MimeError('multipart content without a usable boundary');
  const delimiter = Buffer.from(`--${boundary}`, 'latin1');
  const parts: Array<{ headers: Record<string, string>; body: Buffer }> = [];
  let bareLf = false;
  // Find the first delimiter at the start of a line.
  let pos = -1;
  for (let from = 0; ; ) {
    const at = body.indexOf(delimiter, from);
    if (at < 0) throw new MimeError('multipart body has no boundary delimiter');
    if (at === 0 || body[at - 1] === 0x0a) {
      pos = at;
      break;
    }
    from = at + 1;
  }
  for (;;) {
    let after = pos + delimiter.length;
    if (body[after] === 0x2d && body[after + 1] === 0x2d) return parts; // closing delimiter
    // Rest of the delimiter line: optional whitespace then a line break.
    while (after < body.length && (body[after] === 0x20 || body[after] === 0x09)) after++;
    if (body[after] === 0x0d && body[after + 1] === 0x0a) after += 2;
    else if (body[after] === 0x0a) {
      after += 1;
      if (warn && !bareLf) warn('bare-lf', `multipart (boundary ${JSON.stringify(boundary)}) uses LF line ends instead of CRLF`);
      bareLf = true;
    } else throw new MimeError('malformed multipart delimiter line');
    // Next delimiter at a line start.
    let next = -1;
    for (let from = after; ; ) {
      const at = body.indexOf(delimiter, from);
      if (at < 0) break;
      if (body[at - 1] === 0x0a) {
        next = at;
        break;
      }
      from = at + 1;
    }
    if (next < 0) throw new MimeError('multipart body is not terminated (closing boundary missing)');
    const partEnd = lineStartBefore(body, next);
    const raw = body.subarray(after, Math.max(after, partEnd));
    parts.push(splitEntity(raw, limits));
    if (parts.length > limits.maxParts) throw new MimeError(`more than ${limits.maxParts} MIME parts`);
    pos = next;
  }
}

function splitEntity(raw: Buffer, limits: MimeLimits): { headers: Record<string, string>; body: Buffer } {
  // A part that starts with a blank line has no headers.
  if (raw[0] === 0x0a) return { headers: {}, body: raw.subarray(1) };
  if (raw[0] === 0x0d && raw[1] === 0x0a) return { headers: {}, body: raw.subarray(2) };
  const crlf = raw.indexOf('\r\n\r\n');
  const lf = raw.indexOf('\n\n');
  let headerEnd: number;
  let bodyStart: number;
  if (crlf >= 0 && (lf < 0 || crlf < lf)) {
    headerEnd = crlf;
    bodyStart = crlf + 4;
  } else if (lf >= 0) {
    headerEnd = lf;
    bodyStart = lf + 2;
  } else {
    headerEnd = raw.length;
    bodyStart = raw.length;
  }
  if (headerEnd > limits.maxHeaderBytes) throw new MimeError(`MIME part headers longer than ${limits.maxHeaderBytes} bytes`);
  return { headers: parseHeaderBlock(raw.toString('latin1', 0, headerEnd)), body: raw.subarray(bodyStart) };
}

/** What one parse carries through the recursion: the parts counted so far, where warnings go. */
export interface ParseState {
  parts: number;
  warn?: WarningSink;
}

/** Parses an entity given its headers and raw body; multiparts are parsed recursively. */
export function parseEntity(headers: Record<string, string>, rawBody: Buffer, limits: MimeLimits = DEFAULT_MIME_LIMITS, depth = 0, counter: ParseState = { parts: 0 }): MimeEntity {
  const contentType = parseContentType(headers['content-type']);
  if (contentType.type.startsWith('multipart/')) {
    if (depth >= limits.maxDepth) throw new MimeError(`multiparts nested deeper than ${limits.maxDepth} levels`);
    const boundary = contentType.params.boundary;
    if (!boundary) throw new MimeError(`${contentType.type} without a boundary parameter`);
    const body = decodeTransferEncoding(rawBody, headers['content-transfer-encoding'], counter.warn);
    const raw = splitMultipart(body, boundary, limits, counter.warn);
    counter.parts += raw.length;
    if (counter.parts > limits.maxParts) throw new MimeError(`more than ${limits.maxParts} MIME parts`);
    const parts = raw.map((p) => parseEntity(p.headers, p.body, limits, depth + 1, counter));
    return { contentType, headers, body, parts };
  }
  return { contentType, headers, body: decodeTransferEncoding(rawBody, headers['content-transfer-encoding'], counter.warn) };
}

/** Parses a header block plus body (for example an HTTP request split into its parts). */
export function parseMimeMessage(raw: Buffer, limits: MimeLimits = DEFAULT_MIME_LIMITS): MimeEntity {
  const { headers, body } = splitEntity(raw, limits);
  return parseEntity(headers, body, limits);
}

// --- writing ---------------------------------------------------------------------------------

export interface OutPart {
  headers: Record<string, string>;
  body: Uint8Array | string;
}

export function newBoundary(): string {
  return `----=_mm7_${randomBytes(12).toString('hex')}`;
}

/** Writes a multipart body (CRLF line ends, closing delimiter). */
export function buildMultipart(parts: readonly OutPart[], boundary: string): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let head = `--${boundary}\r\n`;
    for (const [k, v] of Object.entries(part.headers)) head += `${k}: ${v}\r\n`;
    head += '\r\n';
    chunks.push(Buffer.from(head, 'latin1'));
    chunks.push(typeof part.body === 'string' ? Buffer.from(part.body, 'utf8') : Buffer.from(part.body.buffer, part.body.byteOffset, part.body.byteLength));
    chunks.push(Buffer.from('\r\n', 'latin1'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return Buffer.concat(chunks);
}

/** base64 with 76-character lines, as MIME wants. */
export function base64Lines(data: Uint8Array): string {
  const b64 = Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64');
  let out = '';
  for (let i = 0; i < b64.length; i += 76) out += `${b64.slice(i, i + 76)}\r\n`;
  return out;
}
