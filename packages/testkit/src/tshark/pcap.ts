/**
 * pcap files that hand raw bytes straight to one of Wireshark's dissectors: link type 252
 * (LINKTYPE_WIRESHARK_UPPER_PDU, "exported PDU"), each record starting with tags that name the
 * dissector; or, for an MMS PDU over HTTP, Ethernet/IPv4/TCP frames carrying an HTTP response.
 */

/** Where the bytes go: a dissector by name, a heuristic dissector, or a UDP port's dissector. */
export type PduTarget = { dissector: string } | { heuristic: string } | { udpPort: number };

/** pcap records hold at most this much (WTAP_MAX_PACKET_SIZE_STANDARD). */
export const PCAP_RECORD_MAX = 262_144;

const EXP_PDU_TAG_END = 0;
const EXP_PDU_TAG_DISSECTOR_NAME = 12;
const EXP_PDU_TAG_HEUR_DISSECTOR_NAME = 13;
const EXP_PDU_TAG_DISSECTOR_TABLE_NAME = 14;
const EXP_PDU_TAG_DISSECTOR_TABLE_NUM_VAL = 32;

function tag(type: number, value: Buffer): Buffer {
  const padded = Buffer.concat([value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
  const head = Buffer.alloc(4);
  head.writeUInt16BE(type, 0);
  head.writeUInt16BE(padded.length, 2);
  return Buffer.concat([head, padded]);
}

function globalHeader(linkType: number): Buffer {
  const g = Buffer.alloc(24);
  g.writeUInt32LE(0xa1b2c3d4, 0);
  g.writeUInt16LE(2, 4);
  g.writeUInt16LE(4, 6);
  g.writeUInt32LE(PCAP_RECORD_MAX, 16);
  g.writeUInt32LE(linkType, 20);
  return g;
}

function record(frame: Buffer, index: number): Buffer {
  const h = Buffer.alloc(16);
  h.writeUInt32LE(1_000_000_000 + index, 0);
  h.writeUInt32LE(frame.length, 8);
  h.writeUInt32LE(frame.length, 12);
  return Buffer.concat([h, frame]);
}

function targetTags(target: PduTarget): Buffer {
  if ('dissector' in target) return tag(EXP_PDU_TAG_DISSECTOR_NAME, Buffer.from(target.dissector));
  if ('heuristic' in target) return tag(EXP_PDU_TAG_HEUR_DISSECTOR_NAME, Buffer.from(target.heuristic));
  const port = Buffer.alloc(4);
  port.writeUInt32BE(target.udpPort, 0);
  return Buffer.concat([tag(EXP_PDU_TAG_DISSECTOR_TABLE_NAME, Buffer.from('udp.port')), tag(EXP_PDU_TAG_DISSECTOR_TABLE_NUM_VAL, port)]);
}

/** One frame per input, each handed to the target dissector. */
export function exportedPduPcap(inputs: Uint8Array[], target: PduTarget): Buffer {
  const tags = Buffer.concat([targetTags(target), tag(EXP_PDU_TAG_END, Buffer.alloc(0))]);
  return Buffer.concat([globalHeader(252), ...inputs.map((b, i) => record(Buffer.concat([tags, b]), i))]);
}

const SEGMENT = 60_000;

/**
 * Each payload as the data of its own TCP connection between a client and port 80 (Ethernet,
 * IPv4, TCP segments that Wireshark reassembles), sent by the server when `fromServer`. Port 80
 * makes Wireshark read it as HTTP; any size.
 */
export function tcpPcap(payloads: Uint8Array[], opts: { fromServer?: boolean } = {}): Buffer {
  const records: Buffer[] = [];
  payloads.forEach((data, n) => {
    const client = 40_000 + (n % 20_000);
    const [src, dst] = opts.fromServer ? [80, client] : [client, 80];
    let seq = 1000;
    for (let off = 0; off < data.length; off += SEGMENT) {
      const seg = data.subarray(off, off + SEGMENT);
      const tcp = Buffer.alloc(20);
      tcp.writeUInt16BE(src, 0);
      tcp.writeUInt16BE(dst, 2);
      tcp.writeUInt32BE(seq, 4);
      tcp.writeUInt32BE(1, 8);
      tcp.writeUInt8(0x50, 12);
      tcp.writeUInt8(0x18, 13);
      tcp.writeUInt16BE(65535, 14);
      const ip = Buffer.alloc(20);
      ip.writeUInt8(0x45, 0);
      ip.writeUInt16BE(40 + seg.length, 2);
      ip.writeUInt16BE(1, 4);
      ip.writeUInt8(64, 8);
      ip.writeUInt8(6, 9);
      Buffer.from(opts.fromServer ? [10, 0, 0, 1, 10, 0, 0, 2] : [10, 0, 0, 2, 10, 0, 0, 1]).copy(ip, 12);
      const eth = Buffer.from('000000000002000000000001' + '0800', 'hex');
      records.push(record(Buffer.concat([eth, ip, tcp, seg]), records.length));
      seq += seg.length;
    }
  });
  return Buffer.concat([globalHeader(1), ...records]);
}

/** Each input as the body of an `HTTP/1.1 200 OK` with Content-Type application/vnd.wap.mms-message (MMSE by media type). */
export function httpMmsPcap(bodies: Uint8Array[]): Buffer {
  const responses = bodies.map((body) =>
    Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/vnd.wap.mms-message\r\nContent-Length: ${body.length}\r\n\r\n`, 'latin1'), body]),
  );
  return tcpPcap(responses, { fromServer: true });
}
