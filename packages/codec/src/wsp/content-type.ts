import { Cursor } from './cursor.js';
import { Writer } from './writer.js';
import {
  contentTypeCode,
  contentTypeName,
  PARAM_ENCODE,
  WELL_KNOWN_PARAMS,
  WSP_HEADER_NAMES,
  type ParamKind,
} from './tables.js';
import { charsetMib, charsetName } from './charsets.js';
import { WspEncodeError } from '../errors.js';
import { setOwn } from '../own.js';
import { bareId, wireIdOf } from './content-id.js';
import type { ContentType, ContentTypeParams } from '../model.js';

export type { ContentType, ContentTypeParams } from '../model.js';

const UNKNOWN_CT_PREFIX = 'application/x-wsp-content-type-';

function mediaName(code: number): string {
  return contentTypeName(code) ?? UNKNOWN_CT_PREFIX + code.toString(16);
}

function mediaCode(name: string): number {
  const c = contentTypeCode(name);
  if (c >= 0) return c;
  if (name.startsWith(UNKNOWN_CT_PREFIX)) {
    const n = parseInt(name.slice(UNKNOWN_CT_PREFIX.length), 16);
    if (Number.isInteger(n) && n >= 0) return n;
  }
  return -1;
}

/** Decodes a Content-type-value. */
export function decodeContentType(c: Cursor): ContentType {
  const b = c.peek();
  if (b & 0x80) {
    c.pos++;
    return { type: mediaName(b & 0x7f), params: {} };
  }
  if (b === 0 || b >= 0x20) {
    return { type: c.textString(), params: {} };
  }
  const outer = c.enterValue();
  let mediaType: string;
  const m = c.peek();
  if (m & 0x80 || m <= 30) mediaType = mediaName(c.integerValue());
  else mediaType = c.textString();
  const params: ContentTypeParams = c.pos < c.end ? decodeParams(c, c.end) : {};
  c.leaveValue(outer);
  return { type: mediaType, params };
}

/** Decodes Parameters up to `end` into a record. */
export function decodeParams(c: Cursor, end: number): ContentTypeParams {
  const params: ContentTypeParams = {};
  while (c.pos < end) {
    const b = c.buf[c.pos]!;
    if (b & 0x80 || b <= 30) {
      const at = c.pos;
      const code = c.integerValue();
      const def = WELL_KNOWN_PARAMS[code];
      if (!def) {
        // Unknown well-known parameter: we cannot know its value's form; read it as an untyped value.
        params[`wsp-param-0x${code.toString(16)}`] = untypedValue(c);
        continue;
      }
      params[def[0]] = typedValue(c, def[1], at);
    } else {
      const at = c.pos;
      const name = c.textString().toLowerCase();
      if (name === '') c.fail('invalid-value', 'empty parameter name', at);
      // Charset names are case-insensitive; the typed form reads them in lower case too.
      setOwn(params, name, name === 'charset' ? untypedValue(c).toLowerCase() : untypedValue(c));
    }
  }
  // `start` names a part by its Content-ID, which the model keeps bare (see PartHeaders.contentId).
  if (params.start !== undefined) params.start = bareId(params.start);
  return params;
}

/** Untyped-value = Integer-value | Text-value (lenient: any value form). */
function untypedValue(c: Cursor): string {
  const b = c.peek();
  if (b & 0x80) {
    c.pos++;
    return String(b & 0x7f);
  }
  if (b === 0) {
    c.pos++;
    return '';
  }
  if (b <= 30) return String(c.longInteger());
  if (b === 31) {
    const len = c.valueLength();
    c.pos += len;
    return '';
  }
  return c.quotedOrText();
}

function typedValue(c: Cursor, kind: ParamKind, at: number): string {
  const b = c.peek();
  switch (kind) {
    case 'charset':
      if (b === 0x80) {
        c.pos++;
        return '*';
      }
      if (b & 0x80 || b <= 30) return charsetName(c.integerValue());
      return c.quotedOrText().toLowerCase();
    case 'ct':
      if (b & 0x80) {
        c.pos++;
        return mediaName(b & 0x7f);
      }
      if (b <= 30) return mediaName(c.longInteger());
      return c.textString();
    case 'version':
      if (b & 0x80) {
        c.pos++;
        const major = (b >> 4) & 0x07;
        const minor = b & 0x0f;
        return minor === 0x0f ? String(major) : `${major}.${minor}`;
      }
      return c.textString();
    case 'q': {
      // Q-value: a 1-2 octet uintvar (1..100 = 0.00..0.99, 101..1099 = 0.001..0.999).
      const q = c.uintvar();
      if (q === 0) return '0';
      return q <= 100 ? String((q - 1) / 100) : String((q - 100) / 1000);
    }
    case 'field':
      if (b & 0x80) {
        c.pos++;
        return WSP_HEADER_NAMES[b & 0x7f] ?? `0x${(b & 0x7f).toString(16)}`;
      }
      return c.textString();
    case 'none':
      if (b === 0) {
        c.pos++;
        return '';
      }
      return untypedValue(c);
    default:
      void at;
      return untypedValue(c);
  }
}

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Writes a Content-type-value. */
export function encodeContentType(w: Writer, ct: ContentType, path = 'contentType'): void {
  const { type: mediaType, params } = ct;
  if (typeof mediaType !== 'string') throw new WspEncodeError(path, 'type is required');
  // The binary code only when it reads back as this very name (not for `Image/JPEG`).
  let code = mediaCode(mediaType);
  if (code >= 0 && mediaName(code) !== mediaType) code = -1;
  let hasParams = false;
  if (params) for (const _ in params) { hasParams = true; break; }
  if (!hasParams) {
    if (code >= 0 && code < 0x80) w.u8(code | 0x80);
    else if (code >= 0) {
      const m = w.beginLength();
      w.longInteger(code);
      w.endLength(m);
    } else w.textString(mediaType);
    return;
  }
  const m = w.beginLength();
  if (code >= 0) w.integerValue(code);
  // A lone NUL would read as a zero-length integer here: the empty name gets its quote.
  else if (mediaType === '') w.u8x2(0x7f, 0);
  else w.textString(mediaType);
  encodeParams(w, params!, path + '.params');
  w.endLength(m);
}

/**
 * Writes Parameters. A well-known parameter gets its binary form only when that reads back as the
 * very same string (`charset=utf-8`, not `charset=UTF8`); anything else is written as a textual
 * name and an untyped value, which read back exactly.
 */
export function encodeParams(w: Writer, params: ContentTypeParams, path: string): void {
  for (const key in params) {
    const given = params[key];
    if (typeof given !== 'string') throw new WspEncodeError(`${path}.${key}`, 'parameter values are strings');
    const k = key.toLowerCase();
    const value = k === 'start' ? wireIdOf(given) : given;
    if (k === '') throw new WspEncodeError(path, 'a parameter name cannot be empty');
    const code = PARAM_ENCODE.get(k);
    if (code !== undefined && encodeTyped(w, code, value)) continue;
    const n = unknownParamCode(k);
    if (n >= 0) w.u8(n | 0x80);
    // Token-text; quoted when its first octet would read as a code or a length.
    else w.textString(k);
    writeUntyped(w, value);
  }
}

/** The code of a `wsp-param-0x..` name the decoder made for a well-known parameter it does not know, else -1. */
function unknownParamCode(k: string): number {
  if (!k.startsWith('wsp-param-0x')) return -1;
  const n = parseInt(k.slice(12), 16);
  return Number.isInteger(n) && n >= 0 && n < 0x80 && !WELL_KNOWN_PARAMS[n] && `wsp-param-0x${n.toString(16)}` === k ? n : -1;
}

function writeUntyped(w: Writer, value: string): void {
  if (value === '') w.u8(0);
  else if (TOKEN.test(value)) w.token(value);
  else w.quotedString(value);
}

/** A decimal integer as the decoder prints it back (no sign, no leading zero). */
function canonicalInt(v: string, max = Number.MAX_SAFE_INTEGER): boolean {
  return /^(0|[1-9]\d{0,15})$/.test(v) && Number(v) <= max;
}

function qValue(v: string): number {
  const q = Number(v);
  if (!(q >= 0 && q < 1) || v.trim() === '') return -1;
  const h = Math.round(q * 100);
  const u = Math.abs(h / 100 - q) < 1e-9 ? h + 1 : Math.round(q * 1000) + 100;
  // What the decoder prints for that Q-value, which must be v itself.
  const back = u === 0 ? '0' : u <= 100 ? String((u - 1) / 100) : String((u - 100) / 1000);
  return back === v && u <= 1099 ? u : -1;
}

function encodeTyped(w: Writer, code: number, v: string): boolean {
  switch (code) {
    case 0x01: {
      // charset
      if (v === '*') {
        w.u8(0x80);
        return true;
      }
      // The MIBenum when it reads back as this name, in any case (`UTF-8` too: handsets want the
      // binary form); an alias such as `utf8` would read back as `utf-8`, so it stays text.
      const mib = charsetMib(v);
      if (mib < 0 || charsetName(mib) !== v.toLowerCase()) return false;
      w.u8(0x81);
      w.integerValue(mib);
      return true;
    }
    case 0x09: {
      // type (constrained encoding)
      if (v === '') return false;
      w.u8(0x89);
      const c = mediaCode(v);
      if (c >= 0 && c < 0x80 && mediaName(c) === v) w.u8(c | 0x80);
      else w.textString(v);
      return true;
    }
    case 0x00: {
      const u = qValue(v);
      if (u < 0) return false;
      w.u8(0x80);
      w.uintvar(u);
      return true;
    }
    case 0x02: {
      const m = /^([0-7])(?:\.(\d{1,2}))?$/.exec(v);
      if (!m || Number(m[2] ?? 15) > 14 || (m[2] !== undefined && String(Number(m[2])) !== m[2])) return false;
      w.u8(0x82);
      w.u8(0x80 | (Number(m[1]) << 4) | Number(m[2] ?? 15));
      return true;
    }
    case 0x07: {
      const i = WSP_HEADER_NAMES.indexOf(v);
      w.u8(0x87);
      if (i >= 0 && i < 0x80) w.u8(i | 0x80);
      else w.textString(v);
      return true;
    }
    case 0x08:
    case 0x11: {
      if (!canonicalInt(v, 127)) return false;
      w.u8(code | 0x80);
      w.u8(Number(v) | 0x80);
      return true;
    }
    case 0x0e:
    case 0x16:
    case 0x13:
    case 0x14:
    case 0x15: {
      if (!canonicalInt(v)) return false;
      w.u8(code | 0x80);
      // max-age and size are Integer-values; the three dates are Date-values (Long-integers).
      if (code === 0x0e || code === 0x16) w.integerValue(Number(v));
      else w.longInteger(Number(v));
      return true;
    }
    case 0x10:
      if (v !== '') return false;
      w.u8(0x90);
      w.u8(0);
      return true;
    default:
      // Text-string parameters (name, filename, start, start-info, comment, domain, path, mac).
      w.u8(code | 0x80);
      if (code === 0x12) writeUntyped(w, v);
      else w.textValue(v);
      return true;
  }
}

/** True for multipart media types (WSP binary multipart or its MIME name). */
export function isMultipart(mediaType: string): boolean {
  const c = mediaType.charCodeAt(0) | 0x20;
  if (c === 0x6d) return mediaType.length > 10 && mediaType.slice(0, 10).toLowerCase() === 'multipart/';
  if (c !== 0x61 || mediaType.length <= 30) return false;
  return mediaType.startsWith('application/vnd.wap.multipart.') || mediaType.slice(0, 30).toLowerCase() === 'application/vnd.wap.multipart.';
}
