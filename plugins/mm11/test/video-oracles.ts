// Independent checks of a video file: what ffprobe reads from it, the H.264 level its numbers
// need (ITU-T H.264 Table A-1, typed in here from the standard, not imported from src), and
// whether its frames show a picture (decoded by ffmpeg, compared with the source).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** [level_idc, MaxMBPS, MaxFS, MaxBR kbit/s (Baseline)] */
const TABLE_A1: ReadonlyArray<[number, number, number, number]> = [
  [10, 1485, 99, 64],
  [11, 3000, 396, 192],
  [12, 6000, 396, 384],
  [13, 11880, 396, 768],
  [20, 11880, 396, 2000],
  [21, 19800, 792, 4000],
  [22, 20250, 1620, 4000],
  [30, 40500, 1620, 10000],
  [31, 108000, 3600, 14000],
  [32, 216000, 5120, 20000],
  [40, 245760, 8192, 20000],
];

/** Lowest level_idc whose frame size, macroblock rate and bit rate limits hold a w×h stream at fps and kbit/s. */
export function requiredLevel(width: number, height: number, fps: number, kbps: number): number {
  const fs = Math.ceil(width / 16) * Math.ceil(height / 16);
  const row = TABLE_A1.find(([, mbps, maxFs, br]) => fs <= maxFs && fs * fps <= mbps && kbps <= br);
  if (!row) throw new Error(`no level holds ${width}×${height}@${fps} ${kbps} kbit/s`);
  return row[0];
}

export interface VideoFacts {
  codec: string;
  profile?: string;
  level?: number;
  width: number;
  height: number;
  fps: number;
  frames: number;
  /** Whole-file duration (s) and bit rate of the video stream (bit/s, from packet sizes). */
  duration: number;
  videoBitRate: number;
  audio?: { codec: string; bitRate: number };
}

function withFile<T>(data: Uint8Array, ext: string, fn: (file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'mm11-oracle-'));
  try {
    const file = join(dir, `in.${ext}`);
    writeFileSync(file, data);
    return fn(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function videoFacts(data: Uint8Array, ext: string): VideoFacts {
  return withFile(data, ext, (file) => {
    const r = spawnSync('ffprobe', ['-v', 'error', '-count_frames', '-show_entries', 'format=duration:stream=codec_type,codec_name,profile,level,width,height,avg_frame_rate,nb_read_frames,bit_rate', '-of', 'json', file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ffprobe failed: ${r.stderr}`);
    type S = { codec_type: string; codec_name: string; profile?: string; level?: number; width?: number; height?: number; avg_frame_rate?: string; nb_read_frames?: string; bit_rate?: string };
    const j = JSON.parse(r.stdout) as { format: { duration: string }; streams: S[] };
    const v = j.streams.find((s) => s.codec_type === 'video');
    if (!v) throw new Error('no video stream');
    const a = j.streams.find((s) => s.codec_type === 'audio');
    const [n, d] = (v.avg_frame_rate ?? '0/1').split('/').map(Number);
    const facts: VideoFacts = {
      codec: v.codec_name,
      width: v.width!,
      height: v.height!,
      fps: n! / (d || 1),
      frames: Number(v.nb_read_frames ?? 0),
      duration: Number(j.format.duration),
      videoBitRate: Number(v.bit_rate ?? 0),
    };
    if (v.profile) facts.profile = v.profile;
    if (v.level !== undefined && v.level > 0) facts.level = v.level;
    if (a) facts.audio = { codec: a.codec_name, bitRate: Number(a.bit_rate ?? 0) };
    return facts;
  });
}

/** Luma (grey) of the frame shown at `seconds`, decoded by ffmpeg and scaled to width×height. */
export function lumaAt(data: Uint8Array, ext: string, seconds: number, width: number, height: number, letterbox = false): Buffer {
  const vf = letterbox ? `scale=${width}:${height}:force_original_aspect_ratio=decrease:flags=area,pad=${width}:${height}:(ow-iw)/2:(oh-ih)/2` : `scale=${width}:${height}:flags=area`;
  return withFile(data, ext, (file) => {
    const r = spawnSync('ffmpeg', ['-v', 'error', '-nostdin', '-ss', String(seconds), '-i', file, '-frames:v', '1', '-vf', vf, '-pix_fmt', 'gray', '-f', 'rawvideo', '-'], { maxBuffer: 64 * 1024 * 1024 });
    if (r.status !== 0) throw new Error(`ffmpeg decode failed: ${r.stderr.toString()}`);
    if (r.stdout.length !== width * height) throw new Error(`decoded ${r.stdout.length} bytes, expected ${width * height}`);
    return r.stdout;
  });
}

export function stdDev(px: Buffer): number {
  let s = 0;
  for (const v of px) s += v;
  const mean = s / px.length;
  let q = 0;
  for (const v of px) q += (v - mean) ** 2;
  return Math.sqrt(q / px.length);
}

/** Pearson correlation of two equally sized grey frames: ~1 the same picture, ~0 unrelated (or flat). */
export function correlation(a: Buffer, b: Buffer): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const x = a[i]! - ma;
    const y = b[i]! - mb;
    sab += x * y;
    saa += x * x;
    sbb += y * y;
  }
  return saa === 0 || sbb === 0 ? 0 : sab / Math.sqrt(saa * sbb);
}

/**
 * Frames of `out` at several times against the source's frames at the same times (both scaled
 * to the output size): the lowest luma spread and lowest correlation seen.
 */
export function pictureCheck(out: Uint8Array, outExt: string, source: Uint8Array, sourceExt: string, times: readonly number[], width: number, height: number, letterbox = false): { minStdDev: number; minCorrelation: number } {
  let minStdDev = Infinity;
  let minCorrelation = Infinity;
  for (const t of times) {
    const o = lumaAt(out, outExt, t, width, height);
    const s = lumaAt(source, sourceExt, t, width, height, letterbox);
    minStdDev = Math.min(minStdDev, stdDev(o));
    minCorrelation = Math.min(minCorrelation, correlation(o, s));
  }
  return { minStdDev, minCorrelation };
}

const TIMES = [1.5, 5, 8.5];

/** What every adapted video must satisfy, checked on the file alone (ffprobe, ffmpeg decode) and against its source. */
export function assertWatchable(out: Uint8Array, source: Uint8Array, budget: number, box?: { width: number; height: number }): VideoFacts {
  assert.ok(out.byteLength <= budget, `${out.byteLength} bytes for a budget of ${budget}`);
  const f = videoFacts(out, '3gp');
  if (box) assert.ok((f.width <= box.width && f.height <= box.height) || (f.width <= box.height && f.height <= box.width), `${f.width}×${f.height} outside ${box.width}×${box.height}`);
  if (f.codec === 'h264') {
    assert.match(f.profile ?? '', /Baseline/);
    const need = requiredLevel(f.width, f.height, f.fps, f.videoBitRate / 1000);
    assert.ok(f.level !== undefined && f.level >= need, `${f.width}×${f.height}@${f.fps} ${Math.round(f.videoBitRate / 1000)} kbit/s needs level ${need / 10}, tagged ${(f.level ?? 0) / 10}`);
    // Not tagged far above what it needs either (a QCIF clip is no level 3 stream).
    assert.ok(f.level <= Math.max(need + 10, 13), `level ${f.level / 10} for a level ${need / 10} stream`);
  }
  // Pixels carry a picture: bits per pixel per frame stay in a range where frames are not blocks.
  const bpp = f.videoBitRate / (f.width * f.height * f.fps);
  assert.ok(bpp >= 0.04, `${bpp.toFixed(3)} bits per pixel`);
  // H.263's fixed frame sizes letterbox the picture: compare with the source letterboxed alike.
  const p = pictureCheck(out, '3gp', source, 'mp4', TIMES, f.width, f.height, f.codec === 'h263');
  assert.ok(p.minStdDev > 25, `a frame is nearly flat (luma std dev ${p.minStdDev.toFixed(1)})`);
  assert.ok(p.minCorrelation > 0.75, `a frame does not show the source picture (correlation ${p.minCorrelation.toFixed(2)})`);
  return f;
}
