import { PushDecodeError, PushEncodeError } from '../errors.js';

/**
 * Minimal GSM 03.40 TPDUs for WAP push over SMS: SMS-DELIVER (SMSC -> handset) and SMS-SUBMIT
 * (handset -> SMSC) with 8-bit data and a User Data Header. Enough for simulated handsets, SMSC
 * tests and Wireshark's gsm_sms dissector.
 */

export interface SmsDeliver {
  type: 'deliver';
  originator: string;
  /** TP-PID */
  pid: number;
  /** TP-DCS; 0x04 = 8-bit data. */
  dcs: number;
  /** Service centre time stamp. */
  timestamp: Date;
  /** TP-UDHI: user data starts with a User Data Header. */
  udhi: boolean;
  /** TP-User-Data (with its UDH when udhi). For 7-bit coding: the packed octets. */
  userData: Uint8Array;
  /** SMSC address, when decoded with `withSmsc`. */
  smsc?: string;
}

export interface SmsSubmit {
  type: 'submit';
  destination: string;
  messageReference: number;
  pid: number;
  dcs: number;
  udhi: boolean;
  userData: Uint8Array;
  smsc?: string;
}

export type SmsTpdu = SmsDeliver | SmsSubmit;

const BCD = '0123456789*#abc';

function encodeAddress(addr: string, path: string, withLength: 'digits' | 'octets'): number[] {
  const intl = addr.startsWith('+');
  const digits = intl ? addr.slice(1) : addr;
  if (!/^[0-9*#abc]*$/.test(digits)) throw new PushEncodeError(path, `not a numeric address: ${addr}`);
  const out: number[] = [];
  for (let i = 0; i < digits.length; i += 2) {
    const lo = BCD.indexOf(digits[i]!);
    const hi = i + 1 < digits.length ? BCD.indexOf(digits[i + 1]!) : 0xf;
    out.push((hi << 4) | lo);
  }
  const ton = intl ? 0x91 : 0x81;
  const len = withLength === 'digits' ? digits.length : out.length + 1;
  return [len, ton, ...out];
}

function decodeAddressValue(b: Uint8Array, ton: number, semiOctets: number): string {
  if ((ton & 0x70) === 0x50) {
    // Alphanumeric (GSM 7-bit default alphabet, packed).
    const septets = Math.floor((semiOctets * 4) / 7);
    return unpack7(b, septets);
  }
  let s = (ton & 0x70) === 0x10 ? '+' : '';
  for (let j = 0; j < semiOctets && j >> 1 < b.length; j++) {
    const v = j & 1 ? b[j >> 1]! >> 4 : b[j >> 1]! & 0x0f;
    if (v === 0xf) break;
    s += BCD[v] ?? '?';
  }
  return s;
}

const GSM7 =
  '@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞ\u001bÆæßÉ !"#¤%&\'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà';

function unpack7(b: Uint8Array, septets: number): string {
  let s = '';
  for (let i = 0; i < septets; i++) {
    const bit = i * 7;
    const byte = bit >> 3;
    const shift = bit & 7;
    let v = (b[byte]! >> shift) & 0x7f;
    if (shift > 1 && byte + 1 < b.length) v = ((b[byte]! >> shift) | (b[byte + 1]! << (8 - shift))) & 0x7f;
    s += GSM7[v] ?? '?';
  }
  return s;
}

function bcd2(n: number): number {
  return ((n % 10) << 4) | Math.floor(n / 10);
}

function fromBcd2(b: number): number {
  return (b & 0x0f) * 10 + (b >> 4);
}

function encodeScts(d: Date): number[] {
  return [
    bcd2(d.getUTCFullYear() % 100),
    bcd2(d.getUTCMonth() + 1),
    bcd2(d.getUTCDate()),
    bcd2(d.getUTCHours()),
    bcd2(d.getUTCMinutes()),
    bcd2(d.getUTCSeconds()),
    0x00,
  ];
}

function decodeScts(b: Uint8Array): Date {
  const tzByte = b[6]!;
  const quarters = (tzByte & 0x07) * 10 + (tzByte >> 4);
  const sign = tzByte & 0x08 ? -1 : 1;
  const utc = Date.UTC(2000 + fromBcd2(b[0]!), fromBcd2(b[1]!) - 1, fromBcd2(b[2]!), fromBcd2(b[3]!), fromBcd2(b[4]!), fromBcd2(b[5]!));
  return new Date(utc - sign * quarters * 15 * 60_000);
}

/** Encodes an SMS-DELIVER TPDU (without SMSC address) carrying 8-bit user data. */
export function encodeSmsDeliver(opts: {
  originator: string;
  userData: Uint8Array;
  udhi?: boolean;
  timestamp?: Date;
  pid?: number;
  dcs?: number;
}): Buffer {
  if (opts.userData.length > 140) throw new PushEncodeError('userData', 'at most 140 octets');
  const fo = 0x04 | (opts.udhi !== false ? 0x40 : 0); // MTI=00 deliver, TP-MMS (no more messages), UDHI
  return Buffer.from([
    fo,
    ...encodeAddress(opts.originator, 'originator', 'digits'),
    opts.pid ?? 0,
    opts.dcs ?? 0x04,
    ...encodeScts(opts.timestamp ?? new Date()),
    opts.userData.length,
    ...opts.userData,
  ]);
}

/** Encodes an SMS-SUBMIT TPDU (without SMSC address) carrying 8-bit user data. */
export function encodeSmsSubmit(opts: {
  destination: string;
  userData: Uint8Array;
  udhi?: boolean;
  messageReference?: number;
  pid?: number;
  dcs?: number;
}): Buffer {
  if (opts.userData.length > 140) throw new PushEncodeError('userData', 'at most 140 octets');
  const fo = 0x01 | (opts.udhi !== false ? 0x40 : 0); // MTI=01 submit, no validity period
  return Buffer.from([
    fo,
    (opts.messageReference ?? 0) & 0xff,
    ...encodeAddress(opts.destination, 'destination', 'digits'),
    opts.pid ?? 0,
    opts.dcs ?? 0x04,
    opts.userData.length,
    ...opts.userData,
  ]);
}

/** Decodes an SMS-DELIVER or SMS-SUBMIT TPDU; `withSmsc` when the SMSC address comes first (AT+CMGR style). */
export function decodeSmsTpdu(input: Uint8Array, opts: { withSmsc?: boolean } = {}): SmsTpdu {
  const b = input;
  let i = 0;
  const need = (n: number, what: string): void => {
    if (i + n > b.length) throw new PushDecodeError('truncated', i, `${what}: ${n} octet(s) needed, ${b.length - i} left`);
  };
  let smsc: string | undefined;
  if (opts.withSmsc) {
    need(1, 'SMSC length');
    const n = b[i++]!;
    need(n, 'SMSC address');
    if (n > 0) smsc = decodeAddressValue(b.subarray(i + 1, i + n), b[i]!, (n - 1) * 2);
    i += n;
  }
  need(1, 'first octet');
  const fo = b[i++]!;
  const mti = fo & 0x03;
  const udhi = (fo & 0x40) !== 0;
  const address = (): string => {
    need(2, 'address');
    const digits = b[i++]!;
    const ton = b[i++]!;
    const octets = Math.ceil(digits / 2);
    need(octets, 'address digits');
    const s = decodeAddressValue(b.subarray(i, i + octets), ton, digits);
    i += octets;
    return s;
  };
  const userData = (dcs: number): Uint8Array => {
    need(1, 'TP-UDL');
    const udl = b[i++]!;
    const sevenBit = (dcs & 0xc0) === 0 ? (dcs & 0x0c) === 0 : (dcs & 0xf0) === 0xf0 ? (dcs & 0x04) === 0 : false;
    const octets = sevenBit ? Math.ceil((udl * 7) / 8) : udl;
    need(octets, 'TP-UD');
    return b.subarray(i, i + octets);
  };
  if (mti === 0) {
    const originator = address();
    need(9, 'PID, DCS, SCTS');
    const pid = b[i++]!;
    const dcs = b[i++]!;
    const timestamp = decodeScts(b.subarray(i, i + 7));
    i += 7;
    const ud = userData(dcs);
    const r: SmsDeliver = { type: 'deliver', originator, pid, dcs, timestamp, udhi, userData: ud };
    if (smsc !== undefined) r.smsc = smsc;
    return r;
  }
  if (mti === 1) {
    need(1, 'TP-MR');
    const messageReference = b[i++]!;
    const destination = address();
    need(2, 'PID, DCS');
    const pid = b[i++]!;
    const dcs = b[i++]!;
    const vpf = (fo >> 3) & 0x03;
    i += vpf === 0 ? 0 : vpf === 2 ? 1 : 7;
    const ud = userData(dcs);
    const r: SmsSubmit = { type: 'submit', destination, messageReference, pid, dcs, udhi, userData: ud };
    if (smsc !== undefined) r.smsc = smsc;
    return r;
  }
  throw new PushDecodeError('invalid-value', 0, `TP-MTI ${mti} is neither SMS-DELIVER nor SMS-SUBMIT`);
}
