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

export function writeField(w: Writer, def: FieldDef, v: unknown): void {
  const key = def.key;
  const head = 0x80 | def.code;
  switch (def.kind) {
    case 'text':
      w.u8(head);
      w.textString(str(v, key));
      return;
    case 'encoded':
      w.u8(head);
      writeEncodedString(w, v as EncodedString, key);
      return;
    case 'address':
      arr(v, key).forEach((a, i) => {
        w.u8(head);
        writeEncodedString(w, addressText(a as EncodedAddress, `${key}[${i}]`), `${key}[${i}]`);
      });
      return;
    case 'from': {
      const f = v as FromAddress;
      w.u8(head);
      const m = w.beginLength();
      if (f && f.insertAddress) w.u8(0x81);
      else {
        w.u8(0x80);
        writeEncodedString(w, addressText(f, key), key);
      }
      w.endLength(m);
      return;
    }
    case 'date':
      w.u8(head);
      w.longInteger(seconds(v, key));
      return;
    case 'time':
      w.u8(head);
      writeTime(w, v as TimeValue, key);
      return;
    case 'long':
      w.u8(head);
      w.longInteger(num(v, key));
      return;
    case 'int':
      w.u8(head);
      w.integerValue(num(v, key));
      return;
    case 'bool':
      if (typeof v !== 'boolean') throw new MmsEncodeError(key, 'must be a boolean');
      w.u8x2(head, v ? 0x80 : 0x81);
      return;
    case 'enum':
      w.u8x2(head, enumOctet(def, v, key));
      return;
    case 'class':
      w.u8(head);
      if (typeof v === 'string' && def.values![v] === undefined) w.textString(v);
      else w.u8(enumOctet(def, v, key));
      return;
    case 'prevBy':
      arr(v, key).forEach((x, i) => {
        const e = x as PreviouslySentBy;
        const path = `${key}[${i}]`;
        w.u8(head);
        const m = w.beginLength();
        w.integerValue(num(e?.forwardedCount, path + '.forwardedCount'));
        writeEncodedString(w, addressText(e.address, path + '.address'), path + '.address');
        w.endLength(m);
      });
      return;
    case 'prevDate':
      arr(v, key).forEach((x, i) => {
        const e = x as PreviouslySentDate;
        const path = `${key}[${i}]`;
        w.u8(head);
        const m = w.beginLength();
        w.integerValue(num(e?.forwardedCount, path + '.forwardedCount'));
        w.longInteger(seconds(e.date, path + '.date'));
        w.endLength(m);
      });
      return;
    case 'flags':
      arr(v, key).forEach((x, i) => {
        const e = x as MmFlag;
        const path = `${key}[${i}]`;
        w.u8(head);
        const m = w.beginLength();
        w.u8(enumOctet(def, e?.action, path + '.action'));
        writeEncodedString(w, e.keyword, path + '.keyword');
        w.endLength(m);
      });
      return;
    case 'attr':
      arr(v, key).forEach((x, i) => {
        let c: number;
        if (typeof x === 'number') c = x;
        else {
          const d = typeof x === 'string' ? FIELDS_BY_KEY.get(x) : undefined;
          if (!d) throw new MmsEncodeError(`${key}[${i}]`, `unknown field ${String(x)}`);
          c = 0x80 | d.code;
        }
        if (!Number.isInteger(c) || c < 0x80 || c > 0xff) throw new MmsEncodeError(`${key}[${i}]`, 'bad field code');
        w.u8x2(head, c);
      });
      return;
    case 'counts': {
      const o = v as MboxCounts;
      if (!o || typeof o !== 'object') throw new MmsEncodeError(key, 'must be { messages?, bytes? }');
      if (o.messages !== undefined) {
        w.u8(head);
        const m = w.beginLength();
        w.u8(0x80);
        w.integerValue(num(o.messages, key + '.messages'));
        w.endLength(m);
      }
      if (o.bytes !== undefined) {
        w.u8(head);
        const m = w.beginLength();
        w.u8(0x81);
        w.integerValue(num(o.bytes, key + '.bytes'));
        w.endLength(m);
      }
      return;
    }
    case 'element': {
      const e = v as ElementDescriptor;
      w.u8(head);
      const m = w.beginLength();
      w.textString(str(e?.contentReference, key + '.contentReference'));
      if (e.params) {
        for (const [name, value] of Object.entries(e.params)) {
          str(value, `${key}.params.${name}`);
          if (name.toLowerCase() === 'type') {
            w.u8(0x82);
            // The code only when it reads back as this very media type.
            const ct = contentTypeCode(value);
            if (ct >= 0 && ct < 0x80 && contentTypeName(ct) === value) w.u8(0x80 | ct);
            else w.textValue(value);
          } else {
            if (name === '') throw new MmsEncodeError(`${key}.params`, 'a parameter name cannot be empty');
            w.textString(name);
            w.textValue(value);
          }
        }
      }
      w.endLength(m);
      return;
    }
    case 'version':
      w.u8x2(head, version(v));
      return;
    default:
      throw new MmsEncodeError(key, 'cannot encode this field');
  }
}

export function writeDeleteResults(w: Writer, list: DeleteResult[]): void {
  list.forEach((r, i) => {
    const path = `deleteResults[${i}]`;
    const index = num(r?.index, path + '.index');
    if (r.contentLocation !== undefined) {
      w.u8(0x80 | FIELD.contentLocation);
      const m = w.beginLength();
      w.integerValue(index);
      w.textString(str(r.contentLocation, path + '.contentLocation'));
      w.endLength(m);
    }
    if (r.responseStatus !== undefined) {
      w.u8(0x80 | FIELD.responseStatus);
      const m = w.beginLength();
      w.integerValue(index);
      const v = r.responseStatus;
      const o = typeof v === 'number' ? v : RESPONSE_STATUS[v];
      if (o === undefined || o < 0x80 || o > 0xff) throw new MmsEncodeError(path + '.responseStatus', `unknown value ${String(v)}`);
      w.u8(o);
      w.endLength(m);
    }
    if (r.responseText !== undefined) {
      w.u8(0x80 | FIELD.responseText);
      const m = w.beginLength();
      w.integerValue(index);
      writeEncodedString(w, r.responseText, path + '.responseText');
      w.endLength(m);
    }
  });
}

export function writeUnknown(w: Writer, list: UnknownHeader[]): void {
  list.forEach((h, i) => {
    const path = `unknownHeaders[${i}]`;
    if (h && 'raw' in h && h.code === undefined) {
      if (typeof h.name !== 'string' || h.name.length === 0 || h.name.charCodeAt(0) < 0x20 || h.name.charCodeAt(0) >= 0x7f) {
        throw new MmsEncodeError(path + '.name', 'must start with a printable ASCII character');
      }
      if (!(h.raw instanceof Uint8Array) || h.raw.length === 0) throw new MmsEncodeError(path + '.raw', 'must be non-empty bytes');
      w.token(h.name);
      w.bytes(h.raw);
    } else if (h && 'raw' in h) {
      if (!Number.isInteger(h.code) || h.code < 0 || h.code > 0x7f) throw new MmsEncodeError(path + '.code', 'must be 0..127');
      if (!(h.raw instanceof Uint8Array) || h.raw.length === 0) throw new MmsEncodeError(path + '.raw', 'must be non-empty bytes');
      if (h.code === FIELD.contentType) throw new MmsEncodeError(path + '.code', 'Content-Type goes in body');
      w.u8(0x80 | h.code);
      w.bytes(h.raw);
    } else if (h && typeof h.name === 'string' && typeof h.value === 'string') {
      if (h.name.length === 0 || h.name.charCodeAt(0) < 0x20 || h.name.charCodeAt(0) >= 0x7f) {
        throw new MmsEncodeError(path + '.name', 'must start with a printable ASCII character');
      }
      w.token(h.name);
      w.textString(h.value);
    } else throw new MmsEncodeError(path, 'must be { name, value } or { code, raw }');
  });
}
