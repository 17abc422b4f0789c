/**
 * Wireshark (tshark) as an independent reader of what MM1 sends: an answer PDU as the body of an
 * HTTP response (Ethernet/IPv4/TCP, MMSE found by media type), or a WAP Push handed to the
 * connectionless WSP dissector (an "exported PDU" capture). Wireshark 4.0 names MMS 1.2+ header
 * fields it does not decode `X-Mms-…: <Well-known value 0x…> (not decoded)` (or by number), and
 * PDU types past 0x93 "Unknown": the fields below are what it shows, in order.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireSystem } from '@openmmsc/testkit';

/** Why tshark tests cannot run (recorded for the runner's skip summary), or undefined. */
export function tsharkMissing(): string | undefined {
  return requireSystem('tshark');
}

export interface ShownField {
  name: string;
  /** The value as Wireshark shows it (`show`). */
  show: string;
  /** The whole line Wireshark prints (`showname`). */
  line: string;
}

function pcap(linkType: number, frames: Buffer[]): Buffer {
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(262144, 16);
  global.writeUInt32LE(linkType, 20);
  const records = frames.map((f, i) => {
    const r = Buffer.alloc(16);
    r.writeUInt32LE(1_700_000_000 + i, 0);
    r.writeUInt32LE(f.length, 8);
    r.writeUInt32LE(f.length, 12);
    return Buffer.concat([r, f]);
  });
  return Buffer.concat([global, ...records]);
}

const unescape = (s: string) => s.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&apos;/g, "'").replace(/&amp;/g, '&');

/** Runs tshark on a capture; the fields of the protocols given, in document order (PDML). */
function read(capture: Buffer, protocols: string[]): ShownField[] {
  const dir = mkdtempSync(join(tmpdir(), 'mm1-tshark-'));
  try {
    const file = join(dir, 'capture.pcap');
    writeFileSync(file, capture);
    const r = spawnSync('tshark', ['-n', '-r', file, '-T', 'pdml', '-J', protocols.join(' ')], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, TZ: 'UTC' } });
    if (r.status !== 0) throw new Error(`tshark failed (${r.status}): ${r.stderr}`);
    const out: ShownField[] = [];
    for (const m of r.stdout.matchAll(/<(field|proto) name="([^"]*)"(?: showname="([^"]*)")?[^>]*?(?: show="([^"]*)")?[^>]*?>/g)) {
      const showname = / showname="([^"]*)"/.exec(m[0])?.[1] ?? '';
      const show = / show="([^"]*)"/.exec(m[0])?.[1] ?? '';
      out.push({ name: m[2]!, show: unescape(show), line: unescape(showname) });
    }
    if (r.stdout.includes('_ws.malformed')) out.push({ name: '_ws.malformed', show: 'malformed', line: 'Malformed packet' });
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** An MMS PDU as MM1 answers it: the body of an HTTP 200 response with `application/vnd.wap.mms-message`. */
export function dissectAnswer(pdu: Buffer): ShownField[] {
  const http = Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/vnd.wap.mms-message\r\nContent-Length: ${pdu.length}\r\n\r\n`), pdu]);
  const tcp = Buffer.alloc(20);
  tcp.writeUInt16BE(80, 0);
  tcp.writeUInt16BE(40000, 2);
  tcp.writeUInt32BE(1000, 4);
  tcp.writeUInt32BE(1, 8);
  tcp[12] = 0x50;
  tcp[13] = 0x18;
  tcp.writeUInt16BE(65535, 14);
  const ip = Buffer.from([0x45, 0, 0, 0, 0, 1, 0, 0, 64, 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2]);
  ip.writeUInt16BE(20 + 20 + http.length, 2);
  const eth = Buffer.from([0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 1, 0x08, 0x00]);
  return read(pcap(1, [Buffer.concat([eth, ip, tcp, http])]), ['mmse']);
}

/** A WAP Push (connectionless WSP: TID, PDU type Push, headers, body) as the handset's WSP layer gets it. */
export function dissectPush(push: Uint8Array): ShownField[] {
  const name = Buffer.from('wsp-cl\0\0');
  const tag = Buffer.alloc(4);
  tag.writeUInt16BE(12, 0); // EXP_PDU_TAG_PROTO_NAME
  tag.writeUInt16BE(name.length, 2);
  const end = Buffer.alloc(4); // EXP_PDU_TAG_END_OF_OPT
  return read(pcap(252, [Buffer.concat([tag, name, end, Buffer.from(push)])]), ['wsp', 'mmse']);
}

/** The lines Wireshark shows for one field name (`mmse.header.uint`, …). */
export const lines = (fields: readonly ShownField[], name: string): string[] => fields.filter((f) => f.name === name).map((f) => f.line);
export const shown = (fields: readonly ShownField[], name: string): string[] => fields.filter((f) => f.name === name).map((f) => f.show);
