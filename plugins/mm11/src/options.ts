import { httpListenerOverrides, byteSize as size } from '@openmmsc/core';
import { z } from 'zod';

const mimeList = z.array(z.string().min(3));

/** Limits shared by adaptation classes and peer profiles. */
const limitFields = {
  maxMessageSize: size.optional().describe('Largest message the recipient takes (bytes or "300KB").'),
  maxImageWidth: z.number().int().positive().optional().describe('Widest image, in pixels (either orientation).'),
  maxImageHeight: z.number().int().positive().optional().describe('Tallest image, in pixels (either orientation).'),
  accept: mimeList.optional().describe('Content types the recipient shows (`image/*` allowed); absent: anything.'),
  charsets: z.array(z.string()).optional().describe('Text charsets the recipient reads, preferred first; absent: any.'),
  maxVideoSeconds: z.number().positive().optional().describe('Longest video; longer ones are trimmed (or replaced, see `overlongMedia`).'),
  maxAudioSeconds: z.number().positive().optional().describe('Longest audio clip.'),
  maxVideoWidth: z.number().int().positive().optional().describe('Widest video frame.'),
  maxVideoHeight: z.number().int().positive().optional().describe('Tallest video frame.'),
  videoCodec: z.enum(['h263', 'h264']).optional().describe('Video codec for 3GP/MP4 output (H.263 for old handsets).'),
  maxVideoBitRate: z.number().int().positive().optional().describe('Highest video bit rate, bit/s (the byte budget may allow less).'),
  maxVideoFrameRate: z.number().positive().optional().describe('Highest video frame rate, frames/s.'),
  animationAsVideo: z
    .boolean()
    .optional()
    .describe('An animation the recipient cannot take as a GIF (type or size) goes as a video when it takes one (default); `false`: a notice instead.'),
};

/** The names of the limits a class or profile may set. */
export const LIMIT_KEYS = Object.keys(limitFields) as (keyof typeof limitFields)[];

export const adaptationClassSchema = z.object({
  name: z.string().min(1).describe('Class name; adapted variants are cached per class.'),
  ...limitFields,
});
export type AdaptationClassConfig = z.output<typeof adaptationClassSchema>;

export const peerProfileSchema = z.object({
  destination: z.string().min(1).describe('MM4 peer (route.destination): a domain, or `*.example.net`.'),
  class: z.string().optional().describe('Adaptation class the profile starts from; its own fields override.'),
  ...limitFields,
});
export type PeerProfileConfig = z.output<typeof peerProfileSchema>;

const BASIC_ACCEPT = [
  'image/jpeg',
  'image/gif',
  'image/vnd.wap.wbmp',
  'audio/amr',
  'video/3gpp',
  'text/plain',
  'application/smil',
  'text/x-vcard',
  'text/x-vcalendar',
];
const RICH_ACCEPT = [...BASIC_ACCEPT, 'image/png', 'audio/mpeg', 'audio/mp4', 'audio/aac', 'video/mp4', 'audio/3gpp'];

export const DEFAULT_CLASSES: AdaptationClassConfig[] = [
  { name: '100k', maxMessageSize: 100 * 1024, maxImageWidth: 640, maxImageHeight: 480, accept: BASIC_ACCEPT, maxVideoSeconds: 15, maxVideoWidth: 176, maxVideoHeight: 144, videoCodec: 'h263' },
  { name: '300k', maxMessageSize: 300 * 1024, maxImageWidth: 1600, maxImageHeight: 1200, accept: RICH_ACCEPT, maxVideoSeconds: 15, maxVideoWidth: 320, maxVideoHeight: 240, videoCodec: 'h264' },
  { name: '600k', maxMessageSize: 600 * 1024, maxImageWidth: 1600, maxImageHeight: 1200, accept: RICH_ACCEPT, maxVideoSeconds: 30, maxVideoWidth: 640, maxVideoHeight: 480, videoCodec: 'h264' },
  { name: '1m', maxMessageSize: 1024 * 1024, maxImageWidth: 2560, maxImageHeight: 1920, accept: RICH_ACCEPT, maxVideoSeconds: 60, maxVideoWidth: 640, maxVideoHeight: 480, videoCodec: 'h264' },
];

export const mm11Options = z.object({
  classes: z
    .array(adaptationClassSchema)
    .default(DEFAULT_CLASSES)
    .describe('Adaptation classes (default: 100k, 300k, 600k, 1m with OMA MMS conformance content types).'),
  targets: z
    .record(z.string(), z.string())
    .default({ local: '300k', mm4: '300k' })
    .describe('Class per route target at submission (`local`, `mm4`, `mm3`, `mm7`, …); `none` or absent: no adaptation.'),
  peers: z.array(peerProfileSchema).default([]).describe('Per-operator profiles for MM4 peers, matched on route.destination.'),
  publicBaseUrl: z
    .string()
    .url()
    .optional()
    .describe('Base of links to originals in removal notices: `${publicBaseUrl}/o/${messageId}/${partIndex}` (MM1 serves them).'),
  headerOverhead: z.number().int().nonnegative().default(1024).describe('Bytes kept free for message headers (plus 64 per part).'),
  minImageBytes: z.number().int().positive().default(3000).describe('An image budget below this replaces the image with a notice.'),
  jpegQuality: z
    .object({
      max: z.number().int().min(1).max(100).default(85).describe('Quality tried first.'),
      min: z.number().int().min(1).max(100).default(40).describe('Lowest quality before the image is scaled down instead.'),
    })
    .prefault({})
    .describe('JPEG/WebP quality search range.'),
  overlongMedia: z.enum(['trim', 'replace']).default('trim').describe('Audio/video longer than the class allows: cut, or replace with a notice.'),
  concurrency: z.number().int().positive().default(2).describe('Media conversions running at once in this process.'),
  tools: z
    .object({
      ffmpeg: z.string().default('ffmpeg').describe('ffmpeg executable (audio, video).'),
      ffprobe: z.string().default('ffprobe').describe('ffprobe executable.'),
      convert: z.string().default('convert').describe('ImageMagick `convert` (HEIC input).'),
      timeoutMs: z.number().int().positive().default(60_000).describe('Longest run of one external conversion.'),
    })
    .prefault({})
    .describe('External converters; each is optional: without them only images (and no HEIC) are adapted.'),
  uaprof: z
    .object({
      fetch: z.boolean().default(true).describe('Fetch UAProf documents named in x-wap-profile / Profile headers.'),
      timeoutMs: z.number().int().positive().default(3000).describe('UAProf fetch timeout.'),
      maxBytes: z.number().int().positive().default(512 * 1024).describe('Largest UAProf document read.'),
      cacheTtlMs: z.number().int().positive().default(24 * 3600_000).describe('How long a parsed profile is cached (memory and kv).'),
      failureTtlMs: z.number().int().positive().default(10 * 60_000).describe('How long a failed fetch is remembered.'),
      snapToClasses: z.boolean().default(true).describe('Name handset capabilities after the largest configured class that fits, for cache reuse.'),
      defaultClass: z.string().default('300k').describe('Class of a handset that tells nothing (no UAProf, no usable Accept).'),
      allowHosts: z.array(z.string()).default([]).describe('Hosts UAProf may be fetched from (`*.example.com` allowed); empty: any.'),
    })
    .prefault({})
    .describe('Handset capabilities at retrieval time.'),
  variantCacheTtlMs: z
    .number()
    .int()
    .positive()
    .optional()
    .describe('No longer used: variants are kept with the message in the store and removed with it. Accepted so old configs load; the plugin warns at start when it is set.'),
  afterStore: z
    .object({
      enabled: z
        .boolean()
        .default(true)
        .describe('Adapt after the message is stored and answered (a durable job per class); false: while the sender waits.'),
      maxAttempts: z.number().int().positive().default(5).describe('Attempts of an adaptation job; after the last one the variant is made when first asked for.'),
      waitMs: z
        .number()
        .int()
        .nonnegative()
        .default(15_000)
        .describe('How long a fetch or delivery waits for a variant another node is making before making it itself.'),
    })
    .prefault({})
    .describe('Adaptation off the sender\'s path.'),
  sti: z
    .object({
      server: z
        .object({
          enabled: z.boolean().default(false).describe('Serve OMA STI 1.0 transcoding requests.'),
          host: z.string().default('127.0.0.1').describe('Listen address.'),
          port: z.number().int().min(0).max(65535).default(8311).describe('Listen port (0: any free port).'),
          path: z.string().default('/sti').describe('Request path.'),
          maxBodyBytes: z.number().int().positive().default(20 * 1024 * 1024).describe('Largest request accepted.'),
          maxJobs: z.number().int().positive().default(50).describe('Most transcoding jobs in one request.'),
          allowRemoteSources: z.boolean().default(false).describe('Fetch http(s) source locations (off: only attachments, `cid:`).'),
          allowFrom: z.array(z.string()).default([]).describe('Client IP addresses allowed to send requests; empty: any (the default listen address is loopback).'),
          listener: httpListenerOverrides,
        })
        .prefault({})
        .describe('STI server endpoint.'),
      client: z
        .object({
          url: z.string().url().describe('External STI transcoder endpoint.'),
          originatorId: z.string().default('openmmsc').describe('originatorID sent in requests.'),
          timeoutMs: z.number().int().positive().default(30_000).describe('Request timeout.'),
        })
        .optional()
        .describe('Send media jobs to an external STI transcoder instead of converting locally.'),
    })
    .prefault({})
    .describe('OMA Standard Transcoding Interface 1.0.'),
});
export type Mm11Options = z.output<typeof mm11Options>;
export type Mm11OptionsInput = z.input<typeof mm11Options>;
