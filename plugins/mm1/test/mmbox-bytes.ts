/**
 * MMBox, delete and cancel PDUs as a handset writes them, byte by byte from OMA-TS-MMS_ENC-V1_3
 * (header field codes 0x22-0x3F | 0x80, message types 0x8B-0x97, the MM-State, MM-Flags,
 * Store-Status and Cancel-Status tokens), and a reader for the answers that walks the bytes
 * with the generic WSP value rules: no use of the project's codec.
 */
import { uintvar } from './pdu-bytes.js';

const text = (s: string): number[] => [...Buffer.from(s, 'utf8'), 0x00];
const head = (type: number, tid: string): number[] => [0x8c, type, 0x98, ...text(tid), 0x8d, 0x93]; // MMS 1.3

export const MM_STATE = { draft: 0x80, sent: 0x81, new: 0x82, retrieved: 0x83, forwarded: 0x84 } as const;
export const FLAG = { add: 0x80, remove: 0x81, filter: 0x82 } as const;
export type Flag = [keyof typeof FLAG, string];

/** X-Mms-MM-Flags (0xA4): Value-length (Add | Remove | Filter token) Encoded-string-value. */
function flags(list: readonly Flag[] = []): number[] {
  return list.flatMap(([action, word]) => {
    const value = [FLAG[action], ...text(word)];
    return [0xa4, value.length, ...value];
  });
}

function state(s: keyof typeof MM_STATE | undefined): number[] {
  return s ? [0xa3, MM_STATE[s]] : [];
}

/** Integer-value: a Short-integer below 128, else a Long-integer. */
function integer(n: number): number[] {
  if (n < 0x80) return [0x80 | n];
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return [bytes.length, ...bytes];
}

/** m-mbox-store-req (0x8B): X-Mms-Content-Location (0x83), X-Mms-MM-State, X-Mms-MM-Flags. */
export function mboxStoreReq(tid: string, location: string, opts: { state?: keyof typeof MM_STATE; flags?: Flag[] } = {}): Buffer {
  return Buffer.from([...head(0x8b, tid), 0x83, ...text(location), ...state(opts.state), ...flags(opts.flags)]);
}

export interface ViewSpec {
  locations?: string[];
  states?: (keyof typeof MM_STATE)[];
  flags?: Flag[];
  start?: number;
  limit?: number;
  /** Field codes (without the high bit): 0x16 Subject, 0x09 From, 0x0e Message-Size, 0x2e Content, … */
  attributes?: number[];
  totals?: boolean;
  quotas?: boolean;
}

/** m-mbox-view-req (0x8D). */
export function mboxViewReq(tid: string, v: ViewSpec = {}): Buffer {
  return Buffer.from([
    ...head(0x8d, tid),
    ...(v.locations ?? []).flatMap((l) => [0x83, ...text(l)]),
    ...(v.states ?? []).flatMap((s) => [0xa3, MM_STATE[s]]),
    ...flags(v.flags),
    ...(v.start !== undefined ? [0xaf, ...integer(v.start)] : []),
    ...(v.limit !== undefined ? [0xb3, ...integer(v.limit)] : []),
    ...(v.attributes ?? []).flatMap((a) => [0xa8, 0x80 | a]),
    ...(v.totals !== undefined ? [0xa9, v.totals ? 0x80 : 0x81] : []),
    ...(v.quotas !== undefined ? [0xab, v.quotas ? 0x80 : 0x81] : []),
  ]);
}

/**
 * An MM as the body of an upload: an m-mbox-descr (0x93) with To, Subject and a
 * multipart/mixed (0xA3) of one text/plain utf-8 part.
 */
export function draftDescr(to: string, subject: string, body: string): Buffer {
  const data = [...Buffer.from(body, 'utf8')];
  const partHeaders = [0x03, 0x83, 0x81, 0xea]; // Content-Type: Value-length 3, text/plain, Charset utf-8
  return Buffer.from([
    0x8c, 0x93, 0x8d, 0x93,
    0x97, ...text(`${to}/TYPE=PLMN`),
    0x96, ...text(subject),
    0x84, 0xa3,
    ...uintvar(1), ...uintvar(partHeaders.length), ...uintvar(data.length), ...partHeaders, ...data,
  ]);
}

/** m-mbox-upload-req (0x8F) carrying `mm` as application/vnd.wap.mms-message (well-known 0x3E). */
export function mboxUploadReq(tid: string, mm: Buffer, opts: { state?: keyof typeof MM_STATE; flags?: Flag[] } = {}): Buffer {
  return Buffer.concat([Buffer.from([...head(0x8f, tid), ...state(opts.state), ...flags(opts.flags), 0x84, 0xbe]), mm]);
}

/** m-mbox-delete-req (0x91) or m-delete-req (0x94): X-Mms-Content-Location, repeated. */
export function deleteReq(tid: string, locations: string[], type: 0x91 | 0x94 = 0x91): Buffer {
  return Buffer.from([...head(type, tid), ...locations.flatMap((l) => [0x83, ...text(l)])]);
}

/** X-Mms-Store (0xA2): Yes, with X-Mms-MM-State and X-Mms-MM-Flags. */
export function storeHeaders(opts: { state?: keyof typeof MM_STATE; flags?: Flag[] } = {}): number[] {
  return [0xa2, 0x80, ...state(opts.state), ...flags(opts.flags)];
}

/** m-notifyresp-ind (0x83), X-Mms-Status (0x95), with X-Mms-Store when asked. */
export function notifyResp(tid: string, status: 'retrieved' | 'deferred', store?: { state?: keyof typeof MM_STATE; flags?: Flag[] }): Buffer {
  return Buffer.from([...head(0x83, tid), 0x95, status === 'retrieved' ? 0x81 : 0x83, ...(store ? storeHeaders(store) : [])]);
}

/** m-acknowledge-ind (0x85) with X-Mms-Store when asked. */
export function acknowledge(tid: string, store?: { state?: keyof typeof MM_STATE; flags?: Flag[] }): Buffer {
  return Buffer.from([...head(0x85, tid), ...(store ? storeHeaders(store) : [])]);
}

/** m-cancel-conf (0x97): X-Mms-Cancel-Status (0xBF), 0x80 successfully received, 0x81 corrupted. */
export function cancelConf(tid: string, status: 0x80 | 0x81): Buffer {
  return Buffer.from([...head(0x97, tid), 0xbf, status]);
}

// --- reading answers ---------------------------------------------------------------------

export interface Field {
  code: number;
  value: Buffer;
}

export interface Parsed {
  fields: Field[];
  /** Bytes after Content-Type's value, when there is a body. */
  body?: Buffer;
  contentType?: Buffer;
}

function readUintvar(b: Buffer, at: number): [number, number] {
  let n = 0;
  let i = at;
  while (b[i]! & 0x80) n = n * 128 + (b[i++]! & 0x7f);
  return [n * 128 + b[i]!, i + 1];
}

/** Where a WSP header value that starts at `i` ends. */
function valueEnd(b: Buffer, i: number): number {
  const v = b[i]!;
  if (v >= 0x80) return i + 1;
  if (v <= 0x1e) return i + 1 + v;
  if (v === 0x1f) {
    const [len, next] = readUintvar(b, i + 1);
    return next + len;
  }
  return b.indexOf(0, i) + 1;
}

/** Every header field in order (repeats kept), and the body after Content-Type (0x84). */
export function parse(pdu: Buffer): Parsed {
  const fields: Field[] = [];
  let i = 0;
  while (i < pdu.length) {
    const code = pdu[i++]!;
    if (code < 0x80) throw new Error(`not a well-known header at ${i - 1}`);
    const end = valueEnd(pdu, i);
    if (code === 0x84) return { fields, contentType: pdu.subarray(i, end), body: pdu.subarray(end) };
    fields.push({ code, value: pdu.subarray(i, end) });
    i = end;
  }
  return { fields };
}

export const all = (p: Parsed, code: number): Buffer[] => p.fields.filter((f) => f.code === code).map((f) => f.value);
export const octet = (p: Parsed, code: number): number | undefined => all(p, code)[0]?.[0];
/** A Text-string value (NUL dropped). */
export const str = (v: Buffer | undefined): string | undefined => (v ? v.subarray(v[0] === 0x7f ? 1 : 0, v.length - 1).toString('utf8') : undefined);
export const textField = (p: Parsed, code: number): string | undefined => str(all(p, code)[0]);

/** An Integer-value. */
export function intValue(v: Buffer): number {
  if (v[0]! & 0x80) return v[0]! & 0x7f;
  let n = 0;
  for (let k = 1; k <= v[0]!; k++) n = n * 256 + v[k]!;
  return n;
}

/** X-Mms-Mbox-Totals / -Quotas (Value-length token Integer-value): { messages, bytes }. */
export function counts(p: Parsed, code: number): { messages?: number; bytes?: number } {
  const out: { messages?: number; bytes?: number } = {};
  for (const v of all(p, code)) {
    const n = intValue(v.subarray(2));
    if (v[1] === 0x80) out.messages = n;
    else if (v[1] === 0x81) out.bytes = n;
  }
  return out;
}

/** X-Mms-MM-Flags keywords with their token. */
export function flagsOf(p: Parsed): Array<[number, string]> {
  return all(p, 0xa4).map((v) => [v[1]!, str(v.subarray(2))!]);
}

/** The entries of a WSP multipart body: each entry's content-type bytes and data. */
export function multipart(body: Buffer): Array<{ headers: Buffer; data: Buffer }> {
  let [count, i] = readUintvar(body, 0);
  const out: Array<{ headers: Buffer; data: Buffer }> = [];
  while (count-- > 0) {
    const [hl, a] = readUintvar(body, i);
    const [dl, b] = readUintvar(body, a);
    out.push({ headers: body.subarray(b, b + hl), data: body.subarray(b + hl, b + hl + dl) });
    i = b + hl + dl;
  }
  return out;
}

/** The indexed results of a delete-conf (Value-length Status-count-value value): index → { location, status }. */
export function deleteResults(p: Parsed): Map<number, { location?: string; status?: number }> {
  const out = new Map<number, { location?: string; status?: number }>();
  const split = (v: Buffer): [number, Buffer] => {
    const start = v[0]! <= 0x1e ? 1 : readUintvar(v, 1)[1];
    const indexLength = v[start]! & 0x80 ? 1 : 1 + v[start]!;
    return [intValue(v.subarray(start)), v.subarray(start + indexLength)];
  };
  const at = (n: number) => out.get(n) ?? (out.set(n, {}), out.get(n)!);
  for (const v of all(p, 0x83)) {
    const [n, rest] = split(v);
    at(n).location = str(rest);
  }
  for (const v of all(p, 0x92)) {
    const [n, rest] = split(v);
    at(n).status = rest[0];
  }
  return out;
}
