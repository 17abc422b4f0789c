import sharp, { type Sharp } from 'sharp';
import { adaptAnimation, type AnimationTarget } from './animation.js';
import { yieldImageThreads } from './background-priority.js';
import { accepts, humanSize, normalizeType, sniffType } from './media-types.js';
import { run, type ToolSupport } from './tools.js';

export interface ImageTarget {
  /** Content types the recipient shows; absent: anything. */
  accept?: readonly string[];
  maxWidth?: number;
  maxHeight?: number;
  /** Byte budget for this image. */
  budget: number;
  quality: { max: number; min: number };
  /** Turns an animation the recipient cannot take as a GIF into a video (see `adaptAnimation`). */
  toVideo?: AnimationTarget['toVideo'];
}

export interface MediaEnv {
  tools: ToolSupport;
  timeoutMs: number;
  signal?: AbortSignal;
}

export type MediaOutcome =
  | { kind: 'unchanged'; note?: string }
  | { kind: 'adapted'; data: Buffer; type: string; note: string; width?: number; height?: number }
  | { kind: 'failed'; reason: string };

type OutFormat = 'jpeg' | 'png' | 'gif' | 'webp';
const FORMAT_TYPE: Record<OutFormat, string> = { jpeg: 'image/jpeg', png: 'image/png', gif: 'image/gif', webp: 'image/webp' };
const SHARP_INPUT = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'image/avif', 'image/tiff', 'image/svg+xml']);

interface Raw {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

/** Most encodes one image may cost before we give up on it. */
const MAX_ENCODES = 16;
/** A picture whose shorter side would drop below this is not worth sending: give up instead. */
const MIN_SIDE = 64;
const tooSmall = (w: number, h: number, start: Raw): boolean => Math.min(w, h) < Math.min(MIN_SIDE, start.width, start.height);

/** The box, turned to the image's orientation: a handset shows a portrait photo rotated or letterboxed alike. */
export function fitBox(width: number, height: number, maxW?: number, maxH?: number): { width: number; height: number } {
  if (!maxW && !maxH) return { width, height };
  let bw = maxW ?? Number.MAX_SAFE_INTEGER;
  let bh = maxH ?? Number.MAX_SAFE_INTEGER;
  if (maxW && maxH && width < height !== bw < bh) [bw, bh] = [bh, bw];
  const scale = Math.min(1, bw / width, bh / height);
  return { width: Math.max(1, Math.floor(width * scale)), height: Math.max(1, Math.floor(height * scale)) };
}

/** Decodes anything sharp cannot (HEIC/HEVC, BMP, …) through ImageMagick into a PNG sharp reads. */
async function throughImageMagick(data: Uint8Array, type: string, env: MediaEnv): Promise<Buffer> {
  const im = env.tools.imagemagick;
  if (!im) throw new Error(`${type} needs ImageMagick (convert), which is not installed`);
  if (type === 'image/heic' && !im.heic) throw new Error('ImageMagick here cannot read HEIC (libheif missing)');
  const prefix = type === 'image/heic' ? 'heic:' : '';
  const { stdout } = await run(
    im.path,
    ['-limit', 'memory', '512MiB', `${prefix}-[0]`, '-auto-orient', '-depth', '8', '-define', 'png:compression-level=1', 'png:-'],
    { input: data, timeoutMs: env.timeoutMs, ...(env.signal ? { signal: env.signal } : {}) },
  );
  return stdout;
}

interface Probed {
  input: Buffer;
  type: string;
  width: number;
  height: number;
  pages: number;
  delays: number[];
  loop: number;
  hasAlpha: boolean;
}

async function probe(data: Uint8Array, declared: string, env: MediaEnv): Promise<Probed> {
  const sniffed = sniffType(data);
  const type = sniffed ?? normalizeType(declared);
  let input = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  const tryMeta = async (buf: Buffer) => sharp(buf, { animated: true, limitInputPixels: 100_000_000 }).metadata();
  let meta;
  if (SHARP_INPUT.has(type)) {
    try {
      meta = await tryMeta(input);
    } catch {
      meta = undefined;
    }
  }
  if (!meta) {
    input = await throughImageMagick(data, type, env);
    meta = await tryMeta(input);
  }
  if (!meta.width || !meta.height) throw new Error('image without dimensions');
  const pages = meta.pages ?? 1;
  const frameH = pages > 1 ? (meta.pageHeight ?? meta.height / pages) : meta.height;
  const rotated = (meta.orientation ?? 1) >= 5;
  return {
    input,
    type,
    width: rotated ? frameH : meta.width,
    height: rotated ? meta.width : frameH,
    pages,
    delays: meta.delay ?? [],
    loop: meta.loop ?? 0,
    hasAlpha: meta.hasAlpha ?? false,
  };
}

function encode(raw: Raw, format: OutFormat, quality: number, colours = 256): Promise<Buffer> {
  const img: Sharp = sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } });
  switch (format) {
    case 'jpeg':
      return img.jpeg({ quality, progressive: false, chromaSubsampling: '4:2:0', optimiseCoding: true }).toBuffer();
    case 'webp':
      return img.webp({ quality, effort: 2 }).toBuffer();
    case 'png':
      return img.png({ palette: true, colours, compressionLevel: 9, effort: 3 }).toBuffer();
    case 'gif':
      return img.gif({ colours, effort: 3 }).toBuffer();
  }
}

async function shrink(raw: Raw, factor: number): Promise<Raw> {
  const width = Math.max(1, Math.floor(raw.width * factor));
  const height = Math.max(1, Math.floor(raw.height * factor));
  const { data, info } = await sharp(raw.data, { raw: { width: raw.width, height: raw.height, channels: raw.channels } })
    .resize(width, height, { fit: 'fill', kernel: 'lanczos3' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: info.channels };
}

interface Encoded {
  data: Buffer;
  width: number;
  height: number;
  quality?: number;
}

/**
 * Finds the best encoding of `raw` in `format` within `budget`: the highest quality that fits
 * (bracketed search between max and min), and when even the lowest does not fit, a smaller scale
 * estimated from how far off it was (bytes grow roughly with pixel count), then search again.
 */
async function fitBudget(start: Raw, format: OutFormat, budget: number, q: { max: number; min: number }, counter: { n: number }): Promise<Encoded | undefined> {
  let raw = start;
  const lossy = format === 'jpeg' || format === 'webp';
  for (let round = 0; round < 6 && counter.n < MAX_ENCODES; round++) {
    if (lossy) {
      counter.n++;
      const best = await encode(raw, format, q.max);
      if (best.length <= budget) return { data: best, width: raw.width, height: raw.height, quality: q.max };
      counter.n++;
      const worst = await encode(raw, format, q.min);
      if (worst.length <= budget) {
        // Bracketed search: interpolate the quality on log(size) between the bracket ends, stop
        // when within 4 % under budget or the bracket is 2 steps wide (usually 1–3 encodes).
        let lo = { q: q.min, data: worst };
        let hi = { q: q.max, size: best.length };
        while (hi.q - lo.q > 2 && lo.data.length < budget * 0.96 && counter.n < MAX_ENCODES) {
          const ls = Math.log(lo.data.length);
          const hs = Math.log(hi.size);
          const guess = lo.q + ((hi.q - lo.q) * (Math.log(budget * 0.98) - ls)) / Math.max(1e-9, hs - ls);
          const mid = Math.min(hi.q - 1, Math.max(lo.q + 1, Math.round(guess)));
          counter.n++;
          const d = await encode(raw, format, mid);
          if (d.length <= budget) lo = { q: mid, data: d };
          else hi = { q: mid, size: d.length };
        }
        return { data: lo.data, width: raw.width, height: raw.height, quality: lo.q };
      }
      raw = await shrink(raw, Math.min(0.9, Math.max(0.25, Math.sqrt(budget / worst.length) * 0.92)));
    } else {
      let last = 0;
      for (const colours of [256, 64]) {
        counter.n++;
        const d = await encode(raw, format, 100, colours);
        if (d.length <= budget) return { data: d, width: raw.width, height: raw.height };
        last = d.length;
      }
      raw = await shrink(raw, Math.min(0.9, Math.max(0.25, Math.sqrt(budget / last) * 0.9)));
    }
    if (tooSmall(raw.width, raw.height, start)) return undefined;
  }
  return undefined;
}

function candidateFormats(p: Probed, accept: readonly string[] | undefined): OutFormat[] {
  const out: OutFormat[] = [];
  const add = (f: OutFormat): void => {
    if (accepts(accept, FORMAT_TYPE[f]) && !out.includes(f)) out.push(f);
  };
  // Keep a format the handset takes when it suits the picture; otherwise JPEG for photos.
  if (p.type === 'image/jpeg') add('jpeg');
  if (p.hasAlpha) add('png');
  if (p.type === 'image/gif' && p.width * p.height <= 640 * 480) add('gif');
  add('jpeg');
  add('png');
  add('gif');
  add('webp');
  return out;
}

/**
 * Adapts one image: fits the box (either orientation), converts to a type the recipient shows,
 * and searches quality and size until the bytes fit `budget`. `unchanged` when it already fits.
 */
export async function adaptImage(data: Uint8Array, declaredType: string, target: ImageTarget, env: MediaEnv): Promise<MediaOutcome> {
  yieldImageThreads();
  try {
    return await adaptImageAtLowPriority(data, declaredType, target, env);
  } finally {
    // Workers libvips started for this image.
    yieldImageThreads();
  }
}

async function adaptImageAtLowPriority(data: Uint8Array, declaredType: string, target: ImageTarget, env: MediaEnv): Promise<MediaOutcome> {
  let p: Probed;
  try {
    p = await probe(data, declaredType, env);
  } catch (error) {
    // A format we cannot decode (WBMP without ImageMagick, …) that the recipient takes as is, within budget, goes as is.
    const type = sniffType(data) ?? normalizeType(declaredType);
    if (target.accept && accepts(target.accept, type) && data.byteLength <= target.budget) return { kind: 'unchanged', note: 'not decoded here; sent as is' };
    return { kind: 'failed', reason: `cannot read the image: ${(error as Error).message}` };
  }
  const box = fitBox(p.width, p.height, target.maxWidth, target.maxHeight);
  const fits = box.width === p.width && box.height === p.height;
  if (fits && accepts(target.accept, p.type) && data.byteLength <= target.budget) {
    return { kind: 'unchanged' };
  }
  const counter = { n: 0 };
  const from = `${p.type} ${p.width}×${p.height} (${humanSize(data.byteLength)})`;
  try {
    if (p.pages > 1) {
      const animation = { input: p.input, type: p.type, width: p.width, height: p.height, frames: p.pages, delays: p.delays, loop: p.loop, size: data.byteLength };
      return await adaptAnimation(animation, {
        box,
        budget: target.budget,
        counter: { n: 0, max: MAX_ENCODES },
        ...(target.accept ? { accept: target.accept } : {}),
        ...(target.toVideo ? { toVideo: target.toVideo } : {}),
      });
    }
    const formats = candidateFormats(p, target.accept);
    if (formats.length === 0) return { kind: 'failed', reason: 'the recipient accepts no image format we can produce' };
    let cached: { alpha: boolean; raw: Raw } | undefined;
    for (const format of formats) {
      const keepAlpha = p.hasAlpha && format !== 'jpeg';
      if (!cached || cached.alpha !== keepAlpha) {
        let pipeline = sharp(p.input, { pages: 1, limitInputPixels: 100_000_000 })
          .rotate()
          .resize(box.width, box.height, { fit: 'inside', withoutEnlargement: true, kernel: 'lanczos3' });
        pipeline = keepAlpha ? pipeline.ensureAlpha() : pipeline.flatten({ background: '#ffffff' });
        const { data: px, info } = await pipeline.raw().toBuffer({ resolveWithObject: true });
        cached = { alpha: keepAlpha, raw: { data: px, width: info.width, height: info.height, channels: info.channels } };
      }
      const out = await fitBudget(cached.raw, format, target.budget, target.quality, counter);
      if (out) {
        const q = out.quality !== undefined ? ` q${out.quality}` : '';
        return {
          kind: 'adapted',
          data: out.data,
          type: FORMAT_TYPE[format],
          width: out.width,
          height: out.height,
          note: `${from} → ${FORMAT_TYPE[format]} ${out.width}×${out.height}${q} (${humanSize(out.data.length)})`,
        };
      }
      if (counter.n >= MAX_ENCODES) break;
    }
    return { kind: 'failed', reason: `could not make it fit ${humanSize(target.budget)}` };
  } catch (error) {
    return { kind: 'failed', reason: `conversion failed: ${(error as Error).message}` };
  }
}
