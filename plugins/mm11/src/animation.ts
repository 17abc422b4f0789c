import sharp from 'sharp';
import type { MediaOutcome } from './image.js';
import { accepts, humanSize } from './media-types.js';

/** An animated picture as read by sharp: all frames, their delays (ms) and loop count (0: forever). */
export interface Animation {
  input: Buffer;
  type: string;
  width: number;
  height: number;
  frames: number;
  delays: readonly number[];
  loop: number;
  /** Bytes of the original, for notes. */
  size: number;
}

export interface AnimationTarget {
  accept?: readonly string[];
  box: { width: number; height: number };
  budget: number;
  /** Encodes left for this picture. */
  counter: { n: number; max: number };
  /**
   * Makes the animation a video the recipient takes (a GIF in, `loops` plays). Absent: the
   * recipient takes no video, or the class does not want animations turned into videos.
   */
  toVideo?: (gif: Buffer, loops: number) => Promise<MediaOutcome>;
}

/** Frames are merged only while the motion stays smooth: a merged frame shows at most this long. */
const MAX_MERGED_DELAY = 150;
/** A GIF frame without a delay shows for 100 ms in browsers and handsets alike. */
const DEFAULT_DELAY = 100;
/** A short looping animation is played as a video of at least this many seconds. */
const MIN_VIDEO_SECONDS = 3;
const MIN_SIDE = 64;

const delayOf = (a: Animation, i: number): number => (a.delays[i] && a.delays[i]! > 10 ? a.delays[i]! : DEFAULT_DELAY);
const totalMs = (a: Animation): number => Array.from({ length: a.frames }, (_, i) => delayOf(a, i)).reduce((s, d) => s + d, 0);

interface Encoded {
  data: Buffer;
  width: number;
  height: number;
  frames: number;
  step: number;
  colours: number;
}

/** Every `step`-th frame at width×height, the dropped frames' time added to the kept one before them. */
async function encodeGif(a: Animation, width: number, height: number, step: number, colours: number): Promise<Encoded> {
  // Nearest-neighbour: no in-between colours to quantise and dither, which would defeat GIF's LZW.
  const { data, info } = await sharp(a.input, { animated: true }).resize(width, height, { fit: 'fill', kernel: 'nearest' }).raw().toBuffer({ resolveWithObject: true });
  // The frames come stacked: `height` is all of them, `pageHeight` one.
  const frameH = info.pageHeight ?? Math.round(info.height / a.frames);
  const frameBytes = info.width * frameH * info.channels;
  const keep: number[] = [];
  const delay: number[] = [];
  for (let i = 0; i < a.frames; i += step) {
    keep.push(i);
    let d = 0;
    for (let j = i; j < Math.min(a.frames, i + step); j++) d += delayOf(a, j);
    delay.push(d);
  }
  const strip = step === 1 ? data : Buffer.concat(keep.map((i) => data.subarray(i * frameBytes, (i + 1) * frameBytes)));
  const raw = { width: info.width, height: frameH * keep.length, channels: info.channels, pageHeight: frameH, premultiplied: info.premultiplied ?? false };
  const out = await sharp(strip, { raw: raw as { width: number; height: number; channels: 1 | 2 | 3 | 4; premultiplied: boolean } })
    .gif({ colours, effort: 3, delay, loop: a.loop })
    .toBuffer();
  return { data: out, width: info.width, height: frameH, frames: keep.length, step, colours };
}

/** Palette sizes tried; libvips' GIF writer only quantises harder from 16 colours down. */
const PALETTES = [256, 16];

/**
 * Keeps an animation a GIF within `budget`: fewer frames first where the motion allows (short
 * frames merged, total time kept), then fewer colours, then fewer pixels; never below 2 frames or
 * 64 px. Undefined when it cannot fit.
 */
export async function fitAnimatedGif(a: Animation, t: AnimationTarget): Promise<Encoded | undefined> {
  let { width, height } = t.box;
  let step = 1;
  let palette = 0;
  const avgDelay = totalMs(a) / a.frames;
  while (t.counter.n < t.counter.max) {
    t.counter.n++;
    const e = await encodeGif(a, width, height, step, PALETTES[palette]!);
    if (e.data.length <= t.budget) return e;
    const ratio = t.budget / e.data.length;
    if (Math.ceil(a.frames / (step * 2)) >= 2 && avgDelay * step * 2 <= MAX_MERGED_DELAY) {
      step *= 2;
      continue;
    }
    if (palette < PALETTES.length - 1) {
      palette++;
      continue;
    }
    const f = Math.min(0.85, Math.max(0.3, Math.sqrt(ratio) * 0.9));
    width = Math.floor(width * f);
    height = Math.floor(height * f);
    if (Math.min(width, height) < Math.min(MIN_SIDE, t.box.width, t.box.height)) return undefined;
  }
  return undefined;
}

/**
 * An animated picture for the recipient: still a GIF when GIF is taken and it fits, else a video
 * when one is taken, else `failed` with the reason (the part becomes a notice). Never a still of
 * the first frame: that would drop the animation without telling anyone.
 */
export async function adaptAnimation(a: Animation, t: AnimationTarget): Promise<MediaOutcome> {
  const seconds = totalMs(a) / 1000;
  const from = `${a.type} ${a.width}×${a.height} (${a.frames} frames, ${seconds.toFixed(1)} s, ${humanSize(a.size)})`;
  const why: string[] = [];
  if (accepts(t.accept, 'image/gif')) {
    const gif = await fitAnimatedGif(a, t);
    if (gif) {
      const fewer = gif.step > 1 ? `, every ${gif.step === 2 ? '2nd' : `${gif.step}th`} frame kept (${gif.frames} of ${a.frames}, same ${seconds.toFixed(1)} s)` : '';
      const note = `${from} → image/gif ${gif.width}×${gif.height} animated, ${gif.colours} colours${fewer} (${humanSize(gif.data.length)})`;
      return { kind: 'adapted', data: gif.data, type: 'image/gif', width: gif.width, height: gif.height, note };
    }
    why.push(`as a GIF it does not fit ${humanSize(t.budget)}`);
  } else why.push('this phone does not show GIF animations');
  if (t.toVideo) {
    const gif = a.type === 'image/gif' ? a.input : await sharp(a.input, { animated: true }).resize(t.box.width, t.box.height, { fit: 'fill' }).gif({ effort: 3 }).toBuffer();
    const loops = seconds >= MIN_VIDEO_SECONDS ? 1 : Math.max(1, Math.min(a.loop === 0 ? Infinity : a.loop, Math.ceil(MIN_VIDEO_SECONDS / Math.max(0.05, seconds))));
    const video = await t.toVideo(gif, loops);
    // The note names the original, not the GIF handed to ffmpeg.
    if (video.kind === 'adapted') return { ...video, note: `${from} → ${video.note.split(' → ').slice(1).join(' → ')} (shown as a video)` };
    why.push(`as a video: ${video.kind === 'failed' ? video.reason : 'not converted'}`);
  }
  return { kind: 'failed', reason: `it is an animation of ${a.frames} frames and ${why.join('; ')}` };
}
