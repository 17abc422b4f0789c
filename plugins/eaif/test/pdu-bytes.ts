/**
 * m-send-req bytes written by hand, as an application would, from the assigned numbers of
 * OMA-TS-MMS_ENC (header field codes) and WAP-230-WSP (content types, part headers), not with
 * the project's encoder.
 */

/** MMS header field codes (with the high bit set, as on the wire). */
export const F = {
  bcc: 0x81,
  cc: 0x82,
  contentType: 0x84,
  date: 0x85,
  deliveryReport: 0x86,
  from: 0x89,
  messageClass: 0x8a,
  messageType: 0x8c,
  mmsVersion: 0x8d,
  priority: 0x8f,
  readReport: 0x90,
  subject: 0x96,
  to: 0x97,
  transactionId: 0x98,
} as const;

const YES = 0x80;
const NO = 0x81;

/** Text-string: the characters and a NUL. */
export const text = (s: string): number[] => [...Buffer.from(s, 'utf8'), 0x00];

/** uintvar: 7 bits per octet, most significant first, continuation bit on all but the last. */
export function uintvar(n: number): number[] {
  const out = [n & 0x7f];
  for (let v = Math.floor(n / 128); v > 0; v = Math.floor(v / 128)) out.unshift((v & 0x7f) | 0x80);
  return out;
}

/** WSP content types (Content-type-value), by well-known code or as text. */
export const CT = {
  /** text/plain; charset=utf-8 (0x03, Charset 0x81 = UTF-8 MIBenum 106). */
  textUtf8: [0x03, 0x83, 0x81, 0xea],
  /** image/jpeg (0x1E). */
  jpeg: [0x9e],
  /** application/vnd.wap.multipart.mixed (0x23). */
  multipartMixed: [0xa3],
};

export interface PartSpec {
  contentType: number[];
  /** Content-Location (WSP header 0x0E). */
  location?: string;
  data: Uint8Array;
}

/** One multipart entry: HeadersLen, DataLen, Content-Type and headers, data. */
function entry(p: PartSpec): number[] {
  const headers = [...p.contentType, ...(p.location ? [0x8e, ...text(p.location)] : [])];
  return [...uintvar(headers.length), ...uintvar(p.data.byteLength), ...headers, ...p.data];
}

export interface SendReqSpec {
  transactionId: string;
  /** `insert`: ask the MMSC to fill in the sender; omitted: no From at all (not allowed). */
  from?: string | 'insert';
  to?: string[];
  cc?: string[];
  subject?: string;
  deliveryReport?: boolean;
  readReport?: boolean;
  parts?: PartSpec[];
  mmsVersion?: number;
}

export const textPart = (s: string, location = 'text.txt'): PartSpec => ({ contentType: CT.textUtf8, location, data: Buffer.from(s, 'utf8') });

/** An m-send-req: the mandatory headers first, a multipart/mixed body last. */
export function sendReq(spec: SendReqSpec): Buffer {
  const b: number[] = [F.messageType, 0x80, F.transactionId, ...text(spec.transactionId), F.mmsVersion, spec.mmsVersion ?? 0x92];
  if (spec.from === 'insert') b.push(F.from, 0x01, 0x81);
  else if (spec.from !== undefined) {
    const value = [0x80, ...text(spec.from)];
    b.push(F.from, ...uintvar(value.length), ...value);
  }
  for (const to of spec.to ?? []) b.push(F.to, ...text(to));
  for (const cc of spec.cc ?? []) b.push(F.cc, ...text(cc));
  if (spec.subject !== undefined) b.push(F.subject, ...text(spec.subject));
  if (spec.deliveryReport !== undefined) b.push(F.deliveryReport, spec.deliveryReport ? YES : NO);
  if (spec.readReport !== undefined) b.push(F.readReport, spec.readReport ? YES : NO);
  const parts = spec.parts ?? [textPart('hello from an application')];
  b.push(F.contentType, ...CT.multipartMixed, ...uintvar(parts.length));
  for (const p of parts) b.push(...entry(p));
  return Buffer.from(b);
}

/**
 * The simplest submission, every octet written out: transaction `app-tx-1`, MMS 1.2, From
 * `12345/TYPE=PLMN`, To `+15550000002/TYPE=PLMN`, Subject `Hi`, a delivery report asked for, one
 * text/plain part `Hello`.
 */
export const LITERAL_SEND_REQ = Buffer.from(
  [
    '8c 80', // X-Mms-Message-Type: m-send-req
    '98 61 70 70 2d 74 78 2d 31 00', // X-Mms-Transaction-Id: app-tx-1
    '8d 92', // X-Mms-MMS-Version: 1.2
    '89 11 80 31 32 33 34 35 2f 54 59 50 45 3d 50 4c 4d 4e 00', // From: 12345/TYPE=PLMN (17 octets)
    '97 2b 31 35 35 35 30 30 30 30 30 30 32 2f 54 59 50 45 3d 50 4c 4d 4e 00', // To: +15550000002/TYPE=PLMN
    '96 48 69 00', // Subject: Hi
    '86 80', // X-Mms-Delivery-Report: Yes
    '84 a3', // Content-Type: application/vnd.wap.multipart.mixed
    '01', // one entry
    '0e 05', // headers 14 octets, data 5 octets
    '03 83 81 ea', // text/plain; charset=utf-8
    '8e 74 65 78 74 2e 74 78 74 00', // Content-Location: text.txt
    '48 65 6c 6c 6f', // Hello
  ]
    .join(' ')
    .split(/\s+/)
    .map((h) => Number.parseInt(h, 16)),
);
