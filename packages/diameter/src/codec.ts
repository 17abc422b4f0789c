/**
 * Diameter wire format (RFC 6733 §3 and §4): a 20-byte header followed by AVPs, each AVP an
 * 8-byte header (12 with a Vendor-Id) and data padded to a multiple of four bytes.
 */

export const HEADER_LENGTH = 20;
const FLAG_REQUEST = 0x80;
const FLAG_PROXIABLE = 0x40;
const FLAG_ERROR = 0x20;
const FLAG_RETRANSMIT = 0x10;
const AVP_VENDOR = 0x80;
const AVP_MANDATORY = 0x40;
const AVP_PROTECTED = 0x20;

export interface Avp {
  code: number;
  /** Present on vendor-specific AVPs (V bit set), e.g. 10415 for 3GPP. */
  vendorId?: number;
  mandatory: boolean;
  protected?: boolean;
  /** The AVP's data, without header or padding. */
  data: Buffer;
}

export interface DiameterFlags {
  request: boolean;
  proxiable: boolean;
  error: boolean;
  /** T bit: possibly a retransmission (set on failover, RFC 6733 §5.5.4). */
  retransmit: boolean;
}

export interface DiameterMessage {
  commandCode: number;
  applicationId: number;
  flags: DiameterFlags;
  hopByHop: number;
  endToEnd: number;
  avps: Avp[];
}

export class DiameterDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DiameterDecodeError';
  }
}

export interface DecodeLimits {
  /** Most AVPs in one message, counting nested ones (default 2000). */
  maxAvps?: number;
  /** Deepest nesting of grouped AVPs that `decodeGrouped` accepts (default 8). */
  maxDepth?: number;
}

function pad4(n: number): number {
  return (n + 3) & ~3;
}

export function encodeAvp(avp: Avp): Buffer {
  const headerLength = avp.vendorId === undefined ? 8 : 12;
  const length = headerLength + avp.data.length;
  if (length > 0xffffff) throw new RangeError(`AVP ${avp.code} is too long (${length} bytes)`);
  const out = Buffer.alloc(pad4(length));
  out.writeUInt32BE(avp.code >>> 0, 0);
  let flags = 0;
  if (avp.vendorId !== undefined) flags |= AVP_VENDOR;
  if (avp.mandatory) flags |= AVP_MANDATORY;
  if (avp.protected) flags |= AVP_PROTECTED;
  out.writeUInt8(flags, 4);
  out.writeUIntBE(length, 5, 3);
  if (avp.vendorId !== undefined) out.writeUInt32BE(avp.vendorId >>> 0, 8);
  avp.data.copy(out, headerLength);
  return out;
}

export function encodeAvps(avps: readonly Avp[]): Buffer {
  return Buffer.concat(avps.map(encodeAvp));
}

/** Decodes a sequence of AVPs (a message body or a grouped AVP's data). */
export function decodeAvps(buf: Buffer, limits: DecodeLimits = {}, counter = { n: 0 }): Avp[] {
  const maxAvps = limits.maxAvps ?? 2000;
  const avps: Avp[] = [];
  let offset = 0;
  while (offset < buf.length) {
    if (buf.length - offset < 8) throw new DiameterDecodeError(`truncated AVP header at offset ${offset}`);
    const code = buf.readUInt32BE(offset);
    const flags = buf.readUInt8(offset + 4);
    const length = buf.readUIntBE(offset + 5, 3);
    const vendor = (flags & AVP_VENDOR) !== 0;
    const headerLength = vendor ? 12 : 8;
    if (length < headerLength) throw new DiameterDecodeError(`AVP ${code} has length ${length}, shorter than its header`);
    if (offset + length > buf.length) throw new DiameterDecodeError(`AVP ${code} (length ${length}) runs past the end of its container`);
    if (++counter.n > maxAvps) throw new DiameterDecodeError(`more than ${maxAvps} AVPs`);
    const avp: Avp = {
      code,
      mandatory: (flags & AVP_MANDATORY) !== 0,
      data: Buffer.from(buf.subarray(offset + headerLength, offset + length)),
    };
    if (vendor) avp.vendorId = buf.readUInt32BE(offset + 8);
    if (flags & AVP_PROTECTED) avp.protected = true;
    avps.push(avp);
    offset += pad4(length);
  }
  return avps;
}

export function encodeMessage(message: DiameterMessage): Buffer {
  const body = encodeAvps(message.avps);
  const length = HEADER_LENGTH + body.length;
  if (length > 0xffffff) throw new RangeError(`message is too long (${length} bytes)`);
  const out = Buffer.alloc(HEADER_LENGTH);
  out.writeUInt8(1, 0);
  out.writeUIntBE(length, 1, 3);
  let flags = 0;
  if (message.flags.request) flags |= FLAG_REQUEST;
  if (message.flags.proxiable) flags |= FLAG_PROXIABLE;
  if (message.flags.error) flags |= FLAG_ERROR;
  if (message.flags.retransmit) flags |= FLAG_RETRANSMIT;
  out.writeUInt8(flags, 4);
  out.writeUIntBE(message.commandCode, 5, 3);
  out.writeUInt32BE(message.applicationId >>> 0, 8);
  out.writeUInt32BE(message.hopByHop >>> 0, 12);
  out.writeUInt32BE(message.endToEnd >>> 0, 16);
  return Buffer.concat([out, body]);
}

/** Decodes one whole message (exactly `buf`, as the framer hands it over). */
export function decodeMessage(buf: Buffer, limits: DecodeLimits = {}): DiameterMessage {
  if (buf.length < HEADER_LENGTH) throw new DiameterDecodeError(`message shorter than the ${HEADER_LENGTH}-byte header`);
  const version = buf.readUInt8(0);
  if (version !== 1) throw new DiameterDecodeError(`unsupported Diameter version ${version}`);
  const length = buf.readUIntBE(1, 3);
  if (length !== buf.length) throw new DiameterDecodeError(`header says ${length} bytes, got ${buf.length}`);
  if (length % 4 !== 0) throw new DiameterDecodeError(`message length ${length} is not a multiple of 4`);
  const flags = buf.readUInt8(4);
  return {
    commandCode: buf.readUIntBE(5, 3),
    applicationId: buf.readUInt32BE(8),
    flags: {
      request: (flags & FLAG_REQUEST) !== 0,
      proxiable: (flags & FLAG_PROXIABLE) !== 0,
      error: (flags & FLAG_ERROR) !== 0,
      retransmit: (flags & FLAG_RETRANSMIT) !== 0,
    },
    hopByHop: buf.readUInt32BE(12),
    endToEnd: buf.readUInt32BE(16),
    avps: decodeAvps(buf.subarray(HEADER_LENGTH), limits),
  };
}

/** The AVPs inside a grouped AVP. */
export function decodeGrouped(avp: Avp, limits: DecodeLimits = {}): Avp[] {
  return decodeAvps(avp.data, limits);
}

/**
 * Splits a TCP byte stream into whole messages. Refuses (throws) a header announcing a message
 * longer than `maxMessageLength` or shorter than a header, so a bad peer cannot make us buffer
 * without bound.
 */
export class DiameterFramer {
  private buffered: Buffer = Buffer.alloc(0);

  constructor(private readonly maxMessageLength = 1 << 20) {}

  push(chunk: Buffer): Buffer[] {
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    const out: Buffer[] = [];
    for (;;) {
      if (this.buffered.length < 4) break;
      const version = this.buffered.readUInt8(0);
      if (version !== 1) throw new DiameterDecodeError(`unsupported Diameter version ${version}`);
      const length = this.buffered.readUIntBE(1, 3);
      if (length < HEADER_LENGTH) throw new DiameterDecodeError(`message length ${length} is shorter than a header`);
      if (length > this.maxMessageLength) throw new DiameterDecodeError(`message length ${length} exceeds ${this.maxMessageLength}`);
      if (this.buffered.length < length) break;
      out.push(this.buffered.subarray(0, length));
      this.buffered = this.buffered.subarray(length);
    }
    return out;
  }
}
