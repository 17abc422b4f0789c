import { MmsEncodeError } from './errors.js';
import { MESSAGE_TYPE } from './mms/constants.js';
import type { MmsPdu } from './mms/types.js';
import { setOwn } from './own.js';

/** A JSON value. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export type JsonObject = { [key: string]: JsonValue };

/**
 * A JSON-safe copy of a PDU: Dates become ISO 8601 strings, byte arrays (bodies, raw header
 * values) base64 strings. `pduFromJson` reverses it.
 */
export function pduToJson(pdu: MmsPdu): JsonObject {
  return toJson(pdu) as JsonObject;
}

/**
 * The same conversion for any codec value (a decoded WAP Push, SMS TPDU, UDH): Dates as ISO 8601,
 * byte arrays as base64, undefined members left out.
 */
export function toJson(v: unknown): JsonValue {
  if (v === null) return null;
  if (v instanceof Date) return v.toISOString();
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  if (Array.isArray(v)) return v.map(toJson);
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return v;
    case 'number':
      return Number.isFinite(v) ? v : null;
    case 'object': {
      const o: JsonObject = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) if (x !== undefined) setOwn(o, k, toJson(x));
      return o;
    }
    default:
      return null;
  }
}

const DATE_KEYS = new Set(['date']);
const TIME_KEYS = new Set(['expiry', 'deliveryTime', 'replyChargingDeadline']);

/**
 * Builds a PDU from its JSON form (as made by pduToJson, or written by hand). Dates are ISO 8601
 * strings (or seconds since 1970); bytes are base64 strings, or `{ "text": "..." }` (UTF-8) or
 * `{ "hex": "..." }`. Throws MmsEncodeError naming the bad path. Values are checked in full by encodePdu.
 */
export function pduFromJson(json: unknown): MmsPdu {
  if (json === null || typeof json !== 'object' || Array.isArray(json)) throw new MmsEncodeError('', 'a PDU is a JSON object');
  const src = json as Record<string, unknown>;
  if (typeof src.messageType !== 'string' || !(src.messageType in MESSAGE_TYPE)) {
    throw new MmsEncodeError('messageType', `unknown message type ${JSON.stringify(src.messageType)}`);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(src)) {
    if (v === undefined || k === 'warnings') continue;
    if (DATE_KEYS.has(k)) out[k] = toDate(v, k);
    else if (TIME_KEYS.has(k)) out[k] = toTime(v, k);
    else if (k === 'previouslySentDate') {
      out[k] = arr(v, k).map((e, i) => {
        const o = obj(e, `${k}[${i}]`);
        return { ...o, date: toDate(o.date, `${k}[${i}].date`) };
      });
    } else if (k === 'unknownHeaders') {
      out[k] = arr(v, k).map((e, i) => rawHeader(e, `${k}[${i}]`));
    } else if (k === 'body') out[k] = toBody(v, 'body');
    else out[k] = v;
  }
  return out as unknown as MmsPdu;
}

function obj(v: unknown, path: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new MmsEncodeError(path, 'must be an object');
  return v as Record<string, unknown>;
}

function arr(v: unknown, path: string): unknown[] {
  if (!Array.isArray(v)) throw new MmsEncodeError(path, 'must be an array');
  return v;
}

function toDate(v: unknown, path: string): Date {
  const d = typeof v === 'number' ? new Date(v * 1000) : typeof v === 'string' ? new Date(v) : undefined;
  if (!d || Number.isNaN(d.getTime())) throw new MmsEncodeError(path, 'must be an ISO 8601 date string');
  return d;
}

function toTime(v: unknown, path: string): unknown {
  const o = obj(v, path);
  if ('absolute' in o) return { absolute: toDate(o.absolute, path + '.absolute') };
  if ('relativeSeconds' in o) return { relativeSeconds: o.relativeSeconds };
  throw new MmsEncodeError(path, 'must be { absolute } or { relativeSeconds }');
}

function toBytes(v: unknown, path: string): Buffer {
  if (typeof v === 'string') {
    if (!/^[A-Za-z0-9+/=\s_-]*$/.test(v)) throw new MmsEncodeError(path, 'must be base64');
    return Buffer.from(v, 'base64');
  }
  const o = obj(v, path);
  if (typeof o.text === 'string') return Buffer.from(o.text, 'utf8');
  if (typeof o.hex === 'string' && /^([0-9a-fA-F]{2})*$/.test(o.hex)) return Buffer.from(o.hex, 'hex');
  if (typeof o.base64 === 'string') return toBytes(o.base64, path + '.base64');
  throw new MmsEncodeError(path, 'bytes must be a base64 string, { text } or { hex }');
}

function rawHeader(v: unknown, path: string): unknown {
  const o = obj(v, path);
  if ('raw' in o) return { ...o, raw: toBytes(o.raw, path + '.raw') };
  return o;
}

function toBody(v: unknown, path: string): unknown {
  const o = obj(v, path);
  const r: Record<string, unknown> = { contentType: toContentType(o.contentType, path + '.contentType') };
  if (o.parts !== undefined) r.parts = arr(o.parts, path + '.parts').map((p, i) => toPart(p, `${path}.parts[${i}]`));
  else if (o.data !== undefined) r.data = toBytes(o.data, path + '.data');
  else throw new MmsEncodeError(path, 'needs parts or data');
  return r;
}

/** `{ type, params? }`: parameters may be left out in JSON. */
function toContentType(v: unknown, path: string): unknown {
  const o = obj(v, path);
  return { ...o, params: o.params === undefined ? {} : { ...obj(o.params, path + '.params') } };
}

function toPart(v: unknown, path: string): unknown {
  const o = obj(v, path);
  const headers = o.headers === undefined ? {} : { ...obj(o.headers, path + '.headers') };
  if (headers.other !== undefined) {
    headers.other = arr(headers.other, path + '.headers.other').map((h, i) => rawHeader(h, `${path}.headers.other[${i}]`));
  }
  const r: Record<string, unknown> = { contentType: toContentType(o.contentType, path + '.contentType'), headers };
  if (o.parts !== undefined) {
    r.parts = arr(o.parts, path + '.parts').map((p, i) => toPart(p, `${path}.parts[${i}]`));
    r.data = o.data !== undefined ? toBytes(o.data, path + '.data') : Buffer.alloc(0);
  } else r.data = toBytes(o.data ?? '', path + '.data');
  return r;
}
