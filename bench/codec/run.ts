/**
 * Codec benchmark: decode and encode operations per second and MB/s (encode: into one buffer, and
 * vectored: bodies passed on), and decode time against a plain copy of the same bytes (decoding
 * does not copy part bodies, so its cost is flat in body size). bench/codec/peer.ts compares the
 * 51 KB PDU with the C reference in interleaved rounds.
 *
 *   node --expose-gc --import tsx --conditions=@openmmsc/source bench/codec/run.ts [seconds-per-case] [runs]
 */
import { readFileSync } from 'node:fs';
import { corpusPath } from '@openmmsc/conformance';
import { decodePdu, encodePdu, encodePduVectored, type MmsPdu, type WspPart as MmsPart } from '@openmmsc/codec';

const SECONDS = Number(process.argv[2] ?? 1);
/** Repeat every measurement and keep the best (useful on a busy machine). */
const RUNS = Number(process.argv[3] ?? 1);
const peer = corpusPath('peer-encoders/');
const image = readFileSync(peer + 'image.jpg');
const smil = readFileSync(peer + 'smil.xml');
const text = readFileSync(peer + 'text.txt');

function jpeg(size: number): Buffer {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = image[i % image.length]!;
  return b;
}

function parts(img: Buffer): MmsPart[] {
  return [
    { contentType: { type: 'application/smil', params: { name: 'smil.xml' } }, headers: { contentId: '<smil>', contentLocation: 'smil.xml' }, data: smil },
    { contentType: { type: 'image/jpeg', params: { name: 'image.jpg' } }, headers: { contentId: '<image>', contentLocation: 'image.jpg' }, data: img },
    { contentType: { type: 'text/plain', params: { charset: 'utf-8', name: 'text.txt' } }, headers: { contentId: '<text>', contentLocation: 'text.txt' }, data: text },
  ];
}

const related = { type: 'application/vnd.wap.multipart.related', params: { start: '<smil>', type: 'application/smil' } };
const from = { address: '+15550000001', type: 'PLMN' };
const to = [{ address: '+15550000002', type: 'PLMN' }];
const date = new Date(1700000000 * 1000);

const notification: MmsPdu = {
  messageType: 'm-notification-ind',
  transactionId: 'T0001',
  mmsVersion: '1.2',
  from,
  subject: { text: 'Peer benchmark', charset: 'utf-8' },
  messageClass: 'personal',
  messageSize: 51488,
  expiry: { relativeSeconds: 604800 },
  contentLocation: 'http://mmsc.example.net/mms/get/0123456789abcdef',
};
const sendReq: MmsPdu = {
  messageType: 'm-send-req',
  transactionId: 'T0001',
  mmsVersion: '1.2',
  date,
  from: { address: '', insertAddress: true },
  to,
  subject: { text: 'Peer benchmark', charset: 'utf-8' },
  body: { contentType: related, parts: parts(jpeg(30 * 1024 - smil.length - text.length - 200)) },
};
const retrieve = (img: Buffer): MmsPdu => ({
  messageType: 'm-retrieve-conf',
  transactionId: 'T0001',
  mmsVersion: '1.2',
  date,
  from,
  to,
  subject: { text: 'Peer benchmark', charset: 'utf-8' },
  messageClass: 'personal',
  priority: 'normal',
  body: { contentType: related, parts: parts(img) },
});
const twenty: MmsPdu = {
  ...retrieve(jpeg(10)),
  body: {
    contentType: related,
    parts: [
      parts(jpeg(1))[0]!,
      ...Array.from({ length: 19 }, (_, i): MmsPart => ({
        contentType: { type: i % 2 ? 'text/plain' : 'image/jpeg', params: i % 2 ? { charset: 'utf-8', name: `t${i}.txt` } : { name: `i${i}.jpg` } },
        headers: { contentId: `<p${i}>`, contentLocation: i % 2 ? `t${i}.txt` : `i${i}.jpg` },
        data: i % 2 ? text : jpeg(4000),
      })),
    ],
  },
};

const cases: [string, Buffer][] = [
  ['m-notification-ind (small)', encodePdu(notification)],
  ['m-send-req 30 KB (SMIL+text+JPEG)', encodePdu(sendReq)],
  ['m-retrieve-conf 300 KB', encodePdu(retrieve(jpeg(300 * 1024)))],
  ['m-retrieve-conf 20 parts', encodePdu(twenty)],
  ['bench-retrieve-conf.mms (51 KB, AOSP)', readFileSync(peer + 'bench-retrieve-conf.mms')],
];

let sink = 0;
/** ops/s of fn, measured for SECONDS after a warm-up. */
function measure(fn: () => number): number {
  let best = 0;
  for (let r = 0; r < RUNS; r++) best = Math.max(best, measureOnce(fn));
  return best;
}

function measureOnce(fn: () => number): number {
  (globalThis as { gc?: () => void }).gc?.(); // with --expose-gc: start each measurement from a clean heap
  const warm = performance.now();
  while (performance.now() - warm < 200) for (let i = 0; i < 100; i++) sink += fn();
  let n = 0;
  const t0 = performance.now();
  let t = t0;
  let batch = 100;
  while (t - t0 < SECONDS * 1000) {
    for (let i = 0; i < batch; i++) sink += fn();
    n += batch;
    t = performance.now();
    if (t - t0 < 50) batch *= 2;
  }
  return n / ((t - t0) / 1000);
}

const fmt = (n: number, w = 10): string => Math.round(n).toLocaleString('en-US').padStart(w);
const mb = (ops: number, bytes: number): string => ((ops * bytes) / 1e6).toFixed(0).padStart(8);
const us = (ops: number): string => (1e6 / ops).toFixed(2).padStart(8);

console.log(`Node ${process.version}, ${process.arch}; ${SECONDS}s per measurement, best of ${RUNS}`);
console.log(
  'case'.padEnd(40) + 'size'.padStart(9) + ' | decode/s'.padStart(12) + '    MB/s' + '   µs/op' + ' | encode/s'.padStart(12) + '    MB/s' + ' | vectored/s'.padStart(12) + ' | copy/s'.padStart(12) + '   µs/op' + ' | decode/copy',
);
for (const [name, bytes] of cases) {
  const pdu = decodePdu(bytes);
  const dec = measure(() => decodePdu(bytes).messageType.length);
  const enc = measure(() => encodePdu(pdu).length);
  const vec = measure(() => encodePduVectored(pdu).length);
  const copy = measure(() => Buffer.from(bytes).length);
  console.log(
    name.padEnd(40) + fmt(bytes.length, 9) + ' |' + fmt(dec) + mb(dec, bytes.length) + us(dec) + ' |' + fmt(enc) + mb(enc, bytes.length) + ' |' + fmt(vec) + ' |' + fmt(copy) + us(copy) + ' | ' + (copy / dec).toFixed(3),
  );
}
if (sink === -1) console.log(sink);
console.log('decode/copy = time to decode the PDU / time of Buffer.from(pdu); below 1: decoding costs less than copying it once.');
