import type { Capabilities, ContentLinks, MmsPart } from '@openmmsc/core';
import { adaptAudio } from './av.js';
import { adaptImage, type MediaEnv, type MediaOutcome } from './image.js';
import { accepts, humanSize, kindOf, normalizeType, renameFor, type MediaKind } from './media-types.js';
import { defaultPresentation, parseSmil, writeSmil, type Presentation } from './smil.js';
import { convertText, decodeText, encodeNotice } from './text.js';
import { adaptVideo, type VideoTarget } from './video.js';

/** Capabilities as this plugin understands them: the kernel's, plus limits for time-based media. */
export interface AdaptationCapabilities extends Capabilities {
  maxVideoSeconds?: number;
  maxAudioSeconds?: number;
  maxVideoWidth?: number;
  maxVideoHeight?: number;
  videoCodec?: 'h263' | 'h264';
  /** Video bit rate limit, bit/s. */
  maxVideoBitRate?: number;
  maxVideoFrameRate?: number;
  /** False: an animation the recipient cannot take as a GIF becomes a notice, never a video. */
  animationAsVideo?: boolean;
}

/** One media conversion: given a part and its byte budget, what to send instead. */
export interface MediaJob {
  kind: 'image' | 'audio' | 'video';
  data: Uint8Array;
  type: string;
  budget: number;
  caps: AdaptationCapabilities;
  signal?: AbortSignal;
}

/** Where media conversions run: here (sharp, ffmpeg) or on an external STI transcoder. */
export interface MediaBackend {
  convert(job: MediaJob): Promise<MediaOutcome>;
}

export interface AdaptSettings {
  headerOverhead: number;
  minImageBytes: number;
  jpegQuality: { max: number; min: number };
  overlongMedia: 'trim' | 'replace';
  publicBaseUrl?: string;
  /** Signs links to originals (the kernel's `ContentLinks`); MM1 opens no unsigned one. */
  links?: ContentLinks;
}

export interface AdaptInput {
  messageId: string;
  /** The message's expiry: links to its originals stop opening then. */
  expiresAt?: number;
  parts: readonly MmsPart[];
  caps: AdaptationCapabilities;
  /** Bytes the message headers take (subject etc.), on top of `headerOverhead`. */
  headerBytes?: number;
  signal?: AbortSignal;
}

export interface AdaptResult {
  parts: MmsPart[];
  notes: string[];
  /** Sum of part bytes. */
  size: number;
  changed: boolean;
}

/** Video limits of `caps` as a conversion target. */
function videoTarget(caps: AdaptationCapabilities, budget: number, settings: AdaptSettings): VideoTarget {
  return {
    budget,
    overlong: settings.overlongMedia,
    ...(caps.accept ? { accept: caps.accept } : {}),
    ...(caps.maxVideoSeconds ? { maxSeconds: caps.maxVideoSeconds } : {}),
    ...(caps.maxVideoWidth ? { maxWidth: caps.maxVideoWidth } : {}),
    ...(caps.maxVideoHeight ? { maxHeight: caps.maxVideoHeight } : {}),
    ...(caps.videoCodec ? { codec: caps.videoCodec } : {}),
    ...(caps.maxVideoBitRate ? { maxBitRate: caps.maxVideoBitRate } : {}),
    ...(caps.maxVideoFrameRate ? { maxFrameRate: caps.maxVideoFrameRate } : {}),
  };
}

/** Local conversions with sharp / ffmpeg / ImageMagick. */
export function localBackend(env: Omit<MediaEnv, 'signal'>, settings: AdaptSettings): MediaBackend {
  return {
    convert(job) {
      const e: MediaEnv = job.signal ? { ...env, signal: job.signal } : env;
      const c = job.caps;
      if (job.kind === 'image') {
        // An animation the recipient cannot take as a GIF may go as a video, if it takes one.
        const asVideo = c.animationAsVideo !== false && (accepts(c.accept, 'video/3gpp') || accepts(c.accept, 'video/mp4'));
        return adaptImage(
          job.data,
          job.type,
          {
            budget: job.budget,
            quality: settings.jpegQuality,
            ...(c.accept ? { accept: c.accept } : {}),
            ...(c.maxImageWidth ? { maxWidth: c.maxImageWidth } : {}),
            ...(c.maxImageHeight ? { maxHeight: c.maxImageHeight } : {}),
            ...(asVideo ? { toVideo: (gif: Buffer, loops: number) => adaptVideo(gif, 'image/gif', { ...videoTarget(c, job.budget, settings), loops }, e) } : {}),
          },
          e,
        );
      }
      if (job.kind === 'audio') {
        return adaptAudio(job.data, job.type, { budget: job.budget, overlong: settings.overlongMedia, ...(c.accept ? { accept: c.accept } : {}), ...(c.maxAudioSeconds ? { maxSeconds: c.maxAudioSeconds } : {}) }, e);
      }
      return adaptVideo(job.data, job.type, videoTarget(c, job.budget, settings), e);
    },
  };
}

const WEIGHT: Record<'image' | 'audio' | 'video', number> = { image: 1, audio: 1, video: 3 };
const NOTICE_RESERVE = 600;
const PER_PART_OVERHEAD = 64;
const NOUN: Record<MediaKind, string> = { image: 'picture', audio: 'sound clip', video: 'video', text: 'text', smil: 'presentation', other: 'attachment' };

function partName(part: MmsPart, index: number): string {
  const n = part.contentLocation ?? part.contentType.params.name ?? (part.contentId ? part.contentId.replace(/^<|>$/g, '') : undefined);
  return n ?? `part ${index + 1}`;
}

/** Signed link to the original part, served by the MM1 plugin: `${base}/o/${messageId}/${partIndex}?e=…&s=…`. */
export function originalLink(base: string | undefined, messageId: string, index: number, links?: ContentLinks, expiresAt?: number): string | undefined {
  if (!base || !links || expiresAt === undefined) return undefined;
  return `${base.replace(/\/+$/, '')}${links.sign({ messageId, part: index, expiresAt })}`;
}

/** The text that stands in for a part we could not adapt: what it was, why, and where the original is. */
export function noticePart(part: MmsPart, index: number, reason: string, messageId: string, settings: AdaptSettings, caps: AdaptationCapabilities, expiresAt?: number): MmsPart {
  const kind = kindOf(part.contentType.type);
  const link = originalLink(settings.publicBaseUrl, messageId, index, settings.links, expiresAt);
  const text =
    `[The ${NOUN[kind]} "${partName(part, index)}" (${normalizeType(part.contentType.type)}, ${humanSize(part.data.byteLength)}) ` +
    `was removed because it could not be adapted for this phone: ${reason}.` +
    (link ? ` See the original at ${link}` : '') +
    ']';
  const { data, charset } = encodeNotice(text, caps.charsets);
  return {
    contentType: { type: 'text/plain', params: { charset } },
    contentId: `<removed-${index}>`,
    contentLocation: `removed-${index}.txt`,
    data,
  };
}

function sizeOf(parts: readonly MmsPart[]): number {
  let n = 0;
  for (const p of parts) n += p.data.byteLength;
  return n;
}

function withType(part: MmsPart, type: string, data: Uint8Array, index: number): MmsPart {
  const params: Record<string, string> = {};
  const name = part.contentType.params.name;
  if (name) params.name = renameFor(name, type, `part${index}`);
  const out: MmsPart = { ...part, contentType: { type, params }, data };
  if (normalizeType(part.contentType.type) !== type || part.contentLocation) {
    if (part.contentLocation) out.contentLocation = renameFor(part.contentLocation, type, `part${index}`);
  }
  if (out.contentDisposition) out.contentDisposition = out.contentDisposition.replace(/filename="?[^";]*"?/i, `filename="${renameFor(partName(part, index), type, `part${index}`)}"`);
  return out;
}

/**
 * Adapts a message's parts to `caps`:
 * 1. text re-encoded to an accepted charset; parts of a type nobody can convert and the recipient
 *    does not take become notices;
 * 2. the byte budget (maxMessageSize minus header overhead, text, SMIL) is shared among media
 *    parts by weight (video 3, image/audio 1), smallest first, so what one part leaves unused
 *    goes to the next; each part is converted within its share or replaced by a notice;
 * 3. SMIL is rewritten to reference the adapted parts; if the total is still over (SMIL grew),
 *    the whole pass runs again with the overflow taken off the media budget.
 */
export async function adaptParts(input: AdaptInput, backend: MediaBackend, settings: AdaptSettings): Promise<AdaptResult> {
  const { parts, caps } = input;
  const limit = caps.maxMessageSize
    ? caps.maxMessageSize - settings.headerOverhead - (input.headerBytes ?? 0) - PER_PART_OVERHEAD * parts.length
    : Number.MAX_SAFE_INTEGER;
  let squeeze = 0;
  let last: AdaptResult | undefined;
  for (let pass = 0; pass < 3; pass++) {
    last = await adaptPass(input, backend, settings, limit - squeeze);
    if (last.size <= limit) return last;
    squeeze += last.size - limit + 512;
  }
  // Still over: drop the largest media parts to notices until it fits.
  const result = last!;
  const out = [...result.parts];
  while (sizeOf(out) > limit) {
    let biggest = -1;
    for (let i = 0; i < out.length; i++) {
      const k = kindOf(out[i]!.contentType.type);
      if ((k === 'image' || k === 'audio' || k === 'video') && (biggest < 0 || out[i]!.data.byteLength > out[biggest]!.data.byteLength)) biggest = i;
    }
    if (biggest < 0) break;
    out[biggest] = noticePart(parts[biggest] ?? out[biggest]!, biggest, 'the message is too large for this phone', input.messageId, settings, caps, input.expiresAt);
    result.notes.push(`part ${biggest}: removed to fit ${humanSize(limit)}`);
  }
  return { parts: out, notes: result.notes, size: sizeOf(out), changed: true };
}

async function adaptPass(input: AdaptInput, backend: MediaBackend, settings: AdaptSettings, limit: number): Promise<AdaptResult> {
  const { parts, caps, messageId } = input;
  const out: Array<MmsPart | undefined> = new Array(parts.length).fill(undefined);
  const notes: string[] = [];
  let changed = false;
  const replace = (i: number, reason: string): void => {
    out[i] = noticePart(parts[i]!, i, reason, messageId, settings, caps, input.expiresAt);
    notes.push(`part ${i} (${partName(parts[i]!, i)}): replaced by a notice: ${reason}`);
    changed = true;
  };

  const media: Array<{ index: number; kind: 'image' | 'audio' | 'video' }> = [];
  let smilIndex = -1;
  let fixed = 0;
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    const kind = kindOf(part.contentType.type);
    if (kind === 'smil') {
      if (smilIndex < 0) smilIndex = i;
      fixed += part.data.byteLength + 256;
    } else if (kind === 'text') {
      const r = convertText(part.data, part.contentType.params.charset, caps.charsets);
      if (r.changed) {
        out[i] = { ...part, contentType: { type: part.contentType.type, params: { ...part.contentType.params, charset: r.charset } }, data: r.data };
        notes.push(`part ${i}: text ${part.contentType.params.charset ?? 'utf-8'} → ${r.charset}${r.lossy ? ' (some characters replaced)' : ''}`);
        changed = true;
      } else out[i] = part;
      fixed += out[i]!.data.byteLength;
    } else if (kind === 'image' || kind === 'audio' || kind === 'video') {
      media.push({ index: i, kind });
      fixed += NOTICE_RESERVE;
    } else if (accepts(caps.accept, part.contentType.type)) {
      out[i] = part;
      fixed += part.data.byteLength;
    } else {
      replace(i, `this phone does not take ${normalizeType(part.contentType.type)}`);
      fixed += out[i]!.data.byteLength;
    }
  }

  // Share what is left among media parts, smallest first; unused budget flows on.
  let remaining = limit - fixed;
  media.sort((a, b) => parts[a.index]!.data.byteLength * WEIGHT[b.kind] - parts[b.index]!.data.byteLength * WEIGHT[a.kind]);
  let weights = media.reduce((s, m) => s + WEIGHT[m.kind], 0);
  for (const m of media) {
    const part = parts[m.index]!;
    remaining += NOTICE_RESERVE;
    const budget = Math.floor((Math.max(0, remaining) * WEIGHT[m.kind]) / weights);
    weights -= WEIGHT[m.kind];
    if (m.kind === 'image' && budget < settings.minImageBytes) {
      replace(m.index, `only ${humanSize(Math.max(0, budget))} of room was left for it`);
    } else {
      const r = await backend.convert({ kind: m.kind, data: part.data, type: part.contentType.type, budget, caps, ...(input.signal ? { signal: input.signal } : {}) });
      if (r.kind === 'unchanged') out[m.index] = part;
      else if (r.kind === 'adapted') {
        out[m.index] = withType(part, r.type, r.data, m.index);
        notes.push(`part ${m.index} (${partName(part, m.index)}): ${r.note}`);
        changed = true;
      } else replace(m.index, r.reason);
    }
    remaining -= out[m.index]!.data.byteLength;
  }

  let final = out.map((p, i) => p ?? parts[i]!);
  if (smilIndex >= 0 && changed) {
    const smilPart = parts[smilIndex]!;
    const pres: Presentation = parseSmil(decodeText(smilPart.data, smilPart.contentType.params.charset), parts) ?? defaultPresentation(parts);
    const xml = writeSmil(pres, final);
    final = final.map((p, i) => (i === smilIndex ? { ...smilPart, contentType: { type: 'application/smil', params: { ...smilPart.contentType.params, charset: 'utf-8' } }, data: Buffer.from(xml, 'utf8') } : p));
    notes.push('SMIL regenerated for the adapted parts');
  }
  return { parts: final, notes, size: sizeOf(final), changed };
}
