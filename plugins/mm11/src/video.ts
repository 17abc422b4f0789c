import { join } from 'node:path';
import { AMR_RATES, convert, timing, withProbed, type AudioTarget } from './av.js';
import type { MediaEnv, MediaOutcome } from './image.js';
import { accepts, extensionFor, humanSize, normalizeType, sniffType } from './media-types.js';
import { BUFFER_FACTOR, PEAK_FACTOR, planVideo, type VideoPlan } from './video-plan.js';

export interface VideoTarget extends AudioTarget {
  maxWidth?: number;
  maxHeight?: number;
  codec?: 'h263' | 'h264';
  /** Video bit rate limit, bit/s. */
  maxBitRate?: number;
  maxFrameRate?: number;
  /** Play the input this many times (a short looping animation made into a video); capped by `maxSeconds`. */
  loops?: number;
}

const AAC_RATES = [32, 24, 16];

function encoderArgs(plan: VideoPlan, codec: 'h263' | 'h264'): string[] {
  const vb = Math.round(plan.videoKbps * 1000);
  const rate = ['-b:v', String(vb), '-maxrate', String(Math.round(vb * PEAK_FACTOR)), '-bufsize', String(Math.round(vb * BUFFER_FACTOR))];
  if (codec === 'h263') return ['-c:v', 'h263', '-pix_fmt', 'yuv420p', ...rate];
  return ['-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'baseline', '-level', plan.level!, '-pix_fmt', 'yuv420p', ...rate];
}

function scaleFilter(plan: VideoPlan): string {
  const { width: w, height: h } = plan;
  return plan.fit === 'pad'
    ? `scale=${w}:${h}:force_original_aspect_ratio=decrease,pad=${w}:${h}:(ow-iw)/2:(oh-ih)/2,setsar=1`
    : `scale=${w}:${h},setsar=1`;
}

function describe(plan: VideoPlan, codec: 'h263' | 'h264'): string {
  const c = codec === 'h264' ? `H.264 baseline level ${plan.level}` : 'H.263 level 10';
  const fps = Number.isInteger(plan.fps) ? plan.fps : plan.fps.toFixed(1);
  return `${c} ${plan.width}×${plan.height} ${fps} fps ${Math.round(plan.videoKbps)} kbit/s`;
}

/**
 * Adapts a video (or an animation ffmpeg reads, such as a GIF) to 3GP, else MP4: H.264 baseline
 * or H.263, AMR-NB or AAC audio. Size, frame rate, bit rates and H.264 level come from
 * `planVideo` (recipient's box, bit rate and frame rate limits, and `budget` over the duration).
 */
export async function adaptVideo(data: Uint8Array, declaredType: string, target: VideoTarget, env: MediaEnv): Promise<MediaOutcome> {
  const sniffed = sniffType(data);
  const type = sniffed && !sniffed.startsWith('audio/') ? sniffed : normalizeType(declaredType);
  const ff = env.tools.ffmpeg;
  const isVideo = type.startsWith('video/');
  if (!ff) {
    if (isVideo && accepts(target.accept, type) && data.byteLength <= target.budget && !target.maxSeconds) return { kind: 'unchanged', note: 'not checked: ffmpeg missing' };
    return { kind: 'failed', reason: 'video conversion needs ffmpeg, which is not installed here' };
  }
  return withProbed(data, type, 'video', env, async (dir, input, info) => {
    if (!info.video) return { kind: 'failed', reason: 'no video stream found' };
    let loops = Math.max(1, Math.floor(target.loops ?? 1));
    if (loops > 1 && info.duration && target.maxSeconds) loops = Math.max(1, Math.min(loops, Math.floor(target.maxSeconds / info.duration)));
    const duration = info.duration === undefined ? undefined : info.duration * loops;
    const t = timing(duration, target, 'video');
    if ('failed' in t) return { kind: 'failed', reason: t.failed };
    const { width: vw, height: vh } = info.video;
    const boxW = target.maxWidth ?? vw;
    const boxH = target.maxHeight ?? vh;
    const inBox = (vw <= boxW && vh <= boxH) || (vw <= boxH && vh <= boxW);
    const slowEnough = !target.maxFrameRate || !info.video.fps || info.video.fps <= target.maxFrameRate + 0.01;
    // Whole-file rate: an upper bound of the video's, so a clip under the limit by it is surely under.
    const lowRate = !target.maxBitRate || (info.duration !== undefined && info.duration > 0 && (data.byteLength * 8) / info.duration <= target.maxBitRate);
    if (isVideo && accepts(target.accept, type) && data.byteLength <= target.budget && t.seconds === info.duration && inBox && slowEnough && lowRate) {
      return { kind: 'unchanged' };
    }

    const container = accepts(target.accept, 'video/3gpp') ? 'video/3gpp' : accepts(target.accept, 'video/mp4') ? 'video/mp4' : undefined;
    if (!container) return { kind: 'failed', reason: 'the recipient accepts no video format we can produce' };
    let codec: 'h263' | 'h264' = target.codec ?? 'h264';
    if (codec === 'h264' && !ff.encoders.has('libx264')) codec = 'h263';
    if (codec === 'h263' && !ff.encoders.has('h263')) return { kind: 'failed', reason: 'ffmpeg here has neither libx264 nor h263' };
    const seconds = t.seconds ?? info.duration ?? 30;

    const amr = container === 'video/3gpp' && ff.encoders.has('libopencore_amrnb');
    const audioRates = !info.audio ? undefined : amr ? AMR_RATES : ff.encoders.has('aac') ? AAC_RATES : undefined;
    const output = join(dir, `out.${extensionFor(container)}`);
    let scale = 1;
    let last = 0;
    for (let attempt = 0; attempt < 4; attempt++) {
      const plan = planVideo(
        {
          source: { width: vw, height: vh, ...(info.video.fps ? { fps: info.video.fps } : {}) },
          seconds,
          budget: target.budget,
          codec,
          ...(target.maxWidth ? { maxWidth: target.maxWidth } : {}),
          ...(target.maxHeight ? { maxHeight: target.maxHeight } : {}),
          ...(target.maxBitRate ? { maxBitRate: target.maxBitRate } : {}),
          ...(target.maxFrameRate ? { maxFrameRate: target.maxFrameRate } : {}),
          ...(audioRates ? { audioRates } : {}),
        },
        scale,
      );
      if ('failed' in plan) return { kind: 'failed', reason: last ? `${plan.failed} (the encoder needed ${humanSize(last)})` : plan.failed };
      const a = plan.audioKbps;
      const audioArgs =
        a === undefined ? ['-an'] : amr ? ['-c:a', 'libopencore_amrnb', '-ar', '8000', '-ac', '1', '-b:a', String(Math.round(a * 1000))] : ['-c:a', 'aac', '-ac', '1', '-ar', a < 24 ? '16000' : '22050', '-b:a', String(a * 1000)];
      const args = [
        '-hide_banner', '-nostdin', '-y', '-v', 'error',
        ...(loops > 1 ? ['-stream_loop', String(loops - 1)] : []),
        '-i', input, '-map', '0:v:0', ...(a === undefined ? [] : ['-map', '0:a:0']), '-map_metadata', '-1', '-t', seconds.toFixed(2),
        '-vf', scaleFilter(plan), '-r', String(plan.fps), ...encoderArgs(plan, codec),
        ...audioArgs, '-threads', '2', '-movflags', '+faststart', '-f', container === 'video/3gpp' ? '3gp' : 'mp4', output,
      ];
      const out = await convert(ff.path, args, output, env, 'video');
      if (!Buffer.isBuffer(out)) return out;
      if (out.length <= target.budget) {
        const audio = a === undefined ? '' : ` + ${amr ? 'AMR-NB' : 'AAC'} ${a} kbit/s`;
        const from = isVideo ? `${type} ${vw}×${vh}` : `${type} ${vw}×${vh} animation`;
        const repeat = loops > 1 ? `, played ${loops} times` : '';
        return {
          kind: 'adapted',
          data: out,
          type: container,
          width: plan.width,
          height: plan.height,
          note: `${from} (${humanSize(data.byteLength)}) → ${container} ${describe(plan, codec)}${audio} (${humanSize(out.length)})${repeat}${t.note}`,
        };
      }
      last = out.length;
      scale *= Math.min(0.9, (target.budget / out.length) * 0.9);
    }
    return { kind: 'failed', reason: `the video does not fit ${humanSize(target.budget)}` };
  });
}
