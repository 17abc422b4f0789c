import { createHttpListener, httpListenerSchema, type HttpListenerLimits } from '@openmmsc/core';
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { AdaptationCapabilities, MediaBackend } from '../adapt.js';
import { kindOf, normalizeType } from '../media-types.js';
import { adaptationsFor } from './mapping.js';
import { MimeError } from '@openmmsc/mime';
import { buildMultipart, contentTypeParam, newBoundary, parseMultipart, stripCid, type MimePart } from './multipart.js';
import { buildStiResponse, parseStiRequest, soapEnvelope, StiCode, StiXmlError, type StiJob, type StiJobResult, type StiRequest, type StiResponse } from './xml.js';

export interface StiServerOptions {
  host: string;
  port: number;
  path: string;
  maxBodyBytes: number;
  maxJobs: number;
  allowRemoteSources: boolean;
  /** Client addresses allowed; empty: any. */
  allowFrom?: readonly string[];
  backend: MediaBackend;
  /** Capabilities and budget a job asks for. */
  capsFor(request: StiRequest, job: StiJob): Promise<{ caps: AdaptationCapabilities; budget: number }>;
  log?: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void };
  /** Sees each exchange's STI documents (tests check them against the schema). */
  onExchange?: (requestXml: string, responseXml: string) => void;
  remoteTimeoutMs?: number;
  /** Time-outs and connection caps (default: the kernel's `listeners.http` defaults). */
  limits?: HttpListenerLimits;
  metrics?: Registry;
}

interface Source {
  contentType: string;
  data: Buffer;
}

/**
 * OMA STI 1.0 server: OpenMMSC as the transcoder of other platforms. Takes POSTs of a
 * `TranscodingRequest` (bare XML, or SOAP 1.1, alone or as the root of multipart/related with
 * the sources attached and referenced as `cid:`), runs each job through the same adaptation as
 * MMS, answers a `TranscodingResponse` with outputs attached (`cid:result-<jobID>`).
 */
export class StiServer {
  #app: FastifyInstance | undefined;
  #url: string | undefined;
  /** Requests served (for metrics and tests). */
  served = 0;

  constructor(private readonly o: StiServerOptions) {}

  get url(): string | undefined {
    return this.#url;
  }

  async start(): Promise<string> {
    const limits = this.o.limits ?? httpListenerSchema.parse({});
    const app = createHttpListener(
      { name: 'sti', limits, ...(this.o.metrics ? { metrics: this.o.metrics } : {}), ...(this.o.log ? { log: this.o.log } : {}) },
      { bodyLimit: this.o.maxBodyBytes, logger: false },
    );
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: this.o.maxBodyBytes }, (_req, body, done) => done(null, body));
    app.post(this.o.path, async (req, reply) => {
      const started = Date.now();
      this.served++;
      const allow = this.o.allowFrom ?? [];
      const ip = req.ip.replace(/^::ffff:/, '');
      if (allow.length > 0 && !allow.includes(ip)) {
        return this.#answer(reply, 403, '', { code: StiCode.badRequest, message: `client ${ip} is not allowed`, totalDurationMs: 0, results: [] }, []);
      }
      const type = String(req.headers['content-type'] ?? '');
      const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
      let requestXml = '';
      const attachments = new Map<string, Source>();
      let request: StiRequest;
      try {
        if (/^multipart\//i.test(type)) {
          const boundary = contentTypeParam(type, 'boundary');
          if (!boundary) throw new StiXmlError('multipart body without boundary');
          const parts = parseMultipart(body, boundary, this.o.maxJobs + 5);
          const start = contentTypeParam(type, 'start');
          const root = (start ? parts.find((p) => stripCid(p.headers['content-id'] ?? '') === stripCid(start)) : undefined) ?? parts[0];
          if (!root) throw new StiXmlError('empty multipart body');
          requestXml = root.body.toString('utf8');
          for (const p of parts) {
            if (p !== root && p.headers['content-id']) attachments.set(stripCid(p.headers['content-id']), { contentType: p.headers['content-type'] ?? 'application/octet-stream', data: p.body });
          }
        } else requestXml = body.toString('utf8');
        request = parseStiRequest(requestXml, this.o.maxBodyBytes);
        if (request.jobs.length > this.o.maxJobs) {
          return this.#answer(reply, 200, requestXml, { originatorId: request.originatorId, operationId: request.operationId, code: StiCode.tooManyJobs, message: `at most ${this.o.maxJobs} jobs per request`, totalDurationMs: 0, results: [] }, []);
        }
      } catch (error) {
        const message = error instanceof StiXmlError || error instanceof MimeError ? error.message : 'unreadable request';
        return this.#answer(reply, 400, requestXml, { code: StiCode.badRequest, message, totalDurationMs: Date.now() - started, results: [] }, []);
      }
      const results: StiJobResult[] = [];
      const outputs: MimePart[] = [];
      for (const job of request.jobs) {
        const t0 = Date.now();
        const result = await this.#job(request, job, attachments, outputs).catch((error: unknown): StiJobResult => {
          this.o.log?.warn({ err: error, jobId: job.jobId }, 'STI job failed');
          return { jobId: job.jobId, code: StiCode.serverError, message: (error as Error).message };
        });
        result.durationMs = Date.now() - t0;
        results.push(result);
      }
      const failed = results.filter((r) => r.code >= 4000).length;
      const response: StiResponse = {
        originatorId: request.originatorId,
        operationId: request.operationId,
        code: failed === 0 ? StiCode.success : failed === results.length ? (results[0]!.code ?? StiCode.serverError) : StiCode.partialSuccess,
        message: failed === 0 ? 'OK' : `${failed} of ${results.length} jobs failed`,
        totalDurationMs: Date.now() - started,
        results,
      };
      return this.#answer(reply, 200, requestXml, response, outputs);
    });
    await app.listen({ host: this.o.host, port: this.o.port });
    this.#app = app;
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : this.o.port;
    const host = this.o.host.includes(':') ? `[${this.o.host}]` : this.o.host;
    this.#url = `http://${host}:${port}${this.o.path}`;
    return this.#url;
  }

  async stop(): Promise<void> {
    const app = this.#app;
    this.#app = undefined;
    if (app) await app.close();
  }

  #answer(reply: import('fastify').FastifyReply, status: number, requestXml: string, response: StiResponse, outputs: MimePart[]): Buffer {
    const xml = buildStiResponse(response);
    this.o.onExchange?.(requestXml, xml);
    const envelope = Buffer.from(soapEnvelope(xml), 'utf8');
    if (outputs.length === 0) {
      reply.code(status).header('content-type', 'text/xml; charset=utf-8');
      return envelope;
    }
    const boundary = newBoundary();
    reply
      .code(status)
      .header('content-type', `multipart/related; type="text/xml"; start="<sti-response>"; boundary="${boundary}"`);
    return buildMultipart([{ headers: { 'content-type': 'text/xml; charset=utf-8', 'content-id': '<sti-response>' }, body: envelope }, ...outputs], boundary);
  }

  async #source(job: StiJob, attachments: Map<string, Source>): Promise<Source | StiJobResult> {
    const loc = job.source.location.trim();
    if (/^cid:/i.test(loc)) {
      const a = attachments.get(stripCid(loc));
      return a ? { contentType: job.source.contentType || a.contentType, data: a.data } : { jobId: job.jobId, code: StiCode.sourceNotFound, message: `${loc} is not attached` };
    }
    if (/^https?:\/\//i.test(loc)) {
      if (!this.o.allowRemoteSources) return { jobId: job.jobId, code: StiCode.sourceNotFound, message: 'remote sources are not fetched here; attach the media (cid:)' };
      const res = await fetch(loc, { signal: AbortSignal.timeout(this.o.remoteTimeoutMs ?? 15_000) });
      if (!res.ok) return { jobId: job.jobId, code: StiCode.sourceNotFound, message: `source HTTP ${res.status}` };
      const data = Buffer.from(await res.arrayBuffer());
      if (data.length > this.o.maxBodyBytes) return { jobId: job.jobId, code: StiCode.badRequest, message: 'source too large' };
      return { contentType: job.source.contentType, data };
    }
    return { jobId: job.jobId, code: StiCode.sourceNotFound, message: `unsupported location ${loc}` };
  }

  async #job(request: StiRequest, job: StiJob, attachments: Map<string, Source>, outputs: MimePart[]): Promise<StiJobResult> {
    const src = await this.#source(job, attachments);
    if ('jobId' in src) return src;
    const kind = kindOf(src.contentType);
    if (kind !== 'image' && kind !== 'audio' && kind !== 'video') {
      return { jobId: job.jobId, code: StiCode.unsupportedMedia, message: `${normalizeType(src.contentType)} is not transcoded here` };
    }
    const { caps, budget } = await this.o.capsFor(request, job);
    const outcome = await this.o.backend.convert({ kind, data: src.data, type: src.contentType, budget, caps });
    if (outcome.kind === 'failed') return { jobId: job.jobId, code: StiCode.constraintsNotMet, message: outcome.reason };
    const cid = `result-${job.jobId}`;
    const data = outcome.kind === 'adapted' ? outcome.data : src.data;
    const type = outcome.kind === 'adapted' ? outcome.type : normalizeType(src.contentType);
    outputs.push({ headers: { 'content-type': type, 'content-id': `<${cid}>`, 'content-transfer-encoding': 'binary' }, body: data });
    return {
      jobId: job.jobId,
      code: StiCode.success,
      message: outcome.kind === 'adapted' ? outcome.note : 'already suitable',
      adaptations: adaptationsFor(src.contentType, src.data.length, outcome),
      output: { contentType: type, location: `cid:${cid}`, mediaSize: data.length },
    };
  }
}
