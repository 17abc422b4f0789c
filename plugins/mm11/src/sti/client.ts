import { randomUUID } from 'node:crypto';
import type { MediaBackend } from '../adapt.js';
import { buildMultipart, contentTypeParam, newBoundary, parseMultipart, stripCid, type MimePart } from './multipart.js';
import { stiJobFor } from './mapping.js';
import { buildStiRequest, extractStiElement, parseStiResponse, soapEnvelope, StiCode, type StiRequest, type StiResponse } from './xml.js';

export interface StiClientOptions {
  url: string;
  originatorId: string;
  timeoutMs: number;
  /** Largest response body read. */
  maxResponseBytes?: number;
  /** Sees each exchange's STI documents (for logs and schema checks in tests). */
  onExchange?: (requestXml: string, responseXml: string) => void;
}

export interface StiAttachment {
  contentType: string;
  data: Uint8Array;
}

export interface StiExchange {
  response: StiResponse;
  /** Response attachments by Content-ID (without `<>`). */
  attachments: Map<string, StiAttachment>;
}

export class StiClientError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StiClientError';
  }
}

/**
 * OMA STI 1.0 client: POSTs a SOAP 1.1 envelope holding a `TranscodingRequest` as the root of a
 * multipart/related body whose other parts are the source media (`cid:` locations), and reads
 * the response the same way (outputs as attachments, or http(s) locations it then fetches).
 */
export class StiClient {
  constructor(private readonly o: StiClientOptions) {}

  async send(request: Omit<StiRequest, 'originatorId' | 'operationId'> & { operationId?: string }, attachments: ReadonlyMap<string, StiAttachment>, signal?: AbortSignal): Promise<StiExchange> {
    const full: StiRequest = { ...request, originatorId: this.o.originatorId, operationId: request.operationId ?? randomUUID() };
    const requestXml = buildStiRequest(full);
    const boundary = newBoundary();
    const parts: MimePart[] = [
      { headers: { 'content-type': 'text/xml; charset=utf-8', 'content-id': '<sti-request>' }, body: Buffer.from(soapEnvelope(requestXml), 'utf8') },
    ];
    for (const [cid, a] of attachments) {
      parts.push({ headers: { 'content-type': a.contentType, 'content-id': `<${cid}>`, 'content-transfer-encoding': 'binary' }, body: Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength) });
    }
    const timeout = AbortSignal.timeout(this.o.timeoutMs);
    const res = await fetch(this.o.url, {
      method: 'POST',
      headers: {
        'content-type': `multipart/related; type="text/xml"; start="<sti-request>"; boundary="${boundary}"`,
        soapaction: '""',
      },
      body: buildMultipart(parts, boundary),
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    const body = Buffer.from(await res.arrayBuffer());
    if (body.length > (this.o.maxResponseBytes ?? 64 * 1024 * 1024)) throw new StiClientError('STI response too large');
    const type = res.headers.get('content-type') ?? '';
    let rootXml: string;
    const out = new Map<string, StiAttachment>();
    if (/^multipart\//i.test(type)) {
      const b = contentTypeParam(type, 'boundary');
      if (!b) throw new StiClientError('multipart response without boundary');
      const mparts = parseMultipart(body, b);
      const start = contentTypeParam(type, 'start');
      const root = (start ? mparts.find((p) => stripCid(p.headers['content-id'] ?? '') === stripCid(start)) : undefined) ?? mparts[0];
      if (!root) throw new StiClientError('empty multipart response');
      rootXml = root.body.toString('utf8');
      for (const p of mparts) {
        if (p === root || !p.headers['content-id']) continue;
        out.set(stripCid(p.headers['content-id']), { contentType: p.headers['content-type'] ?? 'application/octet-stream', data: p.body });
      }
    } else rootXml = body.toString('utf8');
    let response: StiResponse;
    try {
      response = parseStiResponse(rootXml);
    } catch (error) {
      throw new StiClientError(`HTTP ${res.status}: ${(error as Error).message}`);
    }
    this.o.onExchange?.(requestXml, extractStiElement(rootXml, 'TranscodingResponse') ?? rootXml);
    return { response, attachments: out };
  }

  /** Bytes of a job output: an attachment (`cid:`) or an http(s) location. */
  async output(exchange: StiExchange, location: string, signal?: AbortSignal): Promise<Uint8Array> {
    if (/^cid:/i.test(location)) {
      const a = exchange.attachments.get(stripCid(location));
      if (!a) throw new StiClientError(`output ${location} is not attached`);
      return a.data;
    }
    if (!/^https?:\/\//i.test(location)) throw new StiClientError(`unsupported output location ${location}`);
    const timeout = AbortSignal.timeout(this.o.timeoutMs);
    const res = await fetch(location, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    if (!res.ok) throw new StiClientError(`output ${location}: HTTP ${res.status}`);
    return Buffer.from(await res.arrayBuffer());
  }
}

/**
 * Media conversions on an external STI transcoder: one request per part, its budget as sizeLimit.
 * `onAnswer` hears after each request whether the transcoder answered (its link state).
 */
export function stiBackend(client: StiClient, onAnswer?: (answered: boolean) => void): MediaBackend {
  let n = 0;
  return {
    async convert(job) {
      const cid = `src-${++n}@openmmsc`;
      const stiJob = stiJobFor(job, `job-${n}`, `cid:${cid}`);
      let exchange: StiExchange;
      try {
        exchange = await client.send({ jobs: [stiJob] }, new Map([[cid, { contentType: job.type, data: job.data }]]), job.signal);
        onAnswer?.(true);
      } catch (error) {
        onAnswer?.(false);
        return { kind: 'failed', reason: `the transcoder did not answer: ${(error as Error).message}` };
      }
      const r = exchange.response.results.find((x) => x.jobId === stiJob.jobId);
      if (!r) return { kind: 'failed', reason: `transcoder: ${exchange.response.message ?? `code ${exchange.response.code}`}` };
      if (r.code >= 4000 || !r.output) return { kind: 'failed', reason: r.message ?? `transcoder code ${r.code}` };
      if (!r.adaptations || r.adaptations.length === 0) return { kind: 'unchanged' };
      const data = await client.output(exchange, r.output.location, job.signal);
      if (data.byteLength > job.budget) return { kind: 'failed', reason: `the transcoder returned ${data.byteLength} bytes for a budget of ${job.budget}` };
      return {
        kind: 'adapted',
        data: Buffer.from(data.buffer, data.byteOffset, data.byteLength),
        type: r.output.contentType.toLowerCase(),
        note: `via STI (${r.adaptations.join(', ')}): ${job.type} → ${r.output.contentType} (${data.byteLength} bytes)${r.message ? `: ${r.message}` : ''}`,
      };
    },
  };
}

export { StiCode };
