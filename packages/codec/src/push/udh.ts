import { PushDecodeError, PushEncodeError } from '../errors.js';

/** WDP well-known ports (WAP-259-WDP): WAP Push connectionless session service and the WSP source port. */
export const WAP_PUSH_PORT = 2948;
export const WAP_WSP_PORT = 9200;

/** One information element of a User Data Header. */
export interface UdhElement {
  iei: number;
  data: Uint8Array;
}

/** Concatenation info (IEI 0x00 with an 8-bit reference, IEI 0x08 with a 16-bit one). */
export interface UdhConcat {
  reference: number;
  total: number;
  sequence: number;
  reference16bit: boolean;
}

/** Application port addressing (IEI 0x05 16-bit ports, IEI 0x04 8-bit ports). */
export interface UdhPorts {
  destination: number;
  source: number;
  ports16bit: boolean;
}

export interface Udh {
  elements: UdhElement[];
  concat?: UdhConcat;
  ports?: UdhPorts;
}

/**
 * Splits TP-User-Data that starts with a User Data Header (TP-UDHI set): returns the header and the
 * payload after it (a view).
 */
export function parseUdh(userData: Uint8Array): { udh: Udh; payload: Uint8Array } {
  if (userData.length < 1) throw new PushDecodeError('truncated', 0, 'empty user data');
  const udhl = userData[0]!;
  if (1 + udhl > userData.length) throw new PushDecodeError('truncated', 0, `UDH length ${udhl} runs past the end of the user data`);
  const udh = parseUdhElements(userData.subarray(1, 1 + udhl), 1);
  return { udh, payload: userData.subarray(1 + udhl) };
}

/** Parses UDH information elements (the header without its UDHL octet). */
export function parseUdhElements(b: Uint8Array, base = 0): Udh {
  const udh: Udh = { elements: [] };
  let i = 0;
  while (i < b.length) {
    if (i + 2 > b.length) throw new PushDecodeError('truncated', base + i, 'UDH element header');
    const iei = b[i]!;
    const len = b[i + 1]!;
    if (i + 2 + len > b.length) throw new PushDecodeError('length-mismatch', base + i, `UDH element 0x${iei.toString(16)} runs past the header`);
    const data = b.subarray(i + 2, i + 2 + len);
    udh.elements.push({ iei, data });
    if (iei === 0x00 && len === 3) {
      udh.concat = { reference: data[0]!, total: data[1]!, sequence: data[2]!, reference16bit: false };
    } else if (iei === 0x08 && len === 4) {
      udh.concat = { reference: (data[0]! << 8) | data[1]!, total: data[2]!, sequence: data[3]!, reference16bit: true };
    } else if (iei === 0x05 && len === 4) {
      udh.ports = { destination: (data[0]! << 8) | data[1]!, source: (data[2]! << 8) | data[3]!, ports16bit: true };
    } else if (iei === 0x04 && len === 2) {
      udh.ports = { destination: data[0]!, source: data[1]!, ports16bit: false };
    }
    i += 2 + len;
  }
  return udh;
}

/** Builds a User Data Header (with its UDHL octet) from port and concatenation info. */
export function buildUdh(opts: { ports?: Omit<UdhPorts, 'ports16bit'> & { ports16bit?: boolean }; concat?: UdhConcat; extra?: UdhElement[] }): Buffer {
  const bytes: number[] = [];
  if (opts.concat) {
    const { reference, total, sequence, reference16bit } = opts.concat;
    if (!(total >= 1 && total <= 255 && sequence >= 1 && sequence <= total)) {
      throw new PushEncodeError('concat', 'total must be 1..255 and sequence 1..total');
    }
    if (reference16bit) {
      if (!(reference >= 0 && reference <= 0xffff)) throw new PushEncodeError('concat.reference', 'must be 0..65535');
      bytes.push(0x08, 4, reference >> 8, reference & 0xff, total, sequence);
    } else {
      if (!(reference >= 0 && reference <= 0xff)) throw new PushEncodeError('concat.reference', 'must be 0..255');
      bytes.push(0x00, 3, reference, total, sequence);
    }
  }
  if (opts.ports) {
    const { destination, source } = opts.ports;
    if (opts.ports.ports16bit === false) {
      if (!(destination >= 0 && destination <= 0xff && source >= 0 && source <= 0xff)) throw new PushEncodeError('ports', 'must be 0..255');
      bytes.push(0x04, 2, destination, source);
    } else {
      if (!(destination >= 0 && destination <= 0xffff && source >= 0 && source <= 0xffff)) throw new PushEncodeError('ports', 'must be 0..65535');
      bytes.push(0x05, 4, destination >> 8, destination & 0xff, source >> 8, source & 0xff);
    }
  }
  for (const e of opts.extra ?? []) bytes.push(e.iei, e.data.length, ...e.data);
  if (bytes.length > 139) throw new PushEncodeError('udh', 'header too long');
  return Buffer.from([bytes.length, ...bytes]);
}
