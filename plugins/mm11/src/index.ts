import { definePlugin, pluginIdentity, Services, mergeLimits } from '@openmmsc/core';
import { defineAdaptJob, adaptJobId } from './adapt-job.js';
import { localBackend, type AdaptSettings, type MediaBackend } from './adapt.js';
import { ClassTable } from './capabilities.js';
import { stiLinkState } from './link-health.js';
import type { Mm11Transcoder } from './mm11-transcoder.js';
import { mm11Options, type Mm11Options } from './options.js';
import { capsForStiJob } from './sti/mapping.js';
import { StiClient, stiBackend } from './sti/client.js';
import { StiServer } from './sti/server.js';
import { describeTools, Limiter, probeTools } from './tools.js';
import { createTranscode } from './transcode.js';
import { CapabilityResolver } from './uaprof.js';
import { VariantCache } from './variant-cache.js';

export { mm11Options, DEFAULT_CLASSES, type Mm11Options, type Mm11OptionsInput, type AdaptationClassConfig, type PeerProfileConfig } from './options.js';
export { adaptParts, localBackend, noticePart, originalLink, type AdaptationCapabilities, type AdaptInput, type AdaptResult, type AdaptSettings, type MediaBackend, type MediaJob } from './adapt.js';
export { adaptImage, fitBox, type ImageTarget, type MediaEnv, type MediaOutcome } from './image.js';
export { ADAPTATION_NICENESS } from './background-priority.js';
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
export { isMm11Transcoder, type Mm11Transcoder, type RetrievalVariant } from './mm11-transcoder.js';
export { VariantCache, type VariantCacheDeps } from './variant-cache.js';
export { adaptJobId, type AdaptJobData } from './adapt-job.js';
export { stiLinkState } from './link-health.js';

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
    if (o.variantCacheTtlMs !== undefined) ctx.log.warn('mm11: variantCacheTtlMs is no longer used (variants are kept with the message and removed with it); remove it from the config');

    const settings: AdaptSettings = {
      headerOverhead: o.headerOverhead,
      minImageBytes: o.minImageBytes,
      jpegQuality: o.jpegQuality,
      overlongMedia: o.overlongMedia,
      ...(o.publicBaseUrl ? { publicBaseUrl: o.publicBaseUrl } : {}),
      links: ctx.services.get(Services.ContentLinks),
    };
    const local = localBackend({ tools, timeoutMs: o.tools.timeoutMs }, settings);
    const client = o.sti.client;
    const backend: MediaBackend = client
      ? stiBackend(new StiClient({ url: client.url, originatorId: client.originatorId, timeoutMs: client.timeoutMs }), stiLinkState(ctx.metrics, client.url).answered)
      : local;
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
    const transcode = createTranscode({ table, backend, settings, limiter: new Limiter(o.concurrency), metrics: ctx.metrics, log: ctx.log });
    const stopping = new AbortController();
    const variants = new VariantCache({
      mmsc: ctx.mmsc,
      transcode,
      runningAnywhere: async (messageId, cls) => (await ctx.jobs.job(adaptJobId(messageId, cls)))?.state === 'active',
      waitMs: o.afterStore.waitMs,
      by: ctx.name,
      log: ctx.log,
      stopped: stopping.signal,
      now: () => ctx.clock.now(),
    });
    const adaptLater = defineAdaptJob(ctx, variants, { maxAttempts: o.afterStore.maxAttempts, concurrency: o.concurrency });

    const transcoder: Mm11Transcoder = {
      name: ctx.name,
      tools,
      get stiUrl() {
        return server?.url;
      },
      capabilitiesFor: (recipient) => table.forRecipient(recipient),
      transcode,
      capabilitiesFromRequest: (headers) => resolver.capabilitiesFromRequest(headers),
      adaptForRetrieval: (input) => variants.get(input),
      ...(o.afterStore.enabled ? { adaptLater } : {}),
    };
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
      async close() {
        // Jobs and fetches have ended by now; nothing may keep converting into a closing store.
        stopping.abort(new Error('the MMSC is stopping'));
      },
      ready() {
        if (o.sti.server.enabled && !server?.url) return 'STI server not listening';
        return true;
      },
    };
  },
});
