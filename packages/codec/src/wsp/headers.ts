import { Cursor } from './cursor.js';
import { Writer } from './writer.js';
import { decodeParams, encodeParams, type ContentTypeParams } from './content-type.js';
import { WSP_HEADER, WSP_HEADER_NAMES } from './tables.js';
import { WspEncodeError } from '../errors.js';
import { setOwn } from '../own.js';
import { bareId, wireIdOf } from './content-id.js';

/** A header kept as it was: textual (`name: value`) or well-known with its raw encoded value. */
export type WspHeader = { name: string; value: string } | { code: number; name: string; raw: Uint8Array };

/** Content-Disposition: `form-data`, `attachment`, `inline` or a token, with parameters. */
export interface ContentDisposition {
  type: string;
  params?: ContentTypeParams;
}

/** Headers of one multipart entry (besides its Content-Type). */
export interface PartHeaders {
  /**
   * Content-ID, bare (`image1`): the decoder takes off the angle brackets the wire carries
   * (RFC 2392 `<image1>`) and the encoder puts them back, so a `cid:image1` in a SMIL names it as is.
   */
  contentId?: string;
  contentLocation?: string;
  contentDisposition?: ContentDisposition;
  /** Textual Content-Transfer-Encoding header some senders add (`base64`, `quoted-printable`). */
  contentTransferEncoding?: string;
  /** Every other header, in order. */
  other?: WspHeader[];
}

const DISPOSITIONS = ['form-data', 'attachment', 'inline'];

export function decodeDisposition(c: Cursor): ContentDisposition {
  const b = c.peek();
  if (b & 0x80) {
    c.pos++;
    return { type: DISPOSITIONS[b & 0x7f] ?? `0x${(b & 0x7f).toString(16)}` };
  }
  if (b === 0 || b >= 0x20) return parseTextDisposition(c.quotedOrText());
  const outer = c.enterValue();
  let type: string;
  if (c.pos >= c.end) type = '';
  else {
    const d = c.peek();
    if (d & 0x80) {
      c.pos++;
      type = DISPOSITIONS[d & 0x7f] ?? `0x${(d & 0x7f).toString(16)}`;
    } else type = c.textString();
  }
  const params = c.pos < c.end ? decodeParams(c, c.end) : undefined;
  c.leaveValue(outer);
  return params ? { type, params } : { type };
}

function parseTextDisposition(s: string): ContentDisposition {
  const bits = s.split(';');
  const type = (bits.shift() ?? '').trim().toLowerCase();
  let params: ContentTypeParams | undefined;
  for (const p of bits) {
    const i = p.indexOf('=');
    if (i < 0) continue;
    params ??= {};
    setOwn(params, p.slice(0, i).trim().toLowerCase(), p.slice(i + 1).trim().replace(/^"(.*)"$/, '$1'));
  }
  return params ? { type, params } : { type };
}

export function encodeDisposition(w: Writer, d: ContentDisposition, path: string): void {
  const m = w.beginLength();
  const i = DISPOSITIONS.indexOf(d.type);
  if (i >= 0) w.u8(0x80 | i);
  else w.textString(d.type);
  if (d.params) encodeParams(w, d.params, path + '.params');
  w.endLength(m);
}

/** Decodes part headers in [c.pos, end). */
export function decodePartHeaders(c: Cursor, end: number, maxHeaders: number): PartHeaders {
  const h: PartHeaders = {};
  const saveEnd = c.end;
  c.end = end;
  let count = 0;
  while (c.pos < end) {
    if (++count > maxHeaders) c.fail('limit-exceeded', `more than ${maxHeaders} part headers`);
    const b = c.buf[c.pos]!;
    if (b & 0x80) {
      const code = b & 0x7f;
      c.pos++;
      switch (code) {
        case WSP_HEADER.ContentId:
          if (c.peek() >= 0x20 || c.peek() === 0) {
            h.contentId = bareId(c.quotedOrText());
            continue;
          }
          break;
        case WSP_HEADER.ContentLocation:
          if (c.peek() >= 0x20 || c.peek() === 0) {
            h.contentLocation = c.textString();
            continue;
          }
          break;
        case WSP_HEADER.ContentDisposition:
        case WSP_HEADER.ContentDisposition14:
          h.contentDisposition = decodeDisposition(c);
          continue;
      }
      const [s, e] = c.skipValue();
      (h.other ??= []).push({ code, name: WSP_HEADER_NAMES[code] ?? `0x${code.toString(16)}`, raw: c.view(s, e) });
    } else if (b >= 0x20) {
      const at = c.pos;
      const name = c.textString();
      if (name === '') c.fail('invalid-value', 'empty header name', at);
      const vb = c.peek();
      if (vb !== 0 && vb < 0x20) {
        // A textual name with a binary value: keep the bytes.
        const [s, e] = c.skipValue();
        (h.other ??= []).push({ code: -1, name, raw: c.view(s, e) });
        continue;
      }
      const value = vb & 0x80 ? String(c.integerValue()) : c.quotedOrText();
      switch (name.toLowerCase()) {
        case 'content-id':
          h.contentId = bareId(value);
          break;
        case 'content-location':
          h.contentLocation = value;
          break;
        case 'content-transfer-encoding':
          h.contentTransferEncoding = value;
          break;
        case 'content-disposition':
          h.contentDisposition = parseTextDisposition(value);
          break;
        default:
          (h.other ??= []).push({ name, value });
      }
    } else if (b === 0x7f) {
      c.pos += 2; // shift-delimiter + page identity: code pages are not used by MMS
    } else {
      c.pos++; // short-cut shift / stray octet
    }
  }
  c.end = saveEnd;
  return h;
}

/** Writes part headers (after the part's Content-Type). */
export function encodePartHeaders(w: Writer, h: PartHeaders | undefined, path: string): void {
  if (!h) return;
  if (h.contentId !== undefined) {
    w.u8(0x80 | WSP_HEADER.ContentId);
    w.quotedString(wireIdOf(h.contentId));
  }
  if (h.contentLocation !== undefined) {
    w.u8(0x80 | WSP_HEADER.ContentLocation);
    w.textString(h.contentLocation);
  }
  if (h.contentDisposition !== undefined) {
    w.u8(0x80 | WSP_HEADER.ContentDisposition);
    encodeDisposition(w, h.contentDisposition, path + '.contentDisposition');
  }
  if (h.other) encodeWspHeaders(w, h.other, path + '.other');
  if (h.contentTransferEncoding !== undefined) {
    w.token('Content-Transfer-Encoding');
    w.textValue(h.contentTransferEncoding);
  }
}

/** Writes headers kept as WspHeader values. */
export function encodeWspHeaders(w: Writer, list: readonly WspHeader[], path: string): void {
  list.forEach((x, i) => {
    if ('raw' in x) {
      if (x.code >= 0 && x.code < 0x80) w.u8(0x80 | x.code);
      else if (x.code === -1 && x.name) w.textString(x.name);
      else throw new WspEncodeError(`${path}[${i}]`, `bad header code ${x.code}`);
      if (x.raw.length === 0) throw new WspEncodeError(`${path}[${i}]`, 'empty raw value');
      w.bytes(x.raw);
    } else {
      if (!x.name) throw new WspEncodeError(`${path}[${i}]`, 'header name required');
      // Token-text, quoted when its first octet would read as a code or a shift; the value may be
      // a Quoted-string, so one that starts with a quote is written as one.
      w.textString(x.name);
      w.textValue(x.value);
    }
  });
}
