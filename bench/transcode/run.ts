/**
 * MM11 image adaptation benchmark: how many 12 MP photos per second the local transcoder adapts
 * to the 300 KB class (whole-message adaptation: budget, resize, quality search, encode), with
 * the bytes and resolution reached.
 *
 *   node --import tsx --conditions=@openmmsc/source bench/transcode/run.ts [seconds-per-case] [max-images-per-case]
 */
import { availableParallelism } from 'node:os';
import type { MmsPart } from '@openmmsc/core';
import { photo, sharp } from './photo.js';
import { adaptParts, ClassTable, DEFAULT_CLASSES, localBackend, probeTools, type AdaptSettings, type MediaBackend } from '@openmmsc/plugin-mm11';

const SECONDS = Number(process.argv[2] ?? 8);
const MAX_IMAGES = Number(process.argv[3] ?? 60);

const settings: AdaptSettings = { headerOverhead: 1024, minImageBytes: 3000, jpegQuality: { max: 85, min: 40 }, overlongMedia: 'trim' };
const caps = new ClassTable({ classes: DEFAULT_CLASSES, targets: {}, peers: [] }).byName('300k')!;

function message(image: Buffer, type: string): MmsPart[] {
  return [
    { contentType: { type, params: {} }, contentLocation: `photo.${type.split('/')[1]}`, data: image },
    { contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, contentLocation: 'text.txt', data: Buffer.from('Look at this!') },
  ];
}

async function runCase(label: string, parts: MmsPart[], backend: MediaBackend, parallel: number): Promise<void> {
  // One warm-up (libvips caches, JIT).
  const warm = await adaptParts({ messageId: 'warm', parts, caps }, backend, settings);
  const img = warm.parts[0]!;
  const meta = await sharp(img.data).metadata();
  const deadline = Date.now() + SECONDS * 1000;
  let done = 0;
  const started = process.hrtime.bigint();
  const latencies: number[] = [];
  async function worker(): Promise<void> {
    while (Date.now() < deadline && done < MAX_IMAGES) {
      done++;
      const t0 = process.hrtime.bigint();
      const r = await adaptParts({ messageId: `m${done}`, parts, caps }, backend, settings);
      latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (r.size > 300 * 1024) throw new Error(`over budget: ${r.size}`);
    }
  }
  await Promise.all(Array.from({ length: parallel }, worker));
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  latencies.sort((a, b) => a - b);
  const p50 = latencies[Math.floor(latencies.length / 2)]!;
  console.log(
    `${label.padEnd(34)} ${String(parallel).padStart(2)} at once  ${(latencies.length / elapsed).toFixed(2).padStart(6)} images/s  ` +
      `p50 ${p50.toFixed(0).padStart(5)} ms  → ${img.contentType.type} ${meta.width}×${meta.height}, ${(img.data.byteLength / 1024).toFixed(0)} KB ` +
      `${/ q(\d+) /.exec(warm.notes[0] ?? '')?.[0]?.trim() ?? ''} (message ${(warm.size / 1024).toFixed(0)} KB of 300 KB)  [${latencies.length} images]`,
  );
}

const tools = await probeTools({ ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', convert: 'convert', timeoutMs: 30_000 });
const backend = localBackend({ tools, timeoutMs: 60_000 }, settings);
console.log(`sharp ${sharp.versions.sharp} / libvips ${sharp.versions.vips}; ${availableParallelism()} cores; libvips threads ${sharp.concurrency()}; ${SECONDS} s or ${MAX_IMAGES} images per case`);
const jpeg = await photo(4000, 3000, 'jpeg');
const png = await photo(4000, 3000, 'png');
const portrait = await photo(3000, 4000, 'jpeg');
console.log(`sources: 12 MP JPEG q92 ${(jpeg.length / 1048576).toFixed(1)} MB, 12 MP PNG ${(png.length / 1048576).toFixed(1)} MB, 12 MP portrait JPEG ${(portrait.length / 1048576).toFixed(1)} MB`);
await runCase('12 MP JPEG → 300k class', message(jpeg, 'image/jpeg'), backend, 1);
await runCase('12 MP JPEG → 300k class', message(jpeg, 'image/jpeg'), backend, 2);
await runCase('12 MP portrait JPEG → 300k class', message(portrait, 'image/jpeg'), backend, 1);
await runCase('12 MP PNG → 300k class', message(png, 'image/png'), backend, 1);
