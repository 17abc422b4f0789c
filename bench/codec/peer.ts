/**
 * Encode of the 51 KB m-retrieve-conf of the peer corpus against the C reference (Sailfish
 * mms-lib, 74,127 encodes/s, measured on this machine earlier; the C codec cannot be rebuilt
 * here, so the figure is the recorded one). Vectored (encodePduVectored: bodies passed on) and
 * concatenated (encodePdu: one buffer) paths, with same-run calibrations, all in interleaved
 * rounds so that a change in the machine's load hits every series alike.
 *
 *   node --expose-gc --import tsx --conditions=@openmmsc/source bench/codec/peer.ts [rounds] [ms-per-measurement]
 *   BASELINE_CODEC=/path/to/other/packages/codec/dist/index.js ...   # also times another build's encodePdu
 */
import { readFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { corpusPath } from '@openmmsc/conformance';
import { decodePdu, encodePdu, encodePduVectored, type MmsPdu } from '@openmmsc/codec';

const ROUNDS = Number(process.argv[2] ?? 7);
const MS = Number(process.argv[3] ?? 300);
/** Sailfish mms-lib (C), encodes/s of this PDU's message, conformance/corpus/peer-encoders/README.md. */
const C_REFERENCE = 74_127;
/** Buffer.from of this PDU in the recorded quiet run (packages/codec/README.md, load average about 1.3). */
const QUIET = { copy: 174_520 };

const bytes = readFileSync(corpusPath('peer-encoders/bench-retrieve-conf.mms'));
const pdu: MmsPdu = decodePdu(bytes);

type Encode = (p: MmsPdu) => { length: number };
const baseline = process.env.BASELINE_CODEC ? ((await import(process.env.BASELINE_CODEC)) as { encodePdu: Encode }).encodePdu : undefined;

let sink = 0;
interface Rate {
  /** Operations per second of wall time. */
  wall: number;
  /** Operations per second of CPU time this process got (every thread: GC helpers count too). */
  cpu: number;
}
function rate(fn: () => number): Rate {
  (globalThis as { gc?: () => void }).gc?.();
  const warm = performance.now();
  while (performance.now() - warm < 30) for (let i = 0; i < 50; i++) sink += fn();
  let n = 0;
  let batch = 50;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < MS) {
    for (let i = 0; i < batch; i++) sink += fn();
    n += batch;
    t = performance.now();
    if (t - t0 < 20) batch *= 2;
  }
  const c = process.cpuUsage(c0);
  return { wall: n / ((t - t0) / 1000), cpu: n / ((c.user + c.system) / 1e6) };
}

const series: Record<string, () => number> = {
  vectored: () => encodePduVectored(pdu).length,
  concat: () => encodePdu(pdu).length,
  copy: () => Buffer.from(bytes).length,
};
if (baseline) series.baseline = () => baseline(pdu).length;
const names = Object.keys(series);
const got: Record<string, Rate[]> = Object.fromEntries(names.map((k) => [k, []]));

const load0 = loadavg()[0]!;
const cpu0 = process.cpuUsage();
const wall0 = performance.now();
for (let r = 0; r < ROUNDS; r++) {
  // Rotate the order every round: no series always runs first (warmest) or last.
  for (let i = 0; i < names.length; i++) {
    const name = names[(i + r) % names.length]!;
    got[name]!.push(rate(series[name]!));
  }
}
const cpuShare = ((c) => (c.user + c.system) / 1000 / (performance.now() - wall0))(process.cpuUsage(cpu0));
const load1 = loadavg()[0]!;

const median = (a: number[]): number => {
  const s = [...a].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const wall = Object.fromEntries(names.map((k) => [k, median(got[k]!.map((r) => r.wall))])) as Record<string, number>;
const cpu = Object.fromEntries(names.map((k) => [k, median(got[k]!.map((r) => r.cpu))])) as Record<string, number>;
const fmt = (n: number): string => Math.round(n).toLocaleString('en-US').padStart(10);
const x = (n: number): string => `${n.toFixed(2)}×`;
const C = C_REFERENCE;

console.log(`Node ${process.version}; ${bytes.length}-byte m-retrieve-conf; ${ROUNDS} interleaved rounds of ${MS} ms; load average ${load0.toFixed(2)} → ${load1.toFixed(2)} (1 min); this process got ${x(cpuShare)} of a core`);
console.log(`medians                     per s   per CPU-s   ÷ C ref (per s)   ÷ C ref (per CPU-s)`);
const row = (label: string, k: string, note: string): void =>
  console.log(`  ${label.padEnd(20)}${fmt(wall[k]!)}  ${fmt(cpu[k]!)}   ${x(wall[k]! / C).padStart(8)}          ${x(cpu[k]! / C).padStart(8)}     ${note}`);
row('encodePduVectored', 'vectored', 'bodies passed on (the socket writes them as they are)');
row('encodePdu', 'concat', 'one buffer: the bodies copied once');
if (baseline) row('baseline encodePdu', 'baseline', process.env.BASELINE_CODEC!);
row('Buffer.from(pdu)', 'copy', 'calibration: one plain copy of the PDU');
console.log(`C reference: Sailfish mms-lib ${C.toLocaleString('en-US')} encodes/s, single thread, recorded (conformance/corpus/peer-encoders/README.md); the C codec cannot be rebuilt here.`);
console.log(`same-run ratios: vectored/copy ${x(wall.vectored! / wall.copy!)}   concat/copy ${x(wall.concat! / wall.copy!)}${baseline ? `   vectored/baseline ${x(wall.vectored! / wall.baseline!)}   concat/baseline ${x(wall.concat! / wall.baseline!)}` : ''}`);
console.log(`recorded earlier: encodePdu 50,640/s = 0.68× the C reference (issue 17); quiet run: copy ${QUIET.copy.toLocaleString('en-US')}/s, so this run's copy is ${x(wall.copy! / QUIET.copy)} of quiet.`);
if (sink === -1) console.log(sink);
