/**
 * Picks frame size, frame rate, bit rates and H.264 level for a video from what the recipient
 * takes and the bytes it may use. The bits a frame gets decide how many pixels it can carry: a
 * large frame at a tiny bit rate decodes as flat grey blocks, so the frame shrinks (and the frame
 * rate drops) until each pixel has enough bits, or the video is refused when even the smallest
 * sensible picture would not.
 */

/** One row of ITU-T H.264 Table A-1 (Baseline/Main; bit rates and CPB in kbit/s, 1000 bits). */
export interface H264Level {
  name: string;
  /** Macroblocks per second. */
  maxMbps: number;
  /** Macroblocks per frame. */
  maxFs: number;
  maxBrKbps: number;
  maxCpbKbit: number;
}

export const H264_LEVELS: readonly H264Level[] = [
  { name: '1', maxMbps: 1485, maxFs: 99, maxBrKbps: 64, maxCpbKbit: 175 },
  { name: '1.1', maxMbps: 3000, maxFs: 396, maxBrKbps: 192, maxCpbKbit: 500 },
  { name: '1.2', maxMbps: 6000, maxFs: 396, maxBrKbps: 384, maxCpbKbit: 1000 },
  { name: '1.3', maxMbps: 11880, maxFs: 396, maxBrKbps: 768, maxCpbKbit: 2000 },
  { name: '2', maxMbps: 11880, maxFs: 396, maxBrKbps: 2000, maxCpbKbit: 2000 },
  { name: '2.1', maxMbps: 19800, maxFs: 792, maxBrKbps: 4000, maxCpbKbit: 4000 },
  { name: '2.2', maxMbps: 20250, maxFs: 1620, maxBrKbps: 4000, maxCpbKbit: 4000 },
  { name: '3', maxMbps: 40500, maxFs: 1620, maxBrKbps: 10000, maxCpbKbit: 10000 },
  { name: '3.1', maxMbps: 108000, maxFs: 3600, maxBrKbps: 14000, maxCpbKbit: 14000 },
  { name: '3.2', maxMbps: 216000, maxFs: 5120, maxBrKbps: 20000, maxCpbKbit: 20000 },
  { name: '4', maxMbps: 245760, maxFs: 8192, maxBrKbps: 20000, maxCpbKbit: 25000 },
  { name: '4.1', maxMbps: 245760, maxFs: 8192, maxBrKbps: 50000, maxCpbKbit: 62500 },
  { name: '4.2', maxMbps: 522240, maxFs: 8704, maxBrKbps: 50000, maxCpbKbit: 62500 },
  { name: '5', maxMbps: 589824, maxFs: 22080, maxBrKbps: 135000, maxCpbKbit: 135000 },
  { name: '5.1', maxMbps: 983040, maxFs: 36864, maxBrKbps: 240000, maxCpbKbit: 240000 },
];

/** The lowest H.264 level whose limits hold this stream (frame size, macroblock rate, peak bit rate, buffer). */
export function h264Level(width: number, height: number, fps: number, peakKbps: number, cpbKbit: number): H264Level | undefined {
  const wMb = Math.ceil(width / 16);
  const hMb = Math.ceil(height / 16);
  const fs = wMb * hMb;
  return H264_LEVELS.find(
    (l) =>
      fs <= l.maxFs &&
      // A.3.1: neither side may exceed √(8·MaxFS) macroblocks.
      wMb <= Math.sqrt(8 * l.maxFs) &&
      hMb <= Math.sqrt(8 * l.maxFs) &&
      fs * fps <= l.maxMbps &&
      peakKbps <= l.maxBrKbps &&
      cpbKbit <= l.maxCpbKbit,
  );
}

/**
 * H.263 as ffmpeg writes it into 3GP declares Profile 0 Level 10 (its `d263` box), the level
 * every 3GPP handset decodes: sub-QCIF or QCIF, at most 15 frames/s and 64 kbit/s.
 */
export const H263_LEVEL10 = { sizes: [[176, 144], [128, 96]] as ReadonlyArray<[number, number]>, maxFps: 15, maxKbps: 64 };

/** Bits per pixel per frame below which a frame turns into blocks (H.263 needs more than H.264). */
const MIN_BPP = { h264: 0.08, h263: 0.14 } as const;
/** Frame rates tried, best first; below 10 frames/s only to keep a picture at all. */
const FPS_LADDER = [30, 25, 20, 15, 12, 10, 7.5, 5];
/** A frame size we would rather keep than a higher frame rate (QVGA), when the source/box allows it. */
const COMFORT_AREA = 320 * 240;
/** Smallest frame worth sending (sub-QCIF), unless the source is smaller. */
const MIN_AREA = 128 * 96;
/** Below this many kbit/s for pictures no frame is worth watching: the video is refused instead. */
const MIN_VIDEO_KBPS = 8;
/** Peak rate and buffer the encoder is given, relative to the average video bit rate. */
export const PEAK_FACTOR = 1.15;
export const BUFFER_FACTOR = 1.5;

export interface VideoPlanInput {
  source: { width: number; height: number; fps?: number };
  seconds: number;
  /** Bytes the whole file may take. */
  budget: number;
  maxWidth?: number;
  maxHeight?: number;
  codec: 'h263' | 'h264';
  /** Video bit rate limit of the recipient, bit/s. */
  maxBitRate?: number;
  maxFrameRate?: number;
  /** Audio bit rates available (kbit/s, best first), or none when there is no audio to carry. */
  audioRates?: readonly number[];
}

export interface VideoPlan {
  width: number;
  height: number;
  /** Frame size the picture is scaled into before padding (H.263's fixed sizes letterbox). */
  fit: 'pad' | 'scale';
  fps: number;
  videoKbps: number;
  audioKbps?: number;
  /** H.264 level (e.g. `1.2`), from the size, frame rate and peak rate. */
  level?: string;
}

const even = (n: number): number => Math.max(2, Math.floor(n / 2) * 2);

/** Bytes of container (3GP/MP4 headers and sample tables) and what x264/h263 overshoot: kept off the bit rate. */
function payloadKbps(budget: number, seconds: number): number {
  return ((budget - 2000) * 8 * 0.92) / Math.max(0.1, seconds) / 1000;
}

/** Does a w×h frame fit the recipient's box, in either orientation? */
function inBox(w: number, h: number, input: VideoPlanInput): boolean {
  const bw = input.maxWidth ?? Infinity;
  const bh = input.maxHeight ?? Infinity;
  return (w <= bw && h <= bh) || (w <= bh && h <= bw);
}

/** The source frame fitted into the box (either orientation), aspect kept. */
function fitted(input: VideoPlanInput): { width: number; height: number } {
  const { width: vw, height: vh } = input.source;
  let bw = input.maxWidth ?? vw;
  let bh = input.maxHeight ?? vh;
  if (input.maxWidth && input.maxHeight && vw < vh !== bw < bh) [bw, bh] = [bh, bw];
  const s = Math.min(1, bw / vw, bh / vh);
  return { width: even(vw * s), height: even(vh * s) };
}

/**
 * Plans a conversion, or says why the video cannot be carried in `budget`. `scaleKbps` lowers the
 * video bit rate on a retry after the encoder overshot.
 */
export function planVideo(input: VideoPlanInput, scaleKbps = 1): VideoPlan | { failed: string } {
  const total = payloadKbps(input.budget, input.seconds);
  // Audio gets at most 40 % of the bits, at its lowest rate if need be.
  let audioKbps: number | undefined;
  if (input.audioRates?.length) audioKbps = input.audioRates.find((r) => r <= total * 0.4) ?? input.audioRates.at(-1)!;
  let videoKbps = (total - (audioKbps ?? 0)) * scaleKbps;
  const codec = input.codec;
  const capKbps = Math.min(input.maxBitRate ? input.maxBitRate / 1000 : Infinity, codec === 'h263' ? H263_LEVEL10.maxKbps / PEAK_FACTOR : Infinity);
  videoKbps = Math.min(videoKbps, capKbps);
  const maxFps = Math.min(input.source.fps && input.source.fps > 0 ? input.source.fps : 25, input.maxFrameRate ?? Infinity, codec === 'h263' ? H263_LEVEL10.maxFps : Infinity);
  const ladder = FPS_LADDER.filter((f) => f <= maxFps + 0.01);
  if (ladder.length === 0 || ladder[0]! < maxFps - 0.01) ladder.unshift(Math.max(1, Math.min(maxFps, 30)));
  const box = fitted(input);
  // H.263 knows fixed sizes only (the picture is letterboxed into one); H.264 keeps the aspect ratio.
  const h263Sizes = H263_LEVEL10.sizes.filter(([w, h]) => inBox(w, h, input) || w * h <= MIN_AREA);
  const areas = codec === 'h263' ? h263Sizes.map(([w, h]) => w * h) : [box.width * box.height];
  const comfort = Math.min(Math.max(...areas), COMFORT_AREA);
  const floorArea = Math.min(MIN_AREA, ...areas);
  const pixelsAt = (fps: number): number => (videoKbps * 1000) / (fps * MIN_BPP[codec]);
  const tooLittle = (): { failed: string } => ({
    failed: `a ${input.seconds.toFixed(0)} s video does not fit ${Math.round(input.budget / 1024)} KB: ${Math.max(0, videoKbps).toFixed(0)} kbit/s for pictures would show only blocks`,
  });
  if (!(videoKbps >= MIN_VIDEO_KBPS)) return tooLittle();

  // Highest frame rate (not below 10) at which the frame keeps a comfortable size; else 10 or less, smaller.
  const fps = ladder.find((f) => f >= 10 && pixelsAt(f) >= comfort) ?? ladder.find((f) => f <= 10 && pixelsAt(f) >= floorArea);
  if (fps === undefined) return tooLittle();

  if (codec === 'h263') {
    const size = h263Sizes.find(([w, h]) => w * h <= pixelsAt(fps)) ?? h263Sizes.at(-1)!;
    return { width: size[0], height: size[1], fit: 'pad', fps, videoKbps, ...(audioKbps !== undefined ? { audioKbps } : {}) };
  }
  const boxArea = box.width * box.height;
  const s = Math.sqrt(Math.min(boxArea, pixelsAt(fps)) / boxArea);
  const width = even(box.width * s);
  const height = even(box.height * s);
  const level = h264Level(width, height, fps, videoKbps * PEAK_FACTOR, videoKbps * BUFFER_FACTOR);
  if (!level) return { failed: `${width}×${height} at ${fps} frames/s is beyond every H.264 level` };
  return { width, height, fit: 'scale', fps, videoKbps, ...(audioKbps !== undefined ? { audioKbps } : {}), level: level.name };
}
