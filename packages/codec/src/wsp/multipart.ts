import { Cursor } from './cursor.js';
import { Writer } from './writer.js';
import { decodeContentType, encodeContentType, isMultipart } from './content-type.js';
import type { Part } from '../model.js';
import { decodePartHeaders, encodePartHeaders, type PartHeaders } from './headers.js';
import { CodecDecodeError, WspDecodeError, WspEncodeError, type MmsDecodeErrorReason } from '../errors.js';

/**
 * One entry of a WSP multipart body: a `Part` with its headers as on the wire. `data` is a view
 * into the decoded buffer (no copy).
 */
export interface WspPart extends Part {
  headers: PartHeaders;
  /** For a nested multipart entry: its decoded entries (the encoder writes these instead of `data`). */
  parts?: WspPart[];
}

/**
 * Something the decoder accepted but that is not what the spec says: a handset deviation
 * (lenient mode), or, with `salvage`, structurally incomplete content that was cut back to what
 * could be read. Ingress code can log or count these from `pdu.warnings`.
 */
export interface DecodeWarning {
  /** Byte offset in the decoded buffer. */
  offset: number;
  message: string;
  /**
   * Set only for problems that `salvage` turned into warnings: the error reason decoding without
   * `salvage` would have thrown (`truncated`, `invalid-uintvar`).
   */
  reason?: MmsDecodeErrorReason;
}

export interface MultipartContext {
  maxParts: number;
  maxDepth: number;
  maxHeaders: number;
  partCount: number;
  /** Structurally incomplete content becomes warnings, and what could be read is returned. */
  salvage: boolean;
  warnings: DecodeWarning[] | undefined;
}

/**
 * Hard bound on multipart nesting, whatever `maxDepth` asks: nesting is decoded and encoded by
 * recursion, and this keeps it far from the stack limit. Real messages nest two or three levels.
 */
export const MAX_NESTING = 64;

export function warn(ctx: MultipartContext, offset: number, message: string, reason?: MmsDecodeErrorReason): void {
  const w: DecodeWarning = reason === undefined ? { offset, message } : { offset, message, reason };
  (ctx.warnings ??= []).push(w);
}

/** With `salvage`, a structural error becomes a warning (true: stop and keep what was read). */
export function salvaged(ctx: MultipartContext, e: unknown): boolean {
  if (!ctx.salvage || !(e instanceof CodecDecodeError) || !e.structural) return false;
  warn(ctx, e.offset, `${e.message}; salvaged what came before`, e.reason);
  return true;
}

/**
 * Decodes a multipart body in [c.pos, c.end). Entries that run past the end of the data are an
 * error (`truncated`) unless `ctx.salvage`, which keeps the entries read so far and a cut last body.
 */
export function decodeMultipart(c: Cursor, ctx: MultipartContext, depth: number): WspPart[] {
  const parts: WspPart[] = [];
  try {
    decodeEntries(c, ctx, depth, parts);
  } catch (e) {
    if (!salvaged(ctx, e)) throw e;
    c.pos = c.end;
  }
  return parts;
}

function decodeEntries(c: Cursor, ctx: MultipartContext, depth: number, parts: WspPart[]): void {
  const at = c.pos;
  const n = c.uintvar();
  if (n > ctx.maxParts) c.fail('limit-exceeded', `${n} parts (limit ${ctx.maxParts})`, at);
  const buf = c.buf;
  for (let i = 0; i < n; i++) {
    if (c.pos >= c.end) c.overrun(`multipart announces ${n} entries, the data ends after ${i}`);
    if (++ctx.partCount > ctx.maxParts) c.fail('limit-exceeded', `more than ${ctx.maxParts} parts`);
    const entryAt = c.pos;
    const hlen = c.uintvar();
    const dlen = c.uintvar();
    const hstart = c.pos;
    const hend = hstart + hlen;
    if (hend > c.end) c.overrun(`part ${i} headers (${hlen} octets) run past the end (${c.end - hstart} left)`, entryAt);
    let dend = hend + dlen;
    let cut = false;
    if (dend > c.end) {
      const msg = `part ${i} data runs past the end: ${dlen} octets announced, ${c.end - hend} present`;
      if (!ctx.salvage || c.end < c.dataEnd) c.overrun(msg, entryAt);
      warn(ctx, entryAt, `${msg}; salvaged what is there`, 'truncated');
      dend = c.end;
      cut = true;
    }
    const saveEnd = c.end;
    c.end = hend;
    const contentType = decodeContentType(c);
    c.end = saveEnd;
    const headers = c.pos < hend ? decodePartHeaders(c, hend, ctx.maxHeaders) : {};
    const data = buf.subarray(hend, dend);
    const part: WspPart = { contentType, headers, data };
    // Push before decoding a nested body, so that salvage keeps this part if the nesting is cut.
    parts.push(part);
    if (dend > hend && isMultipart(contentType.type)) {
      const nested = decodeNested(c, ctx, depth, i, part, cut);
      if (nested) part.parts = nested;
    }
    c.pos = dend;
  }
  if (c.pos < c.end) warn(ctx, c.pos, `${c.end - c.pos} octets after the last multipart entry`);
}

/** A multipart entry's body, itself a multipart; kept as data (with a warning) if it is not WSP-encoded. */
function decodeNested(c: Cursor, ctx: MultipartContext, depth: number, i: number, part: WspPart, cut: boolean): WspPart[] | undefined {
  const start = part.data.byteOffset - c.buf.byteOffset;
  const end = start + part.data.length;
  if (depth + 1 > Math.min(ctx.maxDepth, MAX_NESTING)) {
    c.fail('limit-exceeded', `multipart nesting deeper than ${Math.min(ctx.maxDepth, MAX_NESTING)}`, start);
  }
  // The entry's length is known and inside the data: overrunning it inside is a mismatch, not a
  // truncation, unless salvage cut this very entry short.
  const sub = new Cursor(c.buf, start, end, cut ? end : Number.POSITIVE_INFINITY);
  const mark = ctx.warnings?.length ?? 0;
  const count = ctx.partCount;
  try {
    return decodeMultipart(sub, ctx, depth + 1);
  } catch (e) {
    if (!(e instanceof CodecDecodeError) || e.reason === 'limit-exceeded' || e.reason === 'truncated') throw e;
    // Not a WSP multipart after all (e.g. a MIME body): keep it as data.
    if (ctx.warnings) ctx.warnings.length = mark;
    ctx.partCount = count;
    warn(ctx, start, `part ${i}: nested ${part.contentType.type} is not a WSP multipart (${e.reason}); kept as data`);
    return undefined;
  }
}

/** Writes a multipart body. */
export function encodeMultipart(w: Writer, parts: readonly WspPart[], path: string, depth = 1): void {
  if (depth > MAX_NESTING) throw new WspEncodeError(path, `multipart nesting deeper than ${MAX_NESTING}`);
  w.uintvar(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const pp = `${path}[${i}]`;
    if (!p || typeof p !== 'object' || !p.contentType) throw new WspEncodeError(pp, 'contentType is required');
    // A nested multipart is written into a writer of its own (its length goes first), whose
    // bodies are then passed on as they are, like this level's.
    let nested: Writer | undefined;
    let data: Uint8Array | undefined;
    if (p.parts) {
      nested = new Writer(1024);
      encodeMultipart(nested, p.parts, pp + '.parts', depth + 1);
    } else {
      data = p.data;
      if (!(data instanceof Uint8Array)) throw new WspEncodeError(pp + '.data', 'must be a Uint8Array');
    }
    const dlen = nested ? nested.length : data!.length;
    // Headers are written first, then the two uintvars are slotted in front of them.
    const hstart = w.pos;
    encodeContentType(w, p.contentType, pp + '.contentType');
    encodePartHeaders(w, p.headers, pp + '.headers');
    const hlen = w.pos - hstart;
    const n = uintvarSize(hlen) + uintvarSize(dlen);
    w.ensure(n);
    w.buf.copyWithin(hstart + n, hstart, w.pos);
    const end = w.pos + n;
    w.pos = hstart;
    w.uintvar(hlen);
    w.uintvar(dlen);
    w.pos = end;
    if (nested) w.append(nested);
    else w.body(data!);
  }
}

export function uintvarSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}
