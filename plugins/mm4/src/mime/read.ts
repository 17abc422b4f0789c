/**
 * A strict MIME reader that keeps an MMS's part structure intact (every leaf part with its
 * Content-Type, Content-ID and Content-Location), which mail-oriented parsers flatten into
 * "text, html and attachments". Ingress is strict: a structure cut short or not holding what it
 * declares is a `MimeError`; deviations it can read unambiguously are kept as warnings.
 */
import type { ContentType, MmsPart } from '@openmmsc/core';
import { parseContentType, splitParams } from './content-type.js';
import { bareId, decodeWords, header, headerAll, parseHeaderLines, type HeaderList } from './headers.js';
import { DEFAULT_LIMITS, MimeError, type MimeLimits } from './limits.js';

/** The header block of a message and the body bytes after it. */
export interface MailHead {
  headers: HeaderList;
  body: Buffer;
  /** Deviations read past (duplicate headers, 8-bit header bytes, bare LF line ends). */
  warnings: string[];
}

export interface ParsedMail {
  headers: HeaderList;
  contentType: ContentType;
  /** Leaf parts in order (nested multiparts flattened). A non-multipart body is one part. */
  parts: MmsPart[];
  warnings: string[];
}

/** Headers RFC 5322 §3.6 allows once (and the MM4 ones that identify a transaction). */
const SINGLE = ['date', 'from', 'sender', 'to', 'cc', 'subject', 'message-id', 'content-type', 'mime-version', 'x-mms-message-type', 'x-mms-transaction-id', 'x-mms-message-id'];

function splitHeaderBlock(buf: Buffer, limits: MimeLimits): { headers: HeaderList; body: Buffer } {
  // A part may begin directly with the blank line (no headers).
  if (buf[0] === 0x0a) return { headers: [], body: buf.subarray(1) };
  if (buf[0] === 0x0d && buf[1] === 0x0a) return { headers: [], body: buf.subarray(2) };
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
  const headText = (end < 0 ? buf : buf.subarray(0, end)).toString('latin1');
  const body = end < 0 ? Buffer.alloc(0) : buf.subarray(end + sep);
  return { headers: parseHeaderLines(headText), body };
}

/** Reads the header block only: enough to know what a message is and whom to answer. */
export function parseHead(raw: Buffer, limits: MimeLimits = DEFAULT_LIMITS): MailHead {
  const { headers, body } = splitHeaderBlock(raw, limits);
  if (headers.length === 0) throw new MimeError('message has no headers');
  const warnings: string[] = [];
  for (const name of SINGLE) {
    const n = headerAll(headers, name).length;
    if (n > 1) warnings.push(`${n} ${name} headers; the first is used`);
  }
  const eightBit = headers.find(([, v]) => /[\x80-\xff]/.test(v));
  if (eightBit) warnings.push(`raw 8-bit bytes in the ${eightBit[0]} header (read as UTF-8)`);
  if (/(^|[^\r])\n/.test(raw.toString('latin1'))) warnings.push('bare LF line endings');
  return { headers, body, warnings };
}

/** Reads the body a head announces; throws `MimeError` for a structure that does not hold. */
export function parseContent(head: MailHead, limits: MimeLimits = DEFAULT_LIMITS): ParsedMail {
  const contentType = parseContentType(header(head.headers, 'content-type'));
  const parts: MmsPart[] = [];
  const warnings = [...head.warnings];
  collect(head.headers, contentType, head.body, { out: parts, warnings, limits }, 0);
  return { headers: head.headers, contentType, parts, warnings };
}

/** Parses a whole RFC 5322 message; throws `MimeError` for what cannot be read. */
export function parseMail(raw: Buffer, limits: MimeLimits = DEFAULT_LIMITS): ParsedMail {
  return parseContent(parseHead(raw, limits), limits);
}

interface Collector {
  out: MmsPart[];
  warnings: string[];
  limits: MimeLimits;
}

function collect(headers: HeaderList, ct: ContentType, body: Buffer, c: Collector, depth: number): void {
  if (ct.type.startsWith('multipart/')) {
    if (depth >= c.limits.maxDepth) throw new MimeError(`multipart nesting deeper than ${c.limits.maxDepth}`);
    const boundary = ct.params.boundary;
    if (!boundary) throw new MimeError(`${ct.type} without a boundary`);
    const children: Array<{ id: string | undefined; type: string }> = [];
    for (const piece of splitMultipart(body, boundary)) {
      const { headers: ph, body: pb } = splitHeaderBlock(piece, c.limits);
      const pct = parseContentType(header(ph, 'content-type'), ct.type === 'multipart/digest' ? 'message/rfc822' : 'text/plain');
      const id = header(ph, 'content-id');
      children.push({ id: id === undefined ? undefined : bareId(id), type: pct.type });
      collect(ph, pct, pb, c, depth + 1);
      if (c.out.length > c.limits.maxParts) throw new MimeError(`more than ${c.limits.maxParts} parts`);
    }
    if (ct.type === 'multipart/related') checkRoot(ct, children, c.warnings);
    return;
  }
  const data = decodeBody(body, header(headers, 'content-transfer-encoding'), c.warnings);
  const part: MmsPart = { contentType: ct, data };
  const id = header(headers, 'content-id');
  // Kept as the wire form `<id>`, the form a multipart/related `start` names it by.
  if (id && bareId(id)) part.contentId = `<${bareId(id)}>`;
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
  c.out.push(part);
}

/** RFC 2387: `start` names a body part of this multipart, and `type` is that root's type. */
function checkRoot(ct: ContentType, children: ReadonlyArray<{ id: string | undefined; type: string }>, warnings: string[]): void {
  const start = ct.params.start;
  const declaredType = ct.params.type?.toLowerCase();
  if (start !== undefined) {
    const root = children.find((child) => child.id === bareId(start));
    if (!root) throw new MimeError(`multipart/related start=${start} names no part of it`);
    if (declaredType && root.type !== declaredType) throw new MimeError(`multipart/related declares type=${declaredType} but its root ${start} is ${root.type}`);
  } else if (declaredType && children[0] && children[0].type !== declaredType) {
    warnings.push(`multipart/related type=${declaredType} but its first part is ${children[0].type}`);
  }
}

/** The body parts between the delimiters; the closing delimiter must be there (else the body was cut short). */
function splitMultipart(body: Buffer, boundary: string): Buffer[] {
  const text = body.toString('latin1');
  const delim = `--${boundary}`;
  const pieces: Buffer[] = [];
  let pos = lineStartIndex(text, delim, 0);
  if (pos < 0) throw new MimeError('multipart boundary not found in the body');
  for (;;) {
    const lineEnd = text.indexOf('\n', pos);
    const afterDelim = text.slice(pos + delim.length, lineEnd < 0 ? undefined : lineEnd);
    if (afterDelim.startsWith('--')) break;
    if (lineEnd < 0) throw new MimeError(`multipart body cut short: no closing --${boundary}--`);
    const start = lineEnd + 1;
    const next = lineStartIndex(text, delim, start);
    if (next < 0) throw new MimeError(`multipart body cut short: no closing --${boundary}--`);
    // The CRLF before a delimiter belongs to the delimiter.
    let end = next;
    if (text[end - 1] === '\n') end--;
    if (text[end - 1] === '\r') end--;
    pieces.push(body.subarray(start, Math.max(start, end)));
    pos = next;
  }
  if (pieces.length === 0) throw new MimeError('multipart body has no parts');
  return pieces;
}

/** Where the next delimiter line starts: `--boundary`, maybe `--`, maybe transport padding, nothing else. */
function lineStartIndex(text: string, delim: string, from: number): number {
  let i = from;
  for (;;) {
    const at = text.indexOf(delim, i);
    if (at < 0) return -1;
    const lineEnd = text.indexOf('\n', at);
    const rest = text.slice(at + delim.length, lineEnd < 0 ? undefined : lineEnd);
    if ((at === 0 || text[at - 1] === '\n') && /^(--)?[ \t]*\r?$/.test(rest)) return at;
    i = at + 1;
  }
}

function decodeBody(body: Buffer, encoding: string | undefined, warnings: string[]): Buffer {
  const enc = (encoding ?? '7bit').trim().toLowerCase();
  switch (enc) {
    case 'base64': {
      const text = body.toString('latin1').replace(/[\r\n\t ]/g, '');
      // Base64 comes in groups of four; anything else was cut short or is not base64.
      if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) throw new MimeError('base64 content invalid or cut short');
      return Buffer.from(text, 'base64');
    }
    case 'quoted-printable': {
      const text = body.toString('latin1').replace(/=\r?\n/g, '');
      if (/=(?![0-9A-Fa-f]{2})/.test(text)) warnings.push('quoted-printable "=" not followed by two hex digits (kept as is)');
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
