import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MediaEnv, MediaOutcome } from './image.js';
import { accepts, extensionFor, humanSize, normalizeType, sniffType } from './media-types.js';
import { run } from './tools.js';

export interface AvProbe {
  duration?: number;
  audio?: { codec: string; sampleRate?: number; channels?: number };
  /** `fps`: average frame rate, when the container tells. */
  video?: { codec: string; width: number; height: number; fps?: number };
}

export interface AudioTarget {
  accept?: readonly string[];
  budget: number;
  maxSeconds?: number;
  overlong: 'trim' | 'replace';
}

interface FfprobeJson {
  format?: { duration?: string };
  streams?: Array<{ codec_type?: string; codec_name?: string; width?: number; height?: number; avg_frame_rate?: string; r_frame_rate?: string; sample_rate?: string; channels?: number; duration?: string }>;
}

async function withTemp<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'openmmsc-mm11-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Writes `data` to a temporary file, probes it and runs `fn` on it (the directory is removed
 * after); a file ffprobe cannot read, or without a stream of `what`, fails with the reason.
 */
export function withProbed(data: Uint8Array, type: string, what: 'audio' | 'video', env: MediaEnv, fn: (dir: string, input: string, info: AvProbe) => Promise<MediaOutcome>): Promise<MediaOutcome> {
  return withTemp(async (dir) => {
    const input = join(dir, `in.${extensionFor(type)}`);
    await writeFile(input, data);
    let info: AvProbe;
    try {
      info = await probeAv(input, env);
    } catch (error) {
      return { kind: 'failed', reason: `cannot read the ${what}: ${(error as Error).message}` };
    }
    if (!info[what]) return { kind: 'failed', reason: `no ${what} stream found` };
    return fn(dir, input, info);
  });
}

/** `30000/1001` → 29.97; `0/0` and nonsense → undefined. */
function rate(r: string | undefined): number | undefined {
  const m = /^(\d+)\/(\d+)$/.exec(r ?? '');
  const v = m ? Number(m[1]) / Number(m[2]) : NaN;
  return Number.isFinite(v) && v > 0 && v <= 240 ? v : undefined;
}

export async function probeAv(file: string, env: MediaEnv): Promise<AvProbe> {
  const ff = env.tools.ffmpeg;
  if (!ff) throw new Error('ffmpeg is not installed');
  const { stdout } = await run(
    ff.ffprobe,
    ['-v', 'error', '-show_entries', 'format=duration:stream=codec_type,codec_name,width,height,avg_frame_rate,r_frame_rate,sample_rate,channels,duration', '-of', 'json', file],
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
      const fps = rate(s.avg_frame_rate) ?? rate(s.r_frame_rate);
      if (fps) out.video.fps = fps;
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

export const AMR_RATES = [12.2, 10.2, 7.95, 7.4, 6.7, 5.9, 5.15, 4.75];
const AUDIO_FORMATS: readonly AudioFormat[] = [
  { type: 'audio/mpeg', encoder: 'libmp3lame', format: 'mp3', bitrates: [128, 96, 64, 48, 32, 24, 16, 8], args: [] },
  { type: 'audio/mp4', encoder: 'aac', format: 'ipod', bitrates: [96, 64, 48, 32, 24, 16], args: ['-movflags', '+faststart'] },
  { type: 'audio/aac', encoder: 'aac', format: 'adts', bitrates: [96, 64, 48, 32, 24, 16], args: [] },
  { type: 'audio/amr', encoder: 'libopencore_amrnb', format: 'amr', bitrates: AMR_RATES, args: ['-ar', '8000', '-ac', '1'] },
  { type: 'audio/3gpp', encoder: 'libopencore_amrnb', format: '3gp', bitrates: AMR_RATES, args: ['-ar', '8000', '-ac', '1'] },
];

/**
 * Runs one ffmpeg conversion (`args` write to `output`) and reads what it wrote; a converter that
 * fails or times out is the media outcome to give instead.
 */
export async function convert(ffmpeg: string, args: readonly string[], output: string, env: MediaEnv, what: string): Promise<Buffer | Extract<MediaOutcome, { kind: 'failed' }>> {
  try {
    await run(ffmpeg, args, { timeoutMs: env.timeoutMs, ...(env.signal ? { signal: env.signal } : {}) });
  } catch (error) {
    return { kind: 'failed', reason: `${what} conversion failed: ${(error as Error).message}` };
  }
  return readFile(output);
}

export function timing(duration: number | undefined, target: AudioTarget, what: string): { seconds?: number; note: string } | { failed: string } {
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
  return withProbed(data, type, 'audio', env, async (dir, input, info) => {
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
        const out = await convert(ff.path, args, output, env, 'audio');
        if (!Buffer.isBuffer(out)) return out;
        if (out.length <= target.budget) {
          return { kind: 'adapted', data: out, type: f.type, note: `${type} (${humanSize(data.byteLength)}) → ${f.type} ${kbps} kbit/s (${humanSize(out.length)})${t.note}` };
        }
      }
    }
    return { kind: 'failed', reason: `a ${seconds.toFixed(0)} s clip does not fit ${humanSize(target.budget)} at any bit rate we use` };
  });
}
