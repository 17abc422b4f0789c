import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemCommand } from '../system/index.js';
import { packetLayers, type TsharkNode } from './json.js';

/** Protocols a TCP port can be decoded as (tshark's `-d tcp.port==N,PROTO`). */
export type TcpProtocol = 'smpp' | 'smtp' | 'diameter' | 'http';

export interface ReadOptions {
  /** TCP ports to decode as a protocol, e.g. `{ smpp: 2775 }` for a link on a random port. */
  decodeAs?: Partial<Record<TcpProtocol, number | number[]>>;
  /** A display filter (`-Y`): only the frames it matches. */
  filter?: string;
}

/** tshark on a capture file with the options every test wants; throws with tshark's stderr. */
export function tshark(file: string, opts: ReadOptions, output: string[]): string {
  const decode = Object.entries(opts.decodeAs ?? {}).flatMap(([proto, ports]) =>
    (Array.isArray(ports) ? ports : [ports]).flatMap((p) => ['-d', `tcp.port==${p},${proto}`]),
  );
  const args = [
    '-n',
    '-r',
    file,
    // Concatenated SMS: reassemble, so WSP and MMSE inside are dissected too.
    '-o',
    'gsm_sms.reassemble:TRUE',
    ...decode,
    ...(opts.filter ? ['-Y', opts.filter] : []),
    ...output,
  ];
  // Absolute times print in UTC, whatever the machine's zone.
  const r = spawnSync(systemCommand('tshark', 'tshark'), args, { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024, env: { ...process.env, TZ: 'UTC' } });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`tshark ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

/** The `layers` of each frame, as `tshark -T json`, restricted to `protocols` (`-J`) if given. */
export function readJson(file: string, opts: ReadOptions & { protocols?: string[] } = {}): TsharkNode[] {
  return packetLayers(tshark(file, opts, ['-T', 'json', ...(opts.protocols?.length ? ['-J', opts.protocols.join(' ')] : [])]));
}

const AGGREGATOR = '\x1f';

/** For each frame: every value of each field (all occurrences), keyed by field name. */
export function readFields(file: string, fields: string[], opts: ReadOptions = {}): Array<Record<string, string[]>> {
  const out = tshark(file, opts, ['-T', 'fields', '-E', 'separator=/t', '-E', 'occurrence=a', '-E', `aggregator=${AGGREGATOR}`, ...fields.flatMap((f) => ['-e', f])]);
  return out
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => {
      const values = line.split('\t');
      return Object.fromEntries(fields.map((f, i) => [f, values[i] ? values[i]!.split(AGGREGATOR) : []]));
    });
}

/** The PDML (XML) of every frame, for tests that want each field's raw value. */
export function readPdml(file: string, opts: ReadOptions = {}): string {
  return tshark(file, opts, ['-T', 'pdml']);
}

/** Writes a pcap to a temporary file, runs `fn` on its path, removes it. */
export function withPcap<T>(pcap: Buffer, fn: (file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'openmmsc-tshark-'));
  try {
    const file = join(dir, 'in.pcap');
    writeFileSync(file, pcap);
    return fn(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
