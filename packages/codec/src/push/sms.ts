import { PushDecodeError, PushEncodeError } from '../errors.js';
import { buildUdh, parseUdh, WAP_PUSH_PORT, WAP_WSP_PORT, type Udh } from './udh.js';

/** Octets of user data in one SMS (8-bit data coding). */
export const SMS_USER_DATA_OCTETS = 140;

export interface SegmentOptions {
  /** Destination port; default 2948 (WAP Push). */
  destPort?: number;
  /** Source port; default 9200 (WSP). */
  srcPort?: number;
  /** Concatenation reference: 0..255, or 0..65535 with reference16bit. */
  reference: number;
  reference16bit?: boolean;
}

/**
 * WDP over SMS: splits a payload (e.g. a WSP push PDU) into TP-User-Data blocks of at most 140
 * octets, each starting with a User Data Header carrying 16-bit port addressing and, when more
 * than one segment is needed, a concatenation element. Set TP-UDHI and 8-bit data coding on each SMS.
 */
export function segmentForSms(payload: Uint8Array, opts: SegmentOptions): Buffer[] {
  const ports = { destination: opts.destPort ?? WAP_PUSH_PORT, source: opts.srcPort ?? WAP_WSP_PORT };
  const single = buildUdh({ ports });
  if (single.length + payload.length <= SMS_USER_DATA_OCTETS) return [Buffer.concat([single, payload])];
  const r16 = opts.reference16bit === true;
  const udhLen = single.length + (r16 ? 6 : 5);
  const room = SMS_USER_DATA_OCTETS - udhLen;
  const total = Math.ceil(payload.length / room);
  if (total > 255) throw new PushEncodeError('payload', `needs ${total} segments; at most 255`);
  const out: Buffer[] = [];
  for (let i = 0; i < total; i++) {
    const udh = buildUdh({ ports, concat: { reference: opts.reference, total, sequence: i + 1, reference16bit: r16 } });
    const chunk = payload.subarray(i * room, Math.min(payload.length, (i + 1) * room));
    out.push(Buffer.concat([udh, chunk]));
  }
  return out;
}

/** A complete datagram out of the reassembler. */
export interface ReassembledSms {
  originator: string;
  payload: Buffer;
  ports?: { destination: number; source: number };
  /** Concatenation reference, when the datagram came in several segments. */
  reference?: number;
  segments: number;
}

export interface ReassemblerOptions {
  /** Drop incomplete datagrams older than this (ms). Default 5 minutes. */
  timeoutMs?: number;
  /** Most incomplete datagrams kept at once; the oldest is dropped beyond. Default 1000. */
  maxPending?: number;
  /** Clock, for tests. */
  now?: () => number;
}

interface Pending {
  key: string;
  originator: string;
  total: number;
  reference: number;
  ports: Udh['ports'];
  parts: (Uint8Array | undefined)[];
  have: number;
  first: number;
}

/**
 * Reassembles concatenated SMS (TP-User-Data with a UDH) keyed by originator and reference.
 * Single-segment messages come straight out. Duplicated segments are ignored; incomplete sets
 * expire after `timeoutMs`.
 */
export class SmsReassembler {
  private readonly pending = new Map<string, Pending>();
  private readonly timeoutMs: number;
  private readonly maxPending: number;
  private readonly now: () => number;

  constructor(opts: ReassemblerOptions = {}) {
    this.timeoutMs = opts.timeoutMs ?? 5 * 60_000;
    this.maxPending = opts.maxPending ?? 1000;
    this.now = opts.now ?? Date.now;
  }

  /** Number of incomplete datagrams held. */
  get size(): number {
    return this.pending.size;
  }

  /**
   * Adds one segment's user data (starting with its UDH; set `hasUdh: false` for plain user
   * data). Returns the datagram when complete, else undefined. Throws PushDecodeError for a bad UDH.
   */
  push(originator: string, userData: Uint8Array, hasUdh = true): ReassembledSms | undefined {
    this.purge();
    if (!hasUdh) return { originator, payload: Buffer.from(userData), segments: 1 };
    const { udh, payload } = parseUdh(userData);
    const ports = udh.ports ? { destination: udh.ports.destination, source: udh.ports.source } : undefined;
    const concat = udh.concat;
    if (!concat || concat.total <= 1) {
      const r: ReassembledSms = { originator, payload: Buffer.from(payload), segments: 1 };
      if (ports) r.ports = ports;
      return r;
    }
    if (concat.sequence < 1 || concat.sequence > concat.total) {
      throw new PushDecodeError('invalid-value', 0, `segment ${concat.sequence} of ${concat.total}`);
    }
    const key = `${originator}\u0000${concat.reference16bit ? 'w' : 'b'}${concat.reference}/${concat.total}`;
    let p = this.pending.get(key);
    if (!p) {
      if (this.pending.size >= this.maxPending) {
        const oldest = this.pending.keys().next().value;
        if (oldest !== undefined) this.pending.delete(oldest);
      }
      p = {
        key,
        originator,
        total: concat.total,
        reference: concat.reference,
        ports: udh.ports,
        parts: new Array<Uint8Array | undefined>(concat.total).fill(undefined),
        have: 0,
        first: this.now(),
      };
      this.pending.set(key, p);
    }
    if (p.parts[concat.sequence - 1] === undefined) {
      p.parts[concat.sequence - 1] = Buffer.from(payload);
      p.have++;
      if (udh.ports && !p.ports) p.ports = udh.ports;
    }
    if (p.have < p.total) return undefined;
    this.pending.delete(key);
    const r: ReassembledSms = {
      originator,
      payload: Buffer.concat(p.parts as Uint8Array[]),
      reference: p.reference,
      segments: p.total,
    };
    if (p.ports) r.ports = { destination: p.ports.destination, source: p.ports.source };
    return r;
  }

  /** Drops incomplete datagrams older than the timeout; returns how many were dropped. */
  purge(): number {
    const limit = this.now() - this.timeoutMs;
    let n = 0;
    for (const [k, p] of this.pending) {
      if (p.first < limit) {
        this.pending.delete(k);
        n++;
      }
    }
    return n;
  }
}
