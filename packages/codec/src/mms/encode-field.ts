import type { Writer } from '../wsp/writer.js';
import { MmsEncodeError } from '../errors.js';
import { charsetMib, encodeCharset } from '../wsp/charsets.js';
import { charsetUnit } from '../wsp/charset-text.js';
import { contentTypeCode, contentTypeName } from '../wsp/tables.js';
import { FIELD, RESPONSE_STATUS } from './constants.js';
import { FIELDS_BY_KEY, type FieldDef } from './fields.js';
import type {
  DeleteResult,
  ElementDescriptor,
  EncodedAddress,
  EncodedString,
  FromAddress,
  MboxCounts,
  MmFlag,
  PreviouslySentBy,
  PreviouslySentDate,
  TimeValue,
  UnknownHeader,
} from './types.js';

/** Encoders of the MMS header field values (OMA-TS-MMS_ENC 7.3), one per field kind. */

export function str(v: unknown, path: string): string {
  if (typeof v !== 'string') throw new MmsEncodeError(path, 'must be a string');
  return v;
}

export function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new MmsEncodeError(path, 'must be an array');
  return v;
}

function num(v: unknown, path: string): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw new MmsEncodeError(path, 'must be a non-negative integer');
  return v;
}

export const VERSION = /^([0-7])(?:\.(\d{1,2}))?$/;

export function version(v: unknown): number {
  const m = typeof v === 'string' ? VERSION.exec(v) : null;
  if (!m || Number(m[2] ?? 15) > 15) throw new MmsEncodeError('mmsVersion', `bad version ${String(v)} (want "1.2")`);
  return 0x80 | (Number(m[1]) << 4) | Number(m[2] ?? 15);
}

function seconds(v: unknown, path: string): number {
  if (!(v instanceof Date) || Number.isNaN(v.getTime())) throw new MmsEncodeError(path, 'must be a valid Date');
  const s = Math.floor(v.getTime() / 1000);
  if (s < 0) throw new MmsEncodeError(path, 'dates before 1970 cannot be encoded');
  return s;
}

export function enumOctet(def: FieldDef, v: unknown, path: string): number {
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || v < 0x80 || v > 0xff) throw new MmsEncodeError(path, `raw value must be 0x80..0xff`);
    return v;
  }
  const o = typeof v === 'string' ? def.values![v] : undefined;
  if (o === undefined) throw new MmsEncodeError(path, `unknown value ${JSON.stringify(v)}`);
  return o;
}

/** Encoded-string-value. */
export function writeEncodedString(w: Writer, s: EncodedString, path: string): void {
  if (!s || typeof s.text !== 'string') throw new MmsEncodeError(path, 'must be { text, charset? }');
  if (s.charset === undefined) {
    w.textString(s.text);
    return;
  }
  const mib = s.charset === '*' ? 0 : charsetMib(s.charset);
  if (mib < 0) throw new MmsEncodeError(path + '.charset', `unknown charset ${s.charset}`);
  // Decoders drop a byte-order mark in front of UTF-8, UTF-16 and UTF-32 text: text that starts
  // with U+FEFF gets one of its own so that it keeps that character.
  const text = s.text.charCodeAt(0) === 0xfeff && mib !== 0 && (mib === 106 || charsetUnit(mib) > 1) ? `\ufeff${s.text}` : s.text;
  const m = w.beginLength();
  if (mib === 0) w.u8(0x80);
  else w.integerValue(mib);
  if (mib === 106 || mib === 0) w.textString(text);
  else {
    let bytes: Buffer;
    try {
      bytes = encodeCharset(text, mib);
    } catch (e) {
      throw new MmsEncodeError(path, (e as Error).message);
    }
    // A leading 0x7F is the decoder's quote: text starting with it (or above) gets a quote of its own.
    if (charsetUnit(mib) === 1 && bytes.length > 0 && bytes[0]! >= 0x7f) w.u8(0x7f);
    w.bytes(bytes);
    w.u8(0);
  }
  w.endLength(m);
}

function addressText(a: EncodedAddress, path: string): EncodedString {
  if (!a || typeof a.address !== 'string') throw new MmsEncodeError(path, 'must be { address, type? }');
  const text = a.type !== undefined ? `${a.address}/TYPE=${str(a.type, path + '.type')}` : a.address;
  return a.charset !== undefined ? { text, charset: a.charset } : { text };
}

function writeTime(w: Writer, t: TimeValue, path: string): void {
  const m = w.beginLength();
  if (t && 'absolute' in t) {
    w.u8(0x80);
    w.longInteger(seconds(t.absolute, path + '.absolute'));
  } else if (t && 'relativeSeconds' in t) {
    w.u8(0x81);
    w.longInteger(num(t.relativeSeconds, path + '.relativeSeconds'));
  } else throw new MmsEncodeError(path, 'must be { absolute: Date } or { relativeSeconds: number }');
  w.endLength(m);
}

/** Writes a header field: one header per item for the repeatable fields, two for the mbox counts. */
export function writeField(w: Writer, def: FieldDef, v: unknown): void {
  const key = def.key;
  const head = 0x80 | def.code;
  if (def.multi) {
    const list = arr(v, key);
    for (let i = 0; i < list.length; i++) {
      w.u8(head);
      writeValue(w, def, list[i], `${key}[${i}]`);
    }
    return;
  }
  if (def.kind === 'counts') {
    const o = v as MboxCounts;
    if (!o || typeof o !== 'object') throw new MmsEncodeError(key, 'must be { messages?, bytes? }');
    if (o.messages !== undefined) writeCount(w, head, 0x80, num(o.messages, key + '.messages'));
    if (o.bytes !== undefined) writeCount(w, head, 0x81, num(o.bytes, key + '.bytes'));
    return;
  }
  w.u8(head);
  writeValue(w, def, v, key);
}

/** X-Mms-Mbox-Totals / X-Mms-Mbox-Quotas: Value-length (Message-total-token | Size-total-token) Integer-value. */
function writeCount(w: Writer, head: number, token: number, n: number): void {
  w.u8(head);
  const m = w.beginLength();
  w.u8(token);
  w.integerValue(n);
  w.endLength(m);
}

/** The value of one header (one item of a repeatable one), after its field code. */
function writeValue(w: Writer, def: FieldDef, v: unknown, path: string): void {
  switch (def.kind) {
    case 'text':
      w.textString(str(v, path));
      return;
    case 'encoded':
    case 'address':
      // An address is an Encoded-string-value with its type after `/TYPE=`.
      writeEncodedString(w, def.kind === 'address' ? addressText(v as EncodedAddress, path) : (v as EncodedString), path);
      return;
    case 'from': {
      const f = v as FromAddress;
      const m = w.beginLength();
      if (f && f.insertAddress) w.u8(0x81);
      else {
        w.u8(0x80);
        writeEncodedString(w, addressText(f, path), path);
      }
      w.endLength(m);
      return;
    }
    case 'date':
    case 'long':
      // A Date-value is a Long-integer of seconds.
      w.longInteger(def.kind === 'date' ? seconds(v, path) : num(v, path));
      return;
    case 'time':
      writeTime(w, v as TimeValue, path);
      return;
    case 'int':
      w.integerValue(num(v, path));
      return;
    case 'bool':
      if (typeof v !== 'boolean') throw new MmsEncodeError(path, 'must be a boolean');
      w.u8(v ? 0x80 : 0x81);
      return;
    case 'enum':
      w.u8(enumOctet(def, v, path));
      return;
    case 'class':
      if (typeof v === 'string' && def.values![v] === undefined) w.textString(v);
      else w.u8(enumOctet(def, v, path));
      return;
    case 'prevBy':
    case 'prevDate': {
      // Value-length Forwarded-count-value (Encoded-string-value | Date-value)
      const e = v as PreviouslySentBy & PreviouslySentDate;
      const m = w.beginLength();
      w.integerValue(num(e?.forwardedCount, path + '.forwardedCount'));
      if (def.kind === 'prevBy') writeEncodedString(w, addressText(e.address, path + '.address'), path + '.address');
      else w.longInteger(seconds(e.date, path + '.date'));
      w.endLength(m);
      return;
    }
    case 'flags': {
      const e = v as MmFlag;
      const m = w.beginLength();
      w.u8(enumOctet(def, e?.action, path + '.action'));
      writeEncodedString(w, e.keyword, path + '.keyword');
      w.endLength(m);
      return;
    }
    case 'attr': {
      let c: number;
      if (typeof v === 'number') c = v;
      else {
        const d = typeof v === 'string' ? FIELDS_BY_KEY.get(v) : undefined;
        if (!d) throw new MmsEncodeError(path, `unknown field ${String(v)}`);
        c = 0x80 | d.code;
      }
      if (!Number.isInteger(c) || c < 0x80 || c > 0xff) throw new MmsEncodeError(path, 'bad field code');
      w.u8(c);
      return;
    }
    case 'element':
      writeElement(w, v as ElementDescriptor, path);
      return;
    case 'version':
      w.u8(version(v));
      return;
    default:
      throw new MmsEncodeError(path, 'cannot encode this field');
  }
}

/** X-Mms-Element-Descriptor: Value-length Content-Reference-value *(Parameter). */
function writeElement(w: Writer, e: ElementDescriptor, path: string): void {
  const m = w.beginLength();
  w.textString(str(e?.contentReference, path + '.contentReference'));
  if (e.params) {
    for (const [name, value] of Object.entries(e.params)) {
      str(value, `${path}.params.${name}`);
      if (name.toLowerCase() === 'type') {
        w.u8(0x82);
        // The code only when it reads back as this very media type.
        const ct = contentTypeCode(value);
        if (ct >= 0 && ct < 0x80 && contentTypeName(ct) === value) w.u8(0x80 | ct);
        else w.textValue(value);
      } else {
        if (name === '') throw new MmsEncodeError(`${path}.params`, 'a parameter name cannot be empty');
        w.textString(name);
        w.textValue(value);
      }
    }
  }
  w.endLength(m);
}

/** Opens one indexed header of a delete confirmation: field code, Value-length, Status-count index. */
function beginIndexed(w: Writer, code: number, index: number): number {
  w.u8(0x80 | code);
  const m = w.beginLength();
  w.integerValue(index);
  return m;
}

export function writeDeleteResults(w: Writer, list: DeleteResult[]): void {
  list.forEach((r, i) => {
    const path = `deleteResults[${i}]`;
    const index = num(r?.index, path + '.index');
    if (r.contentLocation !== undefined) {
      const m = beginIndexed(w, FIELD.contentLocation, index);
      w.textString(str(r.contentLocation, path + '.contentLocation'));
      w.endLength(m);
    }
    if (r.responseStatus !== undefined) {
      const m = beginIndexed(w, FIELD.responseStatus, index);
      const v = r.responseStatus;
      const o = typeof v === 'number' ? v : RESPONSE_STATUS[v];
      if (o === undefined || o < 0x80 || o > 0xff) throw new MmsEncodeError(path + '.responseStatus', `unknown value ${String(v)}`);
      w.u8(o);
      w.endLength(m);
    }
    if (r.responseText !== undefined) {
      const m = beginIndexed(w, FIELD.responseText, index);
      writeEncodedString(w, r.responseText, path + '.responseText');
      w.endLength(m);
    }
  });
}

/** An application header's name: a Token-text, so its first character must be printable ASCII. */
function checkName(name: unknown, path: string): asserts name is string {
  if (typeof name !== 'string' || name.length === 0 || name.charCodeAt(0) < 0x20 || name.charCodeAt(0) >= 0x7f) {
    throw new MmsEncodeError(path + '.name', 'must start with a printable ASCII character');
  }
}

function checkRaw(raw: unknown, path: string): asserts raw is Uint8Array {
  if (!(raw instanceof Uint8Array) || raw.length === 0) throw new MmsEncodeError(path + '.raw', 'must be non-empty bytes');
}

export function writeUnknown(w: Writer, list: UnknownHeader[]): void {
  list.forEach((h, i) => {
    const path = `unknownHeaders[${i}]`;
    if (h && 'raw' in h && h.code === undefined) {
      checkName(h.name, path);
      checkRaw(h.raw, path);
      w.token(h.name);
      w.bytes(h.raw);
    } else if (h && 'raw' in h) {
      if (!Number.isInteger(h.code) || h.code < 0 || h.code > 0x7f) throw new MmsEncodeError(path + '.code', 'must be 0..127');
      checkRaw(h.raw, path);
      if (h.code === FIELD.contentType) throw new MmsEncodeError(path + '.code', 'Content-Type goes in body');
      w.u8(0x80 | h.code);
      w.bytes(h.raw);
    } else if (h && typeof h.name === 'string' && typeof h.value === 'string') {
      checkName(h.name, path);
      w.token(h.name);
      w.textString(h.value);
    } else throw new MmsEncodeError(path, 'must be { name, value } or { code, raw }');
  });
}
