import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { STI_SCHEMA } from '@openmmsc/conformance';
import { systemCommand } from '@openmmsc/testkit/system';
import { probeTools, type ToolSupport } from '../src/index.js';

/** A photo-like picture: smooth random blobs (upscaled noise), PNG; compresses like a real photo, not trivially. */
export async function photoPng(width: number, height: number, detail = 20): Promise<Buffer> {
  const bw = Math.max(2, Math.round(width / detail));
  const bh = Math.max(2, Math.round(height / detail));
  const small = await sharp({ create: { width: bw, height: bh, channels: 3, noise: { type: 'gaussian', mean: 128, sigma: 70 } } }).png().toBuffer();
  return sharp(small).resize(width, height, { kernel: 'cubic' }).png({ compressionLevel: 2 }).toBuffer();
}

export async function photoAs(format: 'webp' | 'jpeg' | 'avif' | 'tiff' | 'gif', width: number, height: number, detail = 20): Promise<Buffer> {
  const png = await photoPng(width, height, detail);
  const img = sharp(png);
  return format === 'webp' ? img.webp({ quality: 90 }).toBuffer() : format === 'jpeg' ? img.jpeg({ quality: 92 }).toBuffer() : format === 'avif' ? img.avif({ quality: 60, effort: 0 }).toBuffer() : format === 'gif' ? img.gif().toBuffer() : img.tiff().toBuffer();
}

/** An animated GIF: `frames` frames of moving coloured noise. */
export async function animatedGif(width: number, height: number, frames: number): Promise<Buffer> {
  const strip = await sharp({ create: { width, height: height * frames, channels: 3, noise: { type: 'gaussian', mean: 128, sigma: 50 } } })
    .png()
    .toBuffer();
  const smooth = await sharp(strip).resize(Math.round(width / 8), Math.round((height * frames) / 8)).resize(width, height * frames).raw().toBuffer({ resolveWithObject: true });
  return sharp(smooth.data, { raw: { width, height: height * frames, channels: 3, pageHeight: height } as { width: number; height: number; channels: 3; pageHeight: number } })
    .gif({ delay: Array(frames).fill(100), loop: 0 })
    .toBuffer();
}

let cached: ToolSupport | undefined;
export async function tools(): Promise<ToolSupport> {
  cached ??= await probeTools({ ffmpeg: 'ffmpeg', ffprobe: 'ffprobe', convert: 'convert', timeoutMs: 30_000 });
  return cached;
}

/**
 * The tools, for tests guarded by `requireSystem('ffmpeg')` / `requireSystem('imagemagick')`: the
 * plugin's own probe must find what the guard found.
 */
export async function requireFfmpeg(): Promise<ToolSupport> {
  const t = await tools();
  if (!t.ffmpeg) throw new Error('the plugin\'s probe did not find ffmpeg/ffprobe');
  return t;
}
export async function requireImageMagickHeic(): Promise<ToolSupport> {
  const t = await tools();
  if (!t.imagemagick || !t.imagemagick.heic) throw new Error('the plugin\'s probe did not find ImageMagick with HEIC');
  return t;
}

/** Runs ffmpeg to make a file (lavfi sources), returns its bytes. */
export function ffmpegMake(args: string[], ext: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'mm11-test-'));
  try {
    const out = join(dir, `out.${ext}`);
    const r = spawnSync('ffmpeg', ['-hide_banner', '-nostdin', '-v', 'error', '-y', ...args, out], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** ffprobe of bytes: duration, codecs, frame size. */
export function ffprobe(data: Uint8Array, ext: string): { duration: number; streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number; sample_rate?: string }> } {
  const dir = mkdtempSync(join(tmpdir(), 'mm11-test-'));
  try {
    const file = join(dir, `in.${ext}`);
    writeFileSync(file, data);
    const r = spawnSync('ffprobe', ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,codec_name,width,height,sample_rate', '-of', 'json', file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`ffprobe failed: ${r.stderr}`);
    const j = JSON.parse(r.stdout) as { format: { duration: string }; streams: Array<{ codec_type: string; codec_name: string; width?: number; height?: number; sample_rate?: string }> };
    return { duration: Number(j.format.duration), streams: j.streams };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Validates an XML document against the OMA STI 1.0 schema (conformance/specs/sti) with xmllint;
 * throws with its output when invalid. Guard the test with `requireSystem('xmllint')`.
 */
export function validateSti(xml: string): void {
  const dir = mkdtempSync(join(tmpdir(), 'mm11-xsd-'));
  try {
    const file = join(dir, 'doc.xml');
    writeFileSync(file, xml);
    const r = spawnSync(systemCommand('xmllint', 'xmllint'), ['--nonet', '--noout', '--schema', STI_SCHEMA, file], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`STI schema validation failed:\n${r.stderr}\n${xml}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
