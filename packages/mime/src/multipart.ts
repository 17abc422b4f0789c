/** RFC 2046 §5.1 multipart bodies: splitting on delimiter lines, and writing them. */
import { randomBytes } from 'node:crypto';
import { MimeError, type MimeWarningSink } from './errors.js';
import { parseHeaderLines, type HeaderList } from './headers.js';
import { DEFAULT_LIMITS, type MimeLimits, type ReadOptions } from './limits.js';

/** A delimiter line found in a body. */
interface Delimiter {
  /** Where `--boundary` starts. */
  at: number;
  /** `--boundary--`. */
  closing: boolean;
  /** The first byte after the line (or the end of the body). */
  next: number;
  bareLf: boolean;
}

/**
 * The next delimiter line at or after `from`: at a line start, `--boundary`, maybe `--`, maybe
 * transport padding, then the line end. A longer boundary that starts with this one is not it.
 */
function findDelimiter(body: Buffer, delim: Buffer, from: number): Delimiter | undefined {
  for (let i = from; ; ) {
    const at = body.indexOf(delim, i);
    if (at < 0) return undefined;
    i = at + 1;
    if (at !== 0 && body[at - 1] !== 0x0a) continue;
    let p = at + delim.length;
    const closing = body[p] === 0x2d && body[p + 1] === 0x2d;
    if (closing) p += 2;
    while (body[p] === 0x20 || body[p] === 0x09) p++;
    if (p >= body.length) return { at, closing, next: p, bareLf: false };
    if (body[p] === 0x0d && body[p + 1] === 0x0a) return { at, closing, next: p + 2, bareLf: false };
    if (body[p] === 0x0a) return { at, closing, next: p + 1, bareLf: true };
    // A closing delimiter may be followed by the epilogue on the same line in the wild.
    if (closing) return { at, closing, next: p, bareLf: false };
  }
}

/** The end of a part: the line break before a delimiter belongs to the delimiter. */
function endBefore(body: Buffer, at: number, start: number): number {
  let end = at;
  if (end > start && body[end - 1] === 0x0a) end--;
  if (end > start && body[end - 1] === 0x0d) end--;
  return end;
}

/**
 * Splits a multipart body into its raw body parts (each headers + body, undecoded). Preamble and
 * epilogue are skipped; LF or CRLF line ends; the closing delimiter must be there, else the body
 * was cut short (a `MimeError` when strict; lenient reads the last part to the end).
 */
export function splitMultipart(body: Buffer, boundary: string, options: ReadOptions = {}): Buffer[] {
  const strict = options.strict ?? true;
  const limits = options.limits ?? DEFAULT_LIMITS;
  if (!boundary || boundary.length > 200) throw new MimeError('no-boundary', 'multipart without a usable boundary');
  const delim = Buffer.from(`--${boundary}`, 'latin1');
  let d = findDelimiter(body, delim, 0);
  if (!d) throw new MimeError('boundary-not-found', 'multipart boundary not found in the body');
  const pieces: Buffer[] = [];
  let bareLf = false;
  while (!d.closing) {
    bareLf ||= d.bareLf;
    const start = d.next;
    const next = findDelimiter(body, delim, start);
    if (!next) {
      if (strict || start >= body.length) throw new MimeError('multipart-truncated', `multipart body cut short: no closing --${boundary}--`);
      options.warn?.('truncated', `multipart body cut short: no closing --${boundary}--; the last part was read to the end`);
      pieces.push(body.subarray(start));
      break;
    }
    pieces.push(body.subarray(start, Math.max(start, endBefore(body, next.at, start))));
    if (pieces.length > limits.maxParts) throw new MimeError('too-many-parts', `more than ${limits.maxParts} parts`);
    d = next;
  }
  if (bareLf) options.warn?.('bare-lf', `multipart (boundary ${JSON.stringify(boundary)}) uses LF line ends instead of CRLF`);
  if (pieces.length === 0) throw new MimeError('multipart-empty', 'multipart body has no parts');
  return pieces;
}

/** Splits an entity into its header block and body (a part may begin with the blank line). */
export function splitEntity(raw: Buffer, limits: MimeLimits = DEFAULT_LIMITS, strict = true): { headers: HeaderList; body: Buffer } {
  if (raw[0] === 0x0a) return { headers: [], body: raw.subarray(1) };
  if (raw[0] === 0x0d && raw[1] === 0x0a) return { headers: [], body: raw.subarray(2) };
  let end = raw.length;
  let bodyStart = raw.length;
  for (let i = raw.indexOf(0x0a); i >= 0; i = raw.indexOf(0x0a, i + 1)) {
    if (i > limits.maxHeaderBytes) break;
    if (raw[i + 1] === 0x0a) {
      end = i;
      bodyStart = i + 2;
      break;
    }
    if (raw[i + 1] === 0x0d && raw[i + 2] === 0x0a) {
      end = i;
      bodyStart = i + 3;
      break;
    }
  }
  if (end > limits.maxHeaderBytes) throw new MimeError('header-too-large', `header block larger than ${limits.maxHeaderBytes} bytes`);
  return { headers: parseHeaderLines(headerText(raw.subarray(0, end)), strict), body: raw.subarray(bodyStart) };
}

/** A header block as text: ASCII, or raw 8-bit bytes read as UTF-8 (RFC 6532), as handsets and gateways send them. */
function headerText(block: Buffer): string {
  for (const b of block) if (b >= 0x80) return block.toString('utf8');
  return block.toString('latin1');
}

/** A fresh boundary, unlikely in any content; `tag` says who wrote it. */
export function newBoundary(tag = 'openmmsc'): string {
  return `----=_${tag}_${randomBytes(12).toString('hex')}`;
}

/** One body part to write: its header fields (written as given) and its encoded body. */
export interface OutPart {
  headers: HeaderList | Record<string, string>;
  body: Uint8Array | string;
}

/** Writes header fields, one per CRLF-ended line. */
export function writeHeaders(headers: HeaderList | Record<string, string>): string {
  const list = Array.isArray(headers) ? headers : Object.entries(headers);
  return list.map(([k, v]) => `${k}: ${v}\r\n`).join('');
}

/** Writes a multipart body: CRLF line ends, an optional preamble, the closing delimiter. */
export function buildMultipart(parts: readonly OutPart[], boundary: string, preamble?: string): Buffer {
  const chunks: Buffer[] = [];
  if (preamble) chunks.push(Buffer.from(`${preamble}\r\n`, 'latin1'));
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n${writeHeaders(part.headers)}\r\n`, 'latin1'));
    chunks.push(typeof part.body === 'string' ? Buffer.from(part.body, 'utf8') : Buffer.from(part.body.buffer, part.body.byteOffset, part.body.byteLength));
    chunks.push(Buffer.from('\r\n', 'latin1'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`, 'latin1'));
  return Buffer.concat(chunks);
}

export type { MimeWarningSink };
