import { Cursor, asBuffer } from '../wsp/cursor.js';
import { MmsDecodeError } from '../errors.js';
import { decodeContentType, isMultipart } from '../wsp/content-type.js';
import { decodeMultipart, warn, type MultipartContext } from '../wsp/multipart.js';
import { charsetName, decodeCharset } from '../wsp/charsets.js';
import { decodeText } from '../wsp/text.js';
import { FIELD_WIRE_NAME, type FieldName, type MessageType } from './constants.js';
import {
  FIELDS_BY_CODE,
  INDEXED_DELETE,
  MANDATORY,
  MESSAGE_TYPE_NAMES,
  MULTI_CONTENT_LOCATION,
  MULTI_MM_STATE,
  type FieldDef,
} from './fields.js';
import type {
  DecodeOptions,
  DeleteResult,
  EncodedAddress,
  EncodedString,
  FromAddress,
  MboxCounts,
  MmFlag,
  MmsBody,
  MmsPdu,
  TimeValue,
  UnknownHeader,
} from './types.js';

const DEFAULTS = { maxParts: 1000, maxDepth: 4, maxHeaders: 256 };

type Bag = Record<string, unknown>;

interface Ctx extends MultipartContext {
  strict: boolean;
}

/**
 * Decodes an MMS PDU (OMA MMS Encapsulation 1.0 - 1.3). Throws MmsDecodeError (offset, reason)
 * for malformed input; accepts known handset deviations with `warnings` unless `strict`.
 * Part bodies are views into `input` (no copy): keep `input` unchanged while you use them.
 */
export function decodePdu(input: Uint8Array, opts?: DecodeOptions): MmsPdu {
  if (!(input instanceof Uint8Array)) throw new MmsDecodeError('not-mms', 0, 'input is not a Uint8Array');
  const buf = asBuffer(input);
  const ctx: Ctx = {
    maxParts: opts?.maxParts ?? DEFAULTS.maxParts,
    maxDepth: opts?.maxDepth ?? DEFAULTS.maxDepth,
    maxHeaders: opts?.maxHeaders ?? DEFAULTS.maxHeaders,
    partCount: 0,
    warnings: undefined,
    strict: opts?.strict === true,
  };
  const c = new Cursor(buf);
  if (buf.length < 2) throw new MmsDecodeError('truncated', 0, 'too short for an MMS PDU');

  let type: MessageType | undefined;
  if (buf[0] === 0x8c) {
    type = MESSAGE_TYPE_NAMES[buf[1]! & 0x7f];
    if (!type || buf[1]! < 0x80) {
      throw new MmsDecodeError('unknown-message-type', 1, `X-Mms-Message-Type 0x${buf[1]!.toString(16)}`);
    }
    c.pos = 2;
  } else {
    type = findMessageType(buf);
    if (ctx.strict) throw new MmsDecodeError('non-conformant', 0, 'X-Mms-Message-Type is not the first header');
    warn(ctx, 0, 'X-Mms-Message-Type is not the first header');
  }

  const p: Bag = { messageType: type };
  let unknown: UnknownHeader[] | undefined;
  let count = 0;
  let body: MmsBody | undefined;

  while (c.pos < buf.length) {
    const at = c.pos;
    const b = buf[at]!;
    if (++count > ctx.maxHeaders) c.fail('limit-exceeded', `more than ${ctx.maxHeaders} headers`);
    if (b & 0x80) {
      const code = b & 0x7f;
      c.pos++;
      if (code === 0x04) {
        body = decodeBody(c, ctx, opts?.headersOnly === true);
        break;
      }
      if (code === 0x0c) {
        // Message-Type seen again (or after others, in the lenient case): checked, not stored twice.
        const v = c.u8();
        if (at !== 0 && MESSAGE_TYPE_NAMES[v & 0x7f] !== type) {
          if (ctx.strict) c.fail('non-conformant', 'second X-Mms-Message-Type', at);
          warn(ctx, at, 'conflicting X-Mms-Message-Type ignored');
        }
        continue;
      }
      const def = FIELDS_BY_CODE[code];
      if (def === undefined || def.kind === 'raw') {
        const [s, e] = c.skipValue();
        (unknown ??= []).push({ code, raw: buf.subarray(s, e) });
        continue;
      }
      try {
        decodeField(c, p, def, type, ctx);
      } catch (e) {
        if (!(e instanceof MmsDecodeError) || ctx.strict || e.reason === 'limit-exceeded') throw e;
        // A value in a form the spec does not allow: keep it raw, report it, go on.
        c.pos = at + 1;
        const [s, en] = c.skipValue();
        (unknown ??= []).push({ code, raw: buf.subarray(s, en) });
        warn(ctx, at, `${FIELD_WIRE_NAME[def.key]}: ${e.message}; kept as an unknown header`);
      }
    } else if (b >= 0x20 && b < 0x7f) {
      // Application-header = Token-text Application-specific-value
      const name = c.textString();
      const vb = c.peek();
      if (vb === 0 || vb >= 0x20) (unknown ??= []).push({ name, value: c.textString() });
      else {
        // Not a text value: kept as its raw bytes.
        const [s, e] = c.skipValue();
        (unknown ??= []).push({ name, raw: buf.subarray(s, e) });
        warn(ctx, at, `application header ${name} has a binary value`);
      }
    } else {
      if (b === 0 && isZeroTail(buf, at)) {
        // Trailing NUL padding after the last header (seen from real MMSCs).
        if (ctx.strict) c.fail('non-conformant', 'NUL octets after the last header');
        warn(ctx, at, `${buf.length - at} NUL octet(s) after the last header ignored`);
        break;
      }
      c.fail('invalid-value', `expected a header field name, got 0x${b.toString(16)}`);
    }
  }

  if (body !== undefined) p.body = body;
  if (unknown !== undefined) p.unknownHeaders = unknown;
  checkMandatory(p, ctx);
  if (ctx.warnings !== undefined) p.warnings = ctx.warnings;
  return p as unknown as MmsPdu;
}

function isZeroTail(buf: Buffer, from: number): boolean {
  for (let i = from; i < buf.length; i++) if (buf[i] !== 0) return false;
  return true;
}

/** Lenient: X-Mms-Message-Type is not first; walk the headers generically to find it. */
function findMessageType(buf: Buffer): MessageType {
  const c = new Cursor(buf);
  try {
    while (c.pos < buf.length) {
      const b = c.u8();
      if (b === 0x84) break;
      if (b === 0x8c) {
        const t = MESSAGE_TYPE_NAMES[c.u8() & 0x7f];
        if (t) return t;
        break;
      }
      if (b & 0x80) c.skipValue();
      else if (b >= 0x20) {
        c.pos--;
        c.textString();
        c.skipValue();
      } else break;
    }
  } catch (e) {
    if (!(e instanceof MmsDecodeError)) throw e;
  }
  throw new MmsDecodeError('not-mms', 0, 'no X-Mms-Message-Type header: not an MMS PDU');
}

function decodeBody(c: Cursor, ctx: Ctx, headersOnly: boolean): MmsBody {
  const contentType = decodeContentType(c);
  const start = c.pos;
  const end = c.end;
  if (!headersOnly && end > start && isMultipart(contentType.mediaType)) {
    const mark = ctx.warnings?.length ?? 0;
    try {
      return { contentType, parts: decodeMultipart(c, ctx, 1) };
    } catch (e) {
      if (!(e instanceof MmsDecodeError) || ctx.strict || e.reason === 'limit-exceeded') throw e;
      if (ctx.warnings) ctx.warnings.length = mark;
      warn(ctx, start, `body is not a WSP multipart (${e.message}); kept as data`);
      c.pos = end;
    }
  }
  c.pos = end;
  return { contentType, data: c.buf.subarray(start, end) };
}

function setOnce(c: Cursor, p: Bag, key: string, value: unknown, ctx: Ctx, at: number): void {
  if (p[key] !== undefined) {
    if (ctx.strict) c.fail('non-conformant', `${key} repeated`, at);
    // keep the first; the repeat is reported
    warn(ctx, at, `${key} repeated; first value kept`);
    return;
  }
  p[key] = value;
}

function pushTo(p: Bag, key: string, value: unknown): void {
  const a = p[key] as unknown[] | undefined;
  if (a === undefined) p[key] = [value];
  else a.push(value);
}

function decodeField(c: Cursor, p: Bag, def: FieldDef, type: MessageType, ctx: Ctx): void {
  const at = c.pos - 1;
  const key = def.key;
  switch (def.kind) {
    case 'text': {
      if (key === 'contentLocation') {
        if (INDEXED_DELETE.has(type) && c.peek() < 0x20 && c.peek() !== 0) {
          indexed(c, p, 'contentLocation');
          return;
        }
        const v = c.textString();
        if (MULTI_CONTENT_LOCATION.has(type)) pushTo(p, 'contentLocations', v);
        else setOnce(c, p, key, v, ctx, at);
        return;
      }
      const b = c.peek();
      if (b !== 0 && b < 0x20) {
        // Some encoders send IDs as Encoded-string-value.
        warn(ctx, at, `${FIELD_WIRE_NAME[key]} written as an encoded string`);
        setOnce(c, p, key, encodedString(c).text, ctx, at);
        return;
      }
      setOnce(c, p, key, c.textString(), ctx, at);
      return;
    }
    case 'encoded':
      if (INDEXED_DELETE.has(type) && key === 'responseText' && c.peek() < 0x20 && c.peek() !== 0) {
        indexed(c, p, 'responseText');
        return;
      }
      setOnce(c, p, key, encodedString(c, ctx), ctx, at);
      return;
    case 'address':
      pushTo(p, key, address(c, ctx));
      return;
    case 'from':
      setOnce(c, p, key, from(c, ctx, at), ctx, at);
      return;
    case 'date':
      setOnce(c, p, key, new Date(dateSeconds(c) * 1000), ctx, at);
      return;
    case 'time':
      setOnce(c, p, key, timeValue(c), ctx, at);
      return;
    case 'long': {
      const b = c.peek();
      // Lenient: a Short-integer where a Long-integer belongs.
      const v = b & 0x80 ? (c.pos++, b & 0x7f) : c.longInteger();
      setOnce(c, p, key, v, ctx, at);
      return;
    }
    case 'int':
      setOnce(c, p, key, c.integerValue(), ctx, at);
      return;
    case 'bool': {
      const v = c.u8();
      if (v !== 0x80 && v !== 0x81) c.fail('invalid-value', `expected Yes (0x80) or No (0x81), got 0x${v.toString(16)}`, at + 1);
      setOnce(c, p, key, v === 0x80, ctx, at);
      return;
    }
    case 'enum': {
      if (key === 'responseStatus' && INDEXED_DELETE.has(type) && c.peek() < 0x20) {
        indexed(c, p, 'responseStatus');
        return;
      }
      const v = c.u8();
      if (v < 0x80) c.fail('invalid-value', `expected a well-known value, got 0x${v.toString(16)}`, at + 1);
      const name = def.names![v & 0x7f] ?? v;
      if (key === 'mmState' && MULTI_MM_STATE.has(type)) pushTo(p, 'mmStates', name);
      else setOnce(c, p, key, name, ctx, at);
      return;
    }
    case 'class': {
      const b = c.peek();
      if (b & 0x80) {
        c.pos++;
        setOnce(c, p, key, def.names![b & 0x7f] ?? b, ctx, at);
      } else setOnce(c, p, key, c.textString(), ctx, at);
      return;
    }
    case 'version': {
      const b = c.peek();
      if (b & 0x80) {
        c.pos++;
        const major = (b >> 4) & 0x07;
        const minor = b & 0x0f;
        setOnce(c, p, key, minor === 0x0f ? `${major}` : `${major}.${minor}`, ctx, at);
      } else {
        if (ctx.strict) c.fail('non-conformant', 'X-Mms-MMS-Version as text', at);
        warn(ctx, at, 'X-Mms-MMS-Version written as text');
        setOnce(c, p, key, c.textString(), ctx, at);
      }
      return;
    }
    case 'prevBy': {
      const len = c.valueLength();
      const end = c.pos + len;
      const saveEnd = c.end;
      c.end = end;
      const forwardedCount = c.integerValue();
      const addr = address(c, ctx);
      c.end = saveEnd;
      c.pos = end;
      pushTo(p, key, { forwardedCount, address: addr });
      return;
    }
    case 'prevDate': {
      const len = c.valueLength();
      const end = c.pos + len;
      const saveEnd = c.end;
      c.end = end;
      const forwardedCount = c.integerValue();
      const date = new Date(dateSeconds(c) * 1000);
      c.end = saveEnd;
      c.pos = end;
      pushTo(p, key, { forwardedCount, date });
      return;
    }
    case 'flags': {
      const len = c.valueLength();
      const end = c.pos + len;
      const saveEnd = c.end;
      c.end = end;
      const t = c.u8();
      const action = def.names![t & 0x7f];
      if (t < 0x80 || !action) c.fail('invalid-value', `MM-Flags token 0x${t.toString(16)}`, c.pos - 1);
      const keyword = encodedString(c, ctx);
      c.end = saveEnd;
      c.pos = end;
      pushTo(p, key, { action, keyword } as MmFlag);
      return;
    }
    case 'attr': {
      const v = c.u8();
      if (v < 0x80) c.fail('invalid-value', `X-Mms-Attributes 0x${v.toString(16)}`, at + 1);
      pushTo(p, key, FIELDS_BY_CODE[v & 0x7f]?.key ?? v);
      return;
    }
    case 'counts': {
      const len = c.valueLength();
      const end = c.pos + len;
      const saveEnd = c.end;
      c.end = end;
      const t = c.u8();
      if (t !== 0x80 && t !== 0x81) c.fail('invalid-value', `totals token 0x${t.toString(16)}`, c.pos - 1);
      const n = c.integerValue();
      c.end = saveEnd;
      c.pos = end;
      let o = p[key] as MboxCounts | undefined;
      if (o === undefined) p[key] = o = {};
      if (t === 0x80) o.messages = n;
      else o.bytes = n;
      return;
    }
    case 'element': {
      const len = c.valueLength();
      const end = c.pos + len;
      const saveEnd = c.end;
      c.end = end;
      const contentReference = c.textString();
      let params: Record<string, string> | undefined;
      while (c.pos < end) {
        const b = c.peek();
        let name: string;
        if (b & 0x80) {
          c.pos++;
          name = (b & 0x7f) === 0x02 ? 'type' : `0x${(b & 0x7f).toString(16)}`;
        } else name = c.textString().toLowerCase();
        let value: string;
        const vb = c.peek();
        if (name === 'type' && vb & 0x80) {
          c.pos++;
          value = decodeContentTypeCode(vb & 0x7f);
        } else if (vb & 0x80) {
          c.pos++;
          value = String(vb & 0x7f);
        } else value = c.quotedOrText();
        (params ??= {})[name] = value;
      }
      c.end = saveEnd;
      c.pos = end;
      setOnce(c, p, key, params ? { contentReference, params } : { contentReference }, ctx, at);
      return;
    }
    default:
      c.fail('invalid-value', `unhandled field ${key}`, at);
  }
}

function decodeContentTypeCode(code: number): string {
  const c = new Cursor(Buffer.from([code | 0x80]));
  return decodeContentType(c).mediaType;
}

/** Delete-conf forms: Value-length Status-count-value (Content-location | Response-status | Response-text). */
function indexed(c: Cursor, p: Bag, what: 'contentLocation' | 'responseStatus' | 'responseText'): void {
  const len = c.valueLength();
  const end = c.pos + len;
  const saveEnd = c.end;
  c.end = end;
  const index = c.integerValue();
  let list = p.deleteResults as DeleteResult[] | undefined;
  if (list === undefined) p.deleteResults = list = [];
  let r = list.find((x) => x.index === index);
  if (!r) {
    r = { index };
    list.push(r);
  }
  if (what === 'contentLocation') r.contentLocation = c.textString();
  else if (what === 'responseText') r.responseText = encodedString(c);
  else {
    const v = c.u8();
    if (v < 0x80) c.fail('invalid-value', `response status 0x${v.toString(16)}`, c.pos - 1);
    const def = FIELDS_BY_CODE[0x12]!;
    r.responseStatus = (def.names![v & 0x7f] ?? v) as DeleteResult['responseStatus'];
  }
  c.end = saveEnd;
  c.pos = end;
}

function dateSeconds(c: Cursor): number {
  const b = c.peek();
  if (b & 0x80) {
    c.pos++;
    return b & 0x7f;
  }
  const at = c.pos;
  const v = c.longInteger();
  // JavaScript dates end at 8.64e15 ms (year 275760).
  if (v > 8.64e12) c.fail('invalid-value', `date ${v} out of range`, at);
  return v;
}

function timeValue(c: Cursor): TimeValue {
  const len = c.valueLength();
  const end = c.pos + len;
  const saveEnd = c.end;
  c.end = end;
  const at = c.pos;
  const t = c.u8();
  let v: TimeValue;
  if (t === 0x80) v = { absolute: new Date(dateSeconds(c) * 1000) };
  else if (t === 0x81) v = { relativeSeconds: c.integerValue() };
  else return c.fail('invalid-value', `expected Absolute-token or Relative-token, got 0x${t.toString(16)}`, at);
  c.end = saveEnd;
  c.pos = end;
  return v;
}

/** Encoded-string-value = Text-string | Value-length Char-set Text-string. */
export function encodedString(c: Cursor, ctx?: Ctx): EncodedString {
  const b = c.peek();
  if (b === 0 || b >= 0x20) return { text: c.textString() };
  const len = c.valueLength();
  const end = c.pos + len;
  if (len === 0) return { text: '' };
  const saveEnd = c.end;
  c.end = end;
  let mib: number;
  let charset: string;
  const cb = c.peek();
  if (cb === 0x80) {
    c.pos++;
    mib = 106;
    charset = '*';
  } else if (cb & 0x80 || cb < 0x20) {
    mib = c.integerValue();
    charset = charsetName(mib);
  } else {
    // Lenient: no charset, just text inside a value-length.
    mib = 106;
    charset = 'utf-8';
  }
  c.end = saveEnd;
  let s = c.pos;
  let e = end;
  const wide = mib === 1000 || mib === 1013 || mib === 1014 || mib === 1015;
  if (e > s && c.buf[e - 1] === 0) e--;
  if (wide) {
    if ((e - s) % 2 === 1 && c.buf[e - 1] === 0) e--;
  } else {
    if (c.buf[s] === 0x7f) s++;
    // The text ends at its NUL; anything after it inside the value-length is padding.
    const z = c.buf.indexOf(0, s);
    if (z >= 0 && z < e) e = z;
  }
  c.pos = end;
  let text: string;
  if (mib === 106 || mib === 3 || mib === 0) {
    // A UTF-8 byte-order mark some handsets put in front is not part of the text.
    if (mib === 106 && e - s >= 3 && c.buf[s] === 0xef && c.buf[s + 1] === 0xbb && c.buf[s + 2] === 0xbf) s += 3;
    text = decodeText(c.buf, s, e);
  } else {
    text = decodeCharset(c.buf.subarray(s, e), mib);
    if (ctx && text.includes('\ufffd')) {
      if (ctx.strict) c.fail('invalid-value', `text is not valid ${charset}`, s);
      warn(ctx, s, `text is not valid ${charset}; undecodable octets replaced`);
    }
  }
  return { text, charset };
}

function splitAddress(s: EncodedString): EncodedAddress {
  const t = s.text;
  // Find "/TYPE=" (or "/type=") scanning back from the end: the type token is short.
  let i = -1;
  for (let j = t.length - 6, stop = Math.max(0, t.length - 40); j >= stop; j--) {
    if (t.charCodeAt(j) === 0x2f && (t.charCodeAt(j + 5) === 0x3d) && (t.charCodeAt(j + 1) | 0x20) === 0x74 &&
      (t.charCodeAt(j + 2) | 0x20) === 0x79 && (t.charCodeAt(j + 3) | 0x20) === 0x70 && (t.charCodeAt(j + 4) | 0x20) === 0x65) {
      const upper = t.charCodeAt(j + 1) === 0x54;
      if (upper ? t.startsWith('/TYPE=', j) : t.startsWith('/type=', j)) {
        i = j;
        break;
      }
    }
  }
  const a: EncodedAddress = i >= 0 ? { address: t.slice(0, i), type: addressType(t, i + 6) } : { address: t };
  if (s.charset !== undefined) a.charset = s.charset;
  return a;
}

/** The type token after /TYPE=, without allocating for the common ones. */
function addressType(t: string, from: number): string {
  const n = t.length - from;
  if (n === 4 && t.endsWith('PLMN')) return 'PLMN';
  if (n === 4 && t.endsWith('IPv4')) return 'IPv4';
  if (n === 4 && t.endsWith('IPv6')) return 'IPv6';
  return t.slice(from);
}

function address(c: Cursor, ctx?: Ctx): EncodedAddress {
  return splitAddress(encodedString(c, ctx));
}

function from(c: Cursor, ctx: Ctx, at: number): FromAddress {
  const b = c.peek();
  if (b === 0 || b >= 0x20) {
    if (ctx.strict) c.fail('non-conformant', 'From without Value-length', at);
    warn(ctx, at, 'From written without Value-length and address token');
    return address(c, ctx);
  }
  const len = c.valueLength();
  const end = c.pos + len;
  const saveEnd = c.end;
  c.end = end;
  const t = len > 0 ? c.u8() : 0x81;
  let v: FromAddress;
  if (t === 0x81) v = { address: '', insertAddress: true };
  else if (t === 0x80) v = c.pos < end ? address(c, ctx) : { address: '' };
  else {
    // Lenient: the token is missing and the encoded string starts at once.
    c.pos--;
    warn(ctx, at, 'From without Address-present-token');
    v = address(c, ctx);
  }
  c.end = saveEnd;
  c.pos = end;
  return v;
}

function checkMandatory(p: Bag, ctx: Ctx): void {
  const missing: string[] = [];
  for (const f of MANDATORY[p.messageType as MessageType]) {
    if (p[f] === undefined) missing.push(f === 'body' ? 'Content-Type' : FIELD_WIRE_NAME[f as FieldName]);
  }
  if (missing.length === 0) return;
  const msg = `${String(p.messageType)} lacks mandatory ${missing.join(', ')}`;
  if (ctx.strict) throw new MmsDecodeError('non-conformant', 0, msg);
  warn(ctx, 0, msg);
}
