import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MediaEnv, MediaOutcome } from './image.js';
import { accepts, extensionFor, humanSize, normalizeType, sniffType } from './media-types.js';
import { run } from './tools.js';

export interface AvProbe {
  duration?: number;
  audio?: { codec: string; sampleRate?: number; channels?: number };
  video?: { codec: string; width: number; height: number };
}

export interface AudioTarget {
  accept?: readonly string[];
  budget: number;
  maxSeconds?: number;
  overlong: 'trim' | 'replace';
}

export interface VideoTarget extends AudioTarget {
  maxWidth?: number;
  maxHeight?: number;
  codec?: 'h263' | 'h264';
}

interface FfprobeJson {
  format?: { duration?: string };
  streams?: Array<{ codec_type?: string; codec_name?: string; width?: number; height?: number; sample_rate?: string; channels?: number; duration?: string }>;
}

async function withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'openmmsc-mm11-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

export async function probeAv(file: string, env: MediaEnv): Promise<AvProbe> {
  const ff = env.tools.ffmpeg;
  if (!ff) throw new Error('ffmpeg is not installed');
  const { stdout } = await run(
    ff.ffprobe,
    ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,codec_name,width,height,sample_rate,channels,duration', '-of', 'json', file],
    { timeoutMs: env.timeoutMs, ...(env.signal ? { signal: env.signal } : {}) },
  );
  const j = JSON.parse(stdout.toString('utf8')) as FfprobeJson;
  const out: AvProbe = {};
  const d = Number(j.format?.duration ?? NaN);
  if (Number.isFinite(d)) out.duration = d;
  for (const s of j.streams ?? []) {
    if (s.codec_type === 'audio' && !out.audio) {
      out.audio = { codec: s.codec_name ?? '?' };
      if (s.sample_rate) out.audio.sampleRate = Number(s.sample_rate);
      if (s.channels) out.audio.channels = s.channels;
    } else if (s.codec_type === 'video' && !out.video && s.width && s.height && s.codec_name !== 'mjpeg' && s.codec_name !== 'png') {
      out.video = { codec: s.codec_name ?? '?', width: s.width, height: s.height };
    }
    if (out.duration === undefined && s.duration && Number.isFinite(Number(s.duration))) out.duration = Number(s.duration);
  }
  return out;
}

interface AudioFormat {
  type: string;
  encoder: string;
  /** ffmpeg muxer. */
  format: string;
  /** kbit/s, best first. */
  bitrates: readonly number[];
  args: readonly string[];
}

const AMR_RATES = [12.2, 10.2, 7.95, 7.4, 6.7, 5.9, 5.15, 4.75];
const AUDIO_FORMATS: readonly AudioFormat[] = [
  { type: 'audio/mpeg', encoder: 'libmp3lame', format: 'mp3', bitrates: [128, 96, 64, 48, 32, 24, 16, 8], args: [] },
  { type: 'audio/mp4', encoder: 'aac', format: 'ipod', bitrates: [96, 64, 48, 32, 24, 16], args: ['-movflags', '+faststart'] },
  { type: 'audio/aac', encoder: 'aac', format: 'adts', bitrates: [96, 64, 48, 32, 24, 16], args: [] },
  { type: 'audio/amr', encoder: 'libopencore_amrnb', format: 'amr', bitrates: AMR_RATES, args: ['-ar', '8000', '-ac', '1'] },
  { type: 'audio/3gpp', encoder: 'libopencore_amrnb', format: '3gp', bitrates: AMR_RATES, args: ['-ar', '8000', '-ac', '1'] },
];

function timing(duration: number | undefined, target: AudioTarget, what: string): { seconds?: number; note: string } | { failed: string } {
  if (duration === undefined || !target.maxSeconds || duration <= target.maxSeconds + 0.05) return duration === undefined ? { note: '' } : { seconds: duration, note: '' };
  if (target.overlong === 'replace') return { failed: `the ${what} lasts ${duration.toFixed(1)} s; at most ${target.maxSeconds} s are carried` };
  return { seconds: target.maxSeconds, note: `, cut to ${target.maxSeconds} s of ${duration.toFixed(1)} s` };
}

/** Adapts an audio clip: same family at a lower bit rate, else MP3 / AAC / AMR-NB, whichever is accepted. */
export async function adaptAudio(data: Uint8Array, declaredType: string, target: AudioTarget, env: MediaEnv): Promise<MediaOutcome> {
  const type = sniffType(data)?.startsWith('audio/') ? sniffType(data)! : normalizeType(declaredType);
  const ff = env.tools.ffmpeg;
  if (!ff) {
    if (accepts(target.accept, type) && data.byteLength <= target.budget) return { kind: 'unchanged', note: 'not checked: ffmpeg missing' };
    return { kind: 'failed', reason: 'audio conversion needs ffmpeg, which is not installed here' };
  }
  return withTemp(async (dir) => {
    const input = join(dir, `in.${extensionFor(type)}`);
    await writeFile(input, data);
    let info: AvProbe;
    try {
      info = await probeAv(input, env);
    } catch (error) {
      return { kind: 'failed', reason: `cannot read the audio: ${(error as Error).message}` };
    }
    if (!info.audio) return { kind: 'failed', reason: 'no audio stream found' };
    const t = timing(info.duration, target, 'audio clip');
    if ('failed' in t) return { kind: 'failed', reason: t.failed };
    if (accepts(target.accept, type) && data.byteLength <= target.budget && t.seconds === info.duration) return { kind: 'unchanged' };
    const seconds = t.seconds ?? info.duration ?? 60;
    const usable = AUDIO_FORMATS.filter((f) => accepts(target.accept, f.type) && ff.encoders.has(f.encoder));
    usable.sort((a, b) => Number(b.type === type) - Number(a.type === type));
    if (usable.length === 0) return { kind: 'failed', reason: 'the recipient accepts no audio format we can produce' };
    for (const f of usable) {
      const fitRate = ((target.budget - 600) * 8) / seconds / 1000 / 1.04;
      for (const kbps of f.bitrates.filter((b) => b <= fitRate)) {
        const output = join(dir, `out.${extensionFor(f.type)}`);
        const args = ['-hide_banner', '-nostdin', '-y', '-v', 'error', '-i', input, '-vn', '-map_metadata', '-1', '-t', seconds.toFixed(2), '-c:a', f.encoder, '-b:a', `${Math.round(kbps * 1000)}`, ...f.args];
        if (f.encoder !== 'libopencore_amrnb' && kbps <= 48) args.push('-ac', '1');
        if (f.encoder !== 'libopencore_amrnb' && kbps <= 24) args.push('-ar', '22050');
        args.push('-threads', '1', '-f', f.format, output);
        try {
          await run(ff.path, args, { timeoutMs: env.timeoutMs, ...(env.signal ? { signal: env.signal } : {}) });
        } catch (error) {
          return { kind: 'failed', reason: `audio conversion failed: ${(error as Error).message}` };
        }
        const out = await readFile(output);
        if (out.length <= target.budget) {
          return { kind: 'adapted', data: out, type: f.type, note: `${type} (${humanSize(data.byteLength)}) → ${f.type} ${kbps} kbit/s (${humanSize(out.length)})${t.note}` };
        }
      }
    }
    return { kind: 'failed', reason: `a ${seconds.toFixed(0)} s clip does not fit ${humanSize(target.budget)} at any bit rate we use` };
  });
}

const H263_SIZES: ReadonlyArray<[number, number]> = [
  [704, 576],
  [352, 288],
  [176, 144],
  [128, 96],
];

/** Adapts a video to 3GP (or MP4): H.264 baseline or H.263, AMR-NB or AAC audio, within duration, frame and bytes. */
export async function adaptVideo(data: Uint8Array, declaredType: string, target: VideoTarget, env: MediaEnv): Promise<MediaOutcome> {
  const sniffed = sniffType(data);
  const type = sniffed?.startsWith('video/') ? sniffed : normalizeType(declaredType);
  const ff = env.tools.ffmpeg;
  if (!ff) {
    if (accepts(target.accept, type) && data.byteLength <= target.budget && !target.maxSeconds) return { kind: 'unchanged', note: 'not checked: ffmpeg missing' };
    return { kind: 'failed', reason: 'video conversion needs ffmpeg, which is not installed here' };
  }
  return withTemp(async (dir) => {
    const input = join(dir, `in.${extensionFor(type)}`);
    await writeFile(input, data);
    let info: AvProbe;
    try {
      info = await probeAv(input, env);
    } catch (error) {
      return { kind: 'failed', reason: `cannot read the video: ${(error as Error).message}` };
    }
    if (!info.video) return { kind: 'failed', reason: 'no video stream found' };
    const t = timing(info.duration, target, 'video');
    if ('failed' in t) return { kind: 'failed', reason: t.failed };
    const { width: vw, height: vh } = info.video;
    const boxW = target.maxWidth ?? vw;
    const boxH = target.maxHeight ?? vh;
    const inBox = (vw <= boxW && vh <= boxH) || (vw <= boxH && vh <= boxW);
    if (accepts(target.accept, type) && data.byteLength <= target.budget && t.seconds === info.duration && inBox) return { kind: 'unchanged' };

    const container = accepts(target.accept, 'video/3gpp') ? 'video/3gpp' : accepts(target.accept, 'video/mp4') ? 'video/mp4' : undefined;
    if (!container) return { kind: 'failed', reason: 'the recipient accepts no video format we can produce' };
    let codec: 'h263' | 'h264' = target.codec ?? 'h264';
    if (codec === 'h264' && !ff.encoders.has('libx264')) codec = 'h263';
    if (codec === 'h263' && !ff.encoders.has('h263')) return { kind: 'failed', reason: 'ffmpeg here has neither libx264 nor h263' };
    const seconds = t.seconds ?? info.duration ?? 30;

    let audioArgs: string[] = ['-an'];
    let audioKbps = 0;
    if (info.audio) {
      if (container === 'video/3gpp' && ff.encoders.has('libopencore_amrnb')) {
        audioArgs = ['-c:a', 'libopencore_amrnb', '-ar', '8000', '-ac', '1', '-b:a', '12200'];
        audioKbps = 12.2;
      } else if (ff.encoders.has('aac')) {
        audioArgs = ['-c:a', 'aac', '-ac', '1', '-ar', '22050', '-b:a', '24000'];
        audioKbps = 24;
      }
    }
    // Frame size: H.263 only knows its fixed sizes (letterboxed); H.264 keeps the aspect ratio.
    const portrait = vh > vw;
    let [w, h] = portrait && boxW > boxH ? [boxH, boxW] : [boxW, boxH];
    let filter: string;
    if (codec === 'h263') {
      const size = H263_SIZES.find(([sw, sh]) => sw <= Math.max(boxW, boxH) && sh <= Math.min(boxW, boxH)) ?? [128, 96];
      [w, h] = size;
      filter = `scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1`;
    } else {
      filter = `scale='min(${w},iw)':'min(${h},ih)':force_original_aspect_ratio=decrease:force_divisible_by=2,setsar=1`;
    }
    const fps = target.budget <= 400 * 1024 ? 15 : 25;
    const totalKbps = ((target.budget - 2000) * 8 * 0.92) / seconds / 1000;
    let videoKbps = totalKbps - audioKbps;
    const output = join(dir, `out.${extensionFor(container)}`);
    for (let attempt = 0; attempt < 4; attempt++) {
      if (videoKbps < 16) {
        return { kind: 'failed', reason: `a ${seconds.toFixed(0)} s video does not fit ${humanSize(target.budget)} (${Math.max(0, videoKbps).toFixed(0)} kbit/s left for pictures)` };
      }
      const vb = Math.round(videoKbps * 1000);
      const videoArgs =
        codec === 'h264'
          ? ['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'baseline', '-level', '3.0', '-pix_fmt', 'yuv420p']
          : ['-c:v', 'h263', '-pix_fmt', 'yuv420p'];
      const args = [
        '-hide_banner', '-nostdin', '-y', '-v', 'error', '-i', input, '-map_metadata', '-1', '-t', seconds.toFixed(2),
        '-vf', filter, '-r', String(fps), ...videoArgs,
        '-b:v', String(vb), '-maxrate', String(Math.round(vb * 1.15)), '-bufsize', String(Math.round(vb * 1.5)),
        ...audioArgs, '-threads', '2', '-movflags', '+faststart', '-f', container === 'video/3gpp' ? '3gp' : 'mp4', output,
      ];
      try {
        await run(ff.path, args, { timeoutMs: env.timeoutMs, ...(env.signal ? { signal: env.signal } : {}) });
      } catch (error) {
        return { kind: 'failed', reason: `video conversion failed: ${(error as Error).message}` };
      }
      const out = await readFile(output);
      if (out.length <= target.budget) {
        const real = await probeAv(output, env).catch(() => undefined);
        const dims = real?.video ? `${real.video.width}×${real.video.height}` : `${w}×${h}`;
        return {
          kind: 'adapted',
          data: out,
          type: container,
          ...(real?.video ? { width: real.video.width, height: real.video.height } : {}),
          note: `${type} ${vw}×${vh} (${humanSize(data.byteLength)}) → ${container} ${codec.toUpperCase()} ${dims} ${Math.round(videoKbps)} kbit/s (${humanSize(out.length)})${t.note}`,
        };
      }
      videoKbps = videoKbps * Math.min(0.9, (target.budget / out.length) * 0.9);
    }
    return { kind: 'failed', reason: `the video does not fit ${humanSize(target.budget)}` };
  });
}
