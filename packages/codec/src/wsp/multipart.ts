import { Cursor } from './cursor.js';
import { Writer } from './writer.js';
import { decodeContentType, encodeContentType, isMultipart, type ContentType } from './content-type.js';
import { decodePartHeaders, encodePartHeaders, type PartHeaders } from './headers.js';
import { MmsDecodeError, MmsEncodeError } from '../errors.js';

/** One entry of a WSP multipart body. `data` is a view into the decoded buffer (no copy). */
export interface MmsPart {
  contentType: ContentType;
  headers: PartHeaders;
  data: Uint8Array;
  /** For a nested multipart entry: its decoded entries (the encoder writes these instead of `data`). */
  parts?: MmsPart[];
}

/** A non-fatal deviation found while decoding leniently. */
export interface DecodeWarning {
  offset: number;
  message: string;
}

export interface MultipartContext {
  maxParts: number;
  maxDepth: number;
  maxHeaders: number;
  partCount: number;
  warnings: DecodeWarning[] | undefined;
}

export function warn(ctx: MultipartContext, offset: number, message: string): void {
  (ctx.warnings ??= []).push({ offset, message });
}

/** Decodes a multipart body in [c.pos, c.end). */
export function decodeMultipart(c: Cursor, ctx: MultipartContext, depth: number): MmsPart[] {
  const parts: MmsPart[] = [];
  const at = c.pos;
  const n = c.uintvar();
  if (n > ctx.maxParts) c.fail('limit-exceeded', `${n} parts (limit ${ctx.maxParts})`, at);
  const buf = c.buf;
  for (let i = 0; i < n; i++) {
    if (c.pos >= c.end) {
      warn(ctx, c.pos, `multipart announces ${n} entries, found ${i}`);
      break;
    }
    if (++ctx.partCount > ctx.maxParts) c.fail('limit-exceeded', `more than ${ctx.maxParts} parts`);
    const entryAt = c.pos;
    const hlen = c.uintvar();
    let dlen = c.uintvar();
    const hstart = c.pos;
    const hend = hstart + hlen;
    if (hend > c.end) c.fail('length-mismatch', `part ${i} headers run past the end`, entryAt);
    let dend = hend + dlen;
    if (dend > c.end) {
      // Truncated last body (seen in captures cut short): keep what is there.
      warn(ctx, entryAt, `part ${i} data truncated: ${dlen} announced, ${c.end - hend} present`);
      dend = c.end;
      dlen = dend - hend;
    }
    const saveEnd = c.end;
    c.end = hend;
    const contentType = decodeContentType(c);
    c.end = saveEnd;
    const headers = c.pos < hend ? decodePartHeaders(c, hend, ctx.maxHeaders) : {};
    const data = buf.subarray(hend, dend);
    const part: MmsPart = { contentType, headers, data };
    if (dlen > 0 && isMultipart(contentType.mediaType)) {
      if (depth + 1 > ctx.maxDepth) c.fail('limit-exceeded', `multipart nesting deeper than ${ctx.maxDepth}`, hend);
      const sub = new Cursor(buf, hend, dend);
      const mark = ctx.warnings?.length ?? 0;
      const count = ctx.partCount;
      try {
        part.parts = decodeMultipart(sub, ctx, depth + 1);
      } catch (e) {
        if (!(e instanceof MmsDecodeError) || e.reason === 'limit-exceeded') throw e;
        // Not a WSP multipart after all (e.g. a MIME body): keep it as data.
        if (ctx.warnings) ctx.warnings.length = mark;
        ctx.partCount = count;
        warn(ctx, hend, `part ${i}: nested ${contentType.mediaType} is not a WSP multipart (${e.reason}); kept as data`);
      }
    }
    parts.push(part);
    c.pos = dend;
  }
  if (c.pos < c.end) warn(ctx, c.pos, `${c.end - c.pos} octets after the last multipart entry`);
  return parts;
}

/** Writes a multipart body. */
export function encodeMultipart(w: Writer, parts: readonly MmsPart[], path: string): void {
  w.uintvar(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    const pp = `${path}[${i}]`;
    if (!p || typeof p !== 'object' || !p.contentType) throw new MmsEncodeError(pp, 'contentType is required');
    let data: Uint8Array;
    if (p.parts) {
      const sub = new Writer(1024);
      encodeMultipart(sub, p.parts, pp + '.parts');
      data = sub.finish();
    } else {
      data = p.data;
      if (!(data instanceof Uint8Array)) throw new MmsEncodeError(pp + '.data', 'must be a Uint8Array');
    }
    // Headers are written first, then the two uintvars are slotted in front of them.
    const hstart = w.pos;
    encodeContentType(w, p.contentType, pp + '.contentType');
    encodePartHeaders(w, p.headers, pp + '.headers');
    const hlen = w.pos - hstart;
    const n = uintvarSize(hlen) + uintvarSize(data.length);
    w.ensure(n);
    w.buf.copyWithin(hstart + n, hstart, w.pos);
    const end = w.pos + n;
    w.pos = hstart;
    w.uintvar(hlen);
    w.uintvar(data.length);
    w.pos = end;
    w.body(data);
  }
}

export function uintvarSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}
