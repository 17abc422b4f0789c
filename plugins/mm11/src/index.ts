import { definePlugin, pluginIdentity, Services, mergeLimits, type Capabilities, type MmsPart, type Transcoder, type TranscodeRequest, type TranscodeResult } from '@openmmsc/core';
import { Counter, Histogram } from 'prom-client';
import { adaptParts, localBackend, type AdaptationCapabilities, type AdaptSettings, type MediaBackend } from './adapt.js';
import { ClassTable, shortHash } from './capabilities.js';
import { mm11Options, type Mm11Options } from './options.js';
import { capsForStiJob } from './sti/mapping.js';
import { StiClient, stiBackend } from './sti/client.js';
import { StiServer } from './sti/server.js';
import { describeTools, Limiter, probeTools, type ToolSupport } from './tools.js';
import { CapabilityResolver, type RequestHeaders } from './uaprof.js';

export { mm11Options, DEFAULT_CLASSES, type Mm11Options, type Mm11OptionsInput, type AdaptationClassConfig, type PeerProfileConfig } from './options.js';
export { adaptParts, localBackend, noticePart, originalLink, type AdaptationCapabilities, type AdaptInput, type AdaptResult, type AdaptSettings, type MediaBackend, type MediaJob } from './adapt.js';
export { adaptImage, fitBox, type ImageTarget, type MediaEnv, type MediaOutcome } from './image.js';
export { adaptAudio, probeAv, type AudioTarget, type AvProbe } from './av.js';
export { adaptVideo, type VideoTarget } from './video.js';
export { planVideo, h264Level, H264_LEVELS, type VideoPlan, type VideoPlanInput, type H264Level } from './video-plan.js';
export { convertText, decodeText } from './text.js';
export { parseSmil, writeSmil, defaultPresentation, type Presentation, type Slide, type SlideItem } from './smil.js';
export { ClassTable } from './capabilities.js';
export { CapabilityResolver, parseUaProf, profileUrlFrom, acceptFromHeader, UaProfError, type UaProfile, type RequestHeaders, type CapabilityResolverOptions } from './uaprof.js';
export { probeTools, describeTools, type ToolSupport, type ToolPaths } from './tools.js';
export { StiClient, stiBackend, StiClientError, type StiClientOptions, type StiAttachment, type StiExchange } from './sti/client.js';
export { StiServer, type StiServerOptions } from './sti/server.js';
export {
  buildStiRequest,
  buildStiResponse,
  parseStiRequest,
  parseStiResponse,
  soapEnvelope,
  extractStiElement,
  StiCode,
  STI_NS,
  StiXmlError,
  type StiRequest,
  type StiResponse,
  type StiJob,
  type StiJobResult,
  type StiMediaParams,
  type StiTranscodingParams,
  type StiProperty,
} from './sti/xml.js';
export { accepts, kindOf, normalizeType, type MediaKind } from './media-types.js';

/** A retrieval-time adaptation: the parts to send and the class they were made for. */
export interface RetrievalVariant {
  /** The adaptation class (cache key) of these parts. */
  variant: string;
  parts: MmsPart[];
  /** False when the originals already suit the handset (then `parts` are the originals). */
  adapted: boolean;
  notes: string[];
}

/**
 * The Transcoder this plugin provides, with what the MM1 plugin needs at retrieval time. Get it
 * with `ctx.service('Transcoder')` and check `isMm11Transcoder(t)`.
 */
export interface Mm11Transcoder extends Transcoder {
  readonly name: string;
  /** What a handset's request headers say it shows (UAProf `x-wap-profile`/`Profile`, else `Accept`). */
  capabilitiesFromRequest(headers: RequestHeaders): Promise<AdaptationCapabilities>;
  /**
   * The message's parts adapted for `capabilities`: the kernel's variant of that class when it
   * stored one, else one cached in the plugin kv, else adapted now (and cached).
   */
  adaptForRetrieval(input: { messageId: string; capabilities: Capabilities; signal?: AbortSignal }): Promise<RetrievalVariant | undefined>;
  /** Converters found at start (`undefined` before setup finished). */
  readonly tools: ToolSupport | undefined;
  /** URL of the STI server endpoint once started. */
  readonly stiUrl: string | undefined;
}

export function isMm11Transcoder(t: Transcoder | undefined): t is Mm11Transcoder {
  return !!t && typeof (t as Partial<Mm11Transcoder>).capabilitiesFromRequest === 'function' && typeof (t as Partial<Mm11Transcoder>).adaptForRetrieval === 'function';
}

function headerBytes(request: Pick<TranscodeRequest, 'message'>): number {
  const h = request.message.headers;
  let n = (h.subject?.text.length ?? 0) * 2;
  for (const a of [...h.to, ...h.cc]) n += a.value.length + 8;
  return n + h.from.value.length + 8;
}

function fingerprint(parts: readonly MmsPart[]): string {
  return shortHash(parts.map((p) => [p.contentType.type, p.data.byteLength, p.contentId ?? '', p.contentLocation ?? '']));
}

/** MM11: content adaptation (local or over OMA STI), UAProf capabilities, and an STI server. */
export default definePlugin({
  ...pluginIdentity(import.meta.url),
  apiVersion: '^1.0.0',
  description: 'MM11 content adaptation (sharp, ffmpeg, ImageMagick), UAProf, OMA STI 1.0',
  configSchema: mm11Options,
  async setup(ctx) {
    const o: Mm11Options = ctx.options;
    const table = new ClassTable(o);
    if (!table.byName(o.uaprof.defaultClass)) throw new Error(`uaprof.defaultClass: unknown class "${o.uaprof.defaultClass}"`);
    const tools = await probeTools(o.tools);
    const summary = describeTools(tools);
    if (tools.ffmpeg) ctx.log.info({ tools: summary }, `mm11 adapts: ${summary}`);
    else ctx.log.warn({ tools: summary }, `mm11 adapts images only: ${summary}`);

    const settings: AdaptSettings = {
      headerOverhead: o.headerOverhead,
      minImageBytes: o.minImageBytes,
      jpegQuality: o.jpegQuality,
      overlongMedia: o.overlongMedia,
      ...(o.publicBaseUrl ? { publicBaseUrl: o.publicBaseUrl } : {}),
      links: ctx.services.get(Services.ContentLinks),
    };
    const local = localBackend({ tools, timeoutMs: o.tools.timeoutMs }, settings);
    const backend: MediaBackend = o.sti.client
      ? stiBackend(new StiClient({ url: o.sti.client.url, originatorId: o.sti.client.originatorId, timeoutMs: o.sti.client.timeoutMs }))
      : local;
    const limiter = new Limiter(o.concurrency);
    const resolver = new CapabilityResolver({
      classes: table,
      kv: ctx.kv,
      fetch: o.uaprof.fetch,
      timeoutMs: o.uaprof.timeoutMs,
      maxBytes: o.uaprof.maxBytes,
      cacheTtlMs: o.uaprof.cacheTtlMs,
      failureTtlMs: o.uaprof.failureTtlMs,
      snapToClasses: o.uaprof.snapToClasses,
      defaultClass: o.uaprof.defaultClass,
      allowHosts: o.uaprof.allowHosts,
      now: () => ctx.clock.now(),
      onWarn: (message, url) => ctx.log.warn({ url }, message),
    });

    const messages = new Counter({ name: 'openmmsc_mm11_messages_total', help: 'Messages adapted, by class and result (adapted, unchanged, failed)', labelNames: ['class', 'result'], registers: [ctx.metrics] });
    const seconds = new Histogram({ name: 'openmmsc_mm11_adaptation_seconds', help: 'Time to adapt one message for one class', labelNames: ['class'], buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30], registers: [ctx.metrics] });

    const transcode = async (request: TranscodeRequest): Promise<TranscodeResult> => {
      const caps = table.complete(request.capabilities as AdaptationCapabilities);
      const end = seconds.startTimer({ class: caps.class });
      try {
        const r = await limiter.run(() =>
          adaptParts({ messageId: request.message.id, ...(request.message.expiresAt !== undefined ? { expiresAt: request.message.expiresAt } : {}), parts: request.parts, caps, headerBytes: headerBytes(request), signal: request.signal }, backend, settings),
        );
        messages.inc({ class: caps.class, result: r.changed ? 'adapted' : 'unchanged' });
        if (!r.changed) return undefined;
        ctx.log.info({ messageId: request.message.id, class: caps.class, size: r.size, notes: r.notes }, 'adapted');
        return { parts: r.parts, notes: r.notes };
      } catch (error) {
        messages.inc({ class: caps.class, result: 'failed' });
        throw error;
      } finally {
        end();
      }
    };

    const transcoder: Mm11Transcoder = {
      name: ctx.name,
      tools,
      get stiUrl() {
        return server?.url;
      },
      capabilitiesFor: (recipient) => table.forRecipient(recipient),
      transcode,
      capabilitiesFromRequest: (headers) => resolver.capabilitiesFromRequest(headers),
      async adaptForRetrieval({ messageId, capabilities, signal }) {
        const cls = capabilities.class;
        const original = await ctx.mmsc.getParts(messageId);
        if (!original) return undefined;
        // The kernel's variant of this class (adapted at submission) is used as is.
        if (await hasKernelVariant(messageId, cls)) {
          const stored = await ctx.mmsc.getParts(messageId, cls);
          if (stored) return { variant: cls, parts: stored, adapted: true, notes: [] };
        }
        const key = `variant:${messageId}:${cls}`;
        const fp = fingerprint(original);
        const cached = await ctx.kv.get<{ fp: string; parts: MmsPart[]; notes: string[]; adapted: boolean }>(key);
        if (cached && cached.fp === fp) return { variant: cls, parts: cached.adapted ? cached.parts : original, adapted: cached.adapted, notes: cached.notes };
        const message = await ctx.mmsc.getMessage(messageId);
        if (!message) return undefined;
        const result = await transcode({
          message: { id: message.id, headers: message.headers, size: message.size, expiresAt: message.expiresAt },
          parts: original,
          recipient: { address: message.headers.from, route: { target: 'local', by: ctx.name } },
          capabilities,
          signal: signal ?? new AbortController().signal,
        });
        const entry = { fp, parts: result?.parts ?? original, notes: result?.notes ?? [], adapted: !!result };
        // Originals need no copy: remember only that they suit this class.
        await ctx.kv.set(key, entry.adapted ? entry : { ...entry, parts: [] }, o.variantCacheTtlMs);
        return { variant: cls, parts: entry.parts, adapted: entry.adapted, notes: entry.notes };
      },
    };

    /** `getParts(id, variant)` falls back to the originals when no such variant exists; tell them apart. */
    async function hasKernelVariant(messageId: string, cls: string): Promise<boolean> {
      const recipients = await ctx.mmsc.getRecipients(messageId);
      return recipients.some((r) => r.attributes.variant === cls);
    }

    ctx.provide('Transcoder', transcoder);

    let server: StiServer | undefined;
    if (o.sti.server.enabled) {
      server = new StiServer({
        ...o.sti.server,
        limits: mergeLimits(ctx.config.listeners.http, o.sti.server.listener),
        metrics: ctx.metrics,
        backend: local,
        capsFor: (req, job) => capsForStiJob(req, job, table, resolver),
        log: ctx.log,
      });
    }

    return {
      async start() {
        if (server) {
          const url = await server.start();
          ctx.log.info({ url }, 'STI server listening');
        }
      },
      async stop() {
        await server?.stop();
      },
      ready() {
        if (o.sti.server.enabled && !server?.url) return 'STI server not listening';
        return true;
      },
    };
  },
});
