/**
 * Wireshark's verdict on raw MMS bytes without any helper script: the bytes go into a pcap of
 * link type 252 (LINKTYPE_WIRESHARK_UPPER_PDU) whose exported-PDU tag names the MMSE heuristic
 * dissector (`mmse_wsp`, which takes PDUs whose third octet is 0x98 or 0x8D), then `tshark -T json`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function tag(type: number, value: Buffer): Buffer {
  const padded = Buffer.concat([value, Buffer.alloc((4 - (value.length % 4)) % 4)]);
  const h = Buffer.alloc(4);
  h.writeUInt16BE(type, 0);
  h.writeUInt16BE(padded.length, 2);
  return Buffer.concat([h, padded]);
}

/** A pcap holding one frame per input, each handed to the MMSE dissector. */
export function mmsePcap(inputs: Uint8Array[]): Buffer {
  const global = Buffer.alloc(24);
  global.writeUInt32LE(0xa1b2c3d4, 0);
  global.writeUInt16LE(2, 4);
  global.writeUInt16LE(4, 6);
  global.writeUInt32LE(262144, 16);
  global.writeUInt32LE(252, 20);
  // tag 13 = heuristic dissector name, tag 0 = end of options
  const tags = Buffer.concat([tag(13, Buffer.from('mmse_wsp')), Buffer.alloc(4)]);
  const records = inputs.map((b, i) => {
    const rec = Buffer.concat([tags, b]);
    const h = Buffer.alloc(16);
    h.writeUInt32LE(1_700_000_000 + i, 0);
    h.writeUInt32LE(rec.length, 8);
    h.writeUInt32LE(rec.length, 12);
    return Buffer.concat([h, rec]);
  });
  return Buffer.concat([global, ...records]);
}

function tsharkFields(inputs: Uint8Array[], filter: string, field?: string): Map<number, string> {
  const dir = mkdtempSync(join(tmpdir(), 'tshark-pcap-'));
  try {
    const file = join(dir, 'in.pcap');
    writeFileSync(file, mmsePcap(inputs));
    const args = ['-n', '-r', file, '-Y', filter, '-T', 'fields', '-E', 'occurrence=f', '-e', 'frame.number', ...(field ? ['-e', field] : [])];
    const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`tshark failed (${r.status}): ${r.stderr}`);
    const out = new Map<number, string>();
    for (const line of r.stdout.split('\n')) {
      const [n, v] = line.split('\t');
      if (n) out.set(Number(n) - 1, v ?? '');
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** For each input: the X-Mms-Message-Type Wireshark read (e.g. `0x80`) and whether it found the frame malformed. */
export function tsharkVerdicts(inputs: Uint8Array[]): { messageType: string | undefined; malformed: boolean }[] {
  const types = tsharkFields(inputs, 'mmse', 'mmse.message_type');
  const bad = tsharkFields(inputs, '_ws.malformed');
  return inputs.map((_, i) => ({ messageType: types.get(i), malformed: bad.has(i) }));
}
