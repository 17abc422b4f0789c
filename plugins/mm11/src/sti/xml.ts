import { XMLParser } from 'fast-xml-parser';
import { escapeXml } from '@openmmsc/mime';

/** OMA STI 1.0 (OMA-TS-SCHEMA-STI-V1_0-20050607-C.xsd) namespace. */
export const STI_NS = 'http://www.openmobilealliance.org/schema/sti/v1_0';
export const SOAP_NS = 'http://schemas.xmlsoap.org/soap/envelope/';

/** Return codes used here (the schema allows 1000–5999; 2000 is success). */
export const StiCode = {
  success: 2000,
  partialSuccess: 2001,
  badRequest: 4000,
  unsupportedMedia: 4001,
  sourceNotFound: 4002,
  constraintsNotMet: 4003,
  tooManyJobs: 4004,
  serverError: 5000,
} as const;

export interface StiProperty {
  name: string;
  value?: string;
}

/** Transcoding parameters for one media kind (the parts of STI's Image/Audio/Video/Text we use). */
export interface StiMediaParams {
  kind: 'image' | 'audio' | 'video' | 'text';
  contentType?: string;
  sizeLimit?: number;
  extension?: StiProperty[];
  codec?: string;
  /** image width/height, or video frame width/height. */
  width?: number;
  height?: number;
  bitRate?: number;
  samplingRate?: number;
  channels?: string;
  frameRate?: number;
  audioCodec?: string;
}

export interface StiTranscodingParams {
  media?: StiMediaParams;
  sizeLimit?: number;
  extension?: StiProperty[];
}

export interface StiTarget {
  profileId?: string;
  applicationType?: string;
  applicationSizeLimit?: number;
  params?: StiTranscodingParams;
  extension?: StiProperty[];
}

export interface StiJob {
  jobId: string;
  source: { contentType: string; location: string; params?: StiProperty[] };
  target?: StiTarget;
  adaptationClasses?: Array<{ className: string; allowed?: boolean }>;
}

export interface StiRequest {
  originatorId: string;
  operationId: string;
  profileId?: string;
  applicationType?: string;
  applicationSizeLimit?: number;
  adaptationClasses?: Array<{ className: string; allowed?: boolean }>;
  params?: StiTranscodingParams;
  jobs: StiJob[];
  extension?: StiProperty[];
}

export interface StiJobResult {
  jobId: string;
  code: number;
  message?: string;
  adaptations?: string[];
  durationMs?: number;
  output?: { contentType: string; location: string; mediaSize?: number; params?: StiProperty[] };
}

export interface StiResponse {
  originatorId?: string;
  operationId?: string;
  code: number;
  message?: string;
  totalDurationMs: number;
  results: StiJobResult[];
}

export class StiXmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StiXmlError';
  }
}

// ---------------------------------------------------------------- writing

const esc = escapeXml;
/** xsd:token content: whitespace collapsed. */
const tok = (s: string): string => esc(s.replace(/\s+/g, ' ').trim());

function el(name: string, value: string | number | boolean | undefined, token = false): string {
  if (value === undefined) return '';
  const text = typeof value === 'string' ? (token ? tok(value) : esc(value)) : String(value);
  return `<${name}>${text}</${name}>`;
}
const int = (n: number | undefined): number | undefined => (n === undefined ? undefined : Math.max(0, Math.round(n)));
const long = (n: number | undefined): number | undefined => (n === undefined ? undefined : n === Infinity ? -1 : Math.max(-1, Math.round(n)));

function props(name: string, list: readonly StiProperty[] | undefined): string {
  if (!list || list.length === 0) return '';
  return `<${name}>${list.map((p) => `<property>${el('name', p.name, true)}${el('value', p.value)}</property>`).join('')}</${name}>`;
}

function classes(list: StiRequest['adaptationClasses']): string {
  if (!list?.length) return '';
  return `<adaptationClasses>${list.map((c) => `<adaptationClass>${el('className', c.className, true)}${el('allowed', c.allowed)}</adaptationClass>`).join('')}</adaptationClasses>`;
}

function media(m: StiMediaParams): string {
  const base = el('contentType', m.contentType, true) + el('sizeLimit', long(m.sizeLimit));
  const ext = props('extensionData', m.extension);
  switch (m.kind) {
    case 'image':
      return `<image>${base}${ext}${el('codec', m.codec, true)}${el('width', int(m.width))}${el('height', int(m.height))}</image>`;
    case 'audio':
      return `<audio>${base}${ext}${el('codec', m.codec, true)}${el('bitRate', int(m.bitRate))}${el('samplingRate', int(m.samplingRate))}${el('channels', m.channels, true)}</audio>`;
    case 'video': {
      const visual = el('codec', m.codec, true) + el('bitRate', int(m.bitRate)) + el('frameRate', m.frameRate) + el('width', int(m.width)) + el('height', int(m.height));
      const audio = el('codec', m.audioCodec, true);
      return `<video>${base}${ext}${visual ? `<videoVisual>${visual}</videoVisual>` : ''}${audio ? `<videoAudio>${audio}</videoAudio>` : ''}</video>`;
    }
    case 'text':
      return `<text>${base}${ext}</text>`;
  }
}

function params(p: StiTranscodingParams | undefined): string {
  if (!p) return '';
  return `<transcodingParams>${p.media ? media(p.media) : ''}${el('sizeLimit', long(p.sizeLimit))}${props('extensionData', p.extension)}</transcodingParams>`;
}

/** A `TranscodingRequest` element as a standalone document (valid against the STI 1.0 schema). */
export function buildStiRequest(r: StiRequest): string {
  let x = `<?xml version="1.0" encoding="UTF-8"?>\n<TranscodingRequest xmlns="${STI_NS}">`;
  x += el('originatorID', r.originatorId, true) + el('operationID', r.operationId, true);
  x += el('profileID', r.profileId) + el('applicationType', r.applicationType) + el('applicationSizeLimit', long(r.applicationSizeLimit));
  x += classes(r.adaptationClasses) + params(r.params);
  for (const j of r.jobs) {
    x += `<transcodingJob>${el('jobID', j.jobId, true)}`;
    x += `<source>${el('contentType', j.source.contentType, true)}${props('contentTypeParams', j.source.params)}${el('location', j.source.location)}</source>`;
    if (j.target) {
      const t = j.target;
      x += `<target>${el('profileID', t.profileId)}${el('applicationType', t.applicationType)}${el('applicationSizeLimit', long(t.applicationSizeLimit))}${params(t.params)}${props('extensionData', t.extension)}</target>`;
    }
    x += classes(j.adaptationClasses);
    x += '</transcodingJob>';
  }
  x += props('extensionData', r.extension);
  return `${x}</TranscodingRequest>\n`;
}

function returnResult(name: string, code: number, message: string | undefined): string {
  return `<${name}>${el('returnCode', code)}${el('returnString', message)}</${name}>`;
}

/** A `TranscodingResponse` element as a standalone document. */
export function buildStiResponse(r: StiResponse): string {
  let x = `<?xml version="1.0" encoding="UTF-8"?>\n<TranscodingResponse xmlns="${STI_NS}">`;
  x += el('originatorID', r.originatorId, true) + el('operationID', r.operationId, true);
  x += returnResult('mainReturnResult', r.code, r.message);
  x += el('totalDuration', int(r.totalDurationMs));
  for (const j of r.results) {
    x += `<jobResult>${el('jobID', j.jobId, true)}${returnResult('mainReturnResult', j.code, j.message)}`;
    if (j.adaptations?.length) x += `<adaptationsPerformed>${j.adaptations.map((a) => el('adaptationPerformed', a, true)).join('')}</adaptationsPerformed>`;
    x += el('duration', int(j.durationMs));
    if (j.output) {
      const o = j.output;
      x += `<output>${el('contentType', o.contentType, true)}${props('contentTypeParams', o.params)}${el('location', o.location)}${el('mediaSize', o.mediaSize === undefined ? undefined : Math.max(0, o.mediaSize))}</output>`;
    }
    x += '</jobResult>';
  }
  return `${x}</TranscodingResponse>\n`;
}

/** Wraps an STI document in a SOAP 1.1 envelope (the STI HTTP binding). */
export function soapEnvelope(stiDocument: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<soap:Envelope xmlns:soap="${SOAP_NS}"><soap:Body>${stiDocument.replace(/^<\?xml[^>]*\?>\s*/, '')}</soap:Body></soap:Envelope>\n`;
}

/** The STI element (`TranscodingRequest` / `TranscodingResponse`) cut out of an envelope, as a document. */
export function extractStiElement(xml: string, name: 'TranscodingRequest' | 'TranscodingResponse'): string | undefined {
  const m = new RegExp(`<([A-Za-z_][\\w.-]*:)?${name}[\\s>][\\s\\S]*</\\1?${name}>`).exec(xml);
  return m ? `<?xml version="1.0" encoding="UTF-8"?>\n${m[0]}\n` : undefined;
}

// ---------------------------------------------------------------- reading

type X = Record<string, unknown>;
const ARRAYS = new Set(['transcodingJob', 'jobResult', 'property', 'adaptationClass', 'adaptationPerformed', 'returnResult', 'transformation']);

function parseTree(xml: string, maxBytes = 5 * 1024 * 1024): X {
  if (xml.length > maxBytes) throw new StiXmlError('document too large');
  if (/<!DOCTYPE|<!ENTITY/i.test(xml)) throw new StiXmlError('DTDs and entity declarations are refused');
  try {
    return new XMLParser({
      ignoreAttributes: true,
      removeNSPrefix: true,
      processEntities: true,
      htmlEntities: false,
      parseTagValue: false,
      trimValues: true,
      isArray: (name) => ARRAYS.has(name),
    }).parse(xml) as X;
  } catch (error) {
    throw new StiXmlError(`not well-formed XML: ${(error as Error).message}`);
  }
}

function find(tree: unknown, name: string): X | undefined {
  if (!tree || typeof tree !== 'object') return undefined;
  if (Array.isArray(tree)) {
    for (const t of tree) {
      const f = find(t, name);
      if (f) return f;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(tree as X)) {
    if (k === name && v && typeof v === 'object') return v as X;
    const f = find(v, name);
    if (f) return f;
  }
  return undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);
const num = (v: unknown): number | undefined => {
  const s = str(v);
  if (s === undefined || !/^-?\d+(\.\d+)?$/.test(s.trim())) return undefined;
  return Number(s);
};
const obj = (v: unknown): X | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as X) : undefined);
const arr = (v: unknown): X[] => (Array.isArray(v) ? v.filter((x): x is X => !!x && typeof x === 'object') : []);

function readProps(v: unknown): StiProperty[] | undefined {
  const o = obj(v);
  if (!o) return undefined;
  return arr(o.property).map((p) => {
    const value = str(p.value);
    return value === undefined ? { name: str(p.name) ?? '' } : { name: str(p.name) ?? '', value };
  });
}

function readClasses(v: unknown): StiRequest['adaptationClasses'] {
  const o = obj(v);
  if (!o) return undefined;
  return arr(o.adaptationClass).map((c) => {
    const allowed = str(c.allowed);
    return allowed === undefined ? { className: str(c.className) ?? '' } : { className: str(c.className) ?? '', allowed: allowed === 'true' || allowed === '1' };
  });
}

type MediaReaders = { [K in keyof StiMediaParams]?: (v: unknown) => StiMediaParams[K] | undefined };

/** Video parameters sit in `videoVisual`; audio and image ones directly in the media element. */
const VIDEO_VISUAL: MediaReaders = { codec: str, bitRate: num, frameRate: num, width: num, height: num };
const MEDIA: MediaReaders = { codec: str, width: num, height: num, bitRate: num, samplingRate: num, channels: str };

/** Copies the fields `readers` name from element `from` into `out`, those present only. */
function readFields(out: StiMediaParams, from: X, readers: MediaReaders): void {
  for (const [field, read] of Object.entries(readers) as [keyof StiMediaParams, (v: unknown) => unknown][]) {
    const value = read(from[field]);
    if (value !== undefined) (out as unknown as X)[field] = value;
  }
}

function readMedia(p: X): StiMediaParams | undefined {
  for (const kind of ['image', 'audio', 'video', 'text'] as const) {
    const m = obj(p[kind]) ?? (p[kind] === '' ? {} : undefined);
    if (!m) continue;
    const out: StiMediaParams = { kind };
    const set = <K extends keyof StiMediaParams>(k: K, v: StiMediaParams[K] | undefined): void => {
      if (v !== undefined) out[k] = v;
    };
    set('contentType', str(m.contentType));
    set('sizeLimit', num(m.sizeLimit));
    set('extension', readProps(m.extensionData));
    if (kind === 'video') {
      readFields(out, obj(m.videoVisual) ?? {}, VIDEO_VISUAL);
      set('audioCodec', str((obj(m.videoAudio) ?? {}).codec));
    } else readFields(out, m, MEDIA);
    return out;
  }
  return undefined;
}

function readParams(v: unknown): StiTranscodingParams | undefined {
  const p = obj(v) ?? (v === '' ? {} : undefined);
  if (!p) return undefined;
  const out: StiTranscodingParams = {};
  const m = readMedia(p);
  if (m) out.media = m;
  const size = num(p.sizeLimit);
  if (size !== undefined) out.sizeLimit = size;
  const ext = readProps(p.extensionData);
  if (ext) out.extension = ext;
  return out;
}

function assign<T extends object, K extends keyof T>(target: T, key: K, value: T[K] | undefined): void {
  if (value !== undefined) target[key] = value;
}

/** Reads a `TranscodingRequest` (bare or inside a SOAP envelope); throws `StiXmlError` on missing parts. */
export function parseStiRequest(xml: string, maxBytes?: number): StiRequest {
  const root = find(parseTree(xml, maxBytes), 'TranscodingRequest');
  if (!root) throw new StiXmlError('no TranscodingRequest element');
  const originatorId = str(root.originatorID);
  const operationId = str(root.operationID);
  if (!originatorId) throw new StiXmlError('originatorID is missing');
  if (!operationId) throw new StiXmlError('operationID is missing');
  const jobs: StiJob[] = [];
  for (const j of arr(root.transcodingJob)) {
    const jobId = str(j.jobID);
    const src = obj(j.source);
    if (!jobId) throw new StiXmlError('a transcodingJob has no jobID');
    if (!src || !str(src.contentType) || !str(src.location)) throw new StiXmlError(`job ${jobId}: source contentType and location are required`);
    const job: StiJob = { jobId, source: { contentType: str(src.contentType)!, location: str(src.location)! } };
    assign(job.source, 'params', readProps(src.contentTypeParams));
    const t = obj(j.target) ?? (j.target === '' ? {} : undefined);
    if (t) {
      const target: StiTarget = {};
      assign(target, 'profileId', str(t.profileID));
      assign(target, 'applicationType', str(t.applicationType));
      assign(target, 'applicationSizeLimit', num(t.applicationSizeLimit));
      assign(target, 'params', readParams(t.transcodingParams));
      assign(target, 'extension', readProps(t.extensionData));
      job.target = target;
    }
    assign(job, 'adaptationClasses', readClasses(j.adaptationClasses));
    jobs.push(job);
  }
  if (jobs.length === 0) throw new StiXmlError('at least one transcodingJob is required');
  const ids = new Set<string>();
  for (const j of jobs) {
    if (ids.has(j.jobId)) throw new StiXmlError(`jobID ${j.jobId} is not unique`);
    ids.add(j.jobId);
  }
  const r: StiRequest = { originatorId, operationId, jobs };
  assign(r, 'profileId', str(root.profileID));
  assign(r, 'applicationType', str(root.applicationType));
  assign(r, 'applicationSizeLimit', num(root.applicationSizeLimit));
  assign(r, 'adaptationClasses', readClasses(root.adaptationClasses));
  assign(r, 'params', readParams(root.transcodingParams));
  assign(r, 'extension', readProps(root.extensionData));
  return r;
}

function readReturn(v: unknown): { code: number; message?: string } {
  const o = obj(v);
  const code = num(o?.returnCode);
  if (code === undefined) throw new StiXmlError('returnCode is missing');
  const message = str(o?.returnString);
  return message === undefined ? { code } : { code, message };
}

/** Reads a `TranscodingResponse` (bare or inside a SOAP envelope). */
export function parseStiResponse(xml: string, maxBytes?: number): StiResponse {
  const root = find(parseTree(xml, maxBytes), 'TranscodingResponse');
  if (!root) throw new StiXmlError('no TranscodingResponse element');
  const main = readReturn(root.mainReturnResult);
  const r: StiResponse = { ...main, totalDurationMs: num(root.totalDuration) ?? 0, results: [] };
  assign(r, 'originatorId', str(root.originatorID));
  assign(r, 'operationId', str(root.operationID));
  for (const j of arr(root.jobResult)) {
    const res: StiJobResult = { jobId: str(j.jobID) ?? '', ...readReturn(j.mainReturnResult) };
    const ad = obj(j.adaptationsPerformed);
    if (ad) res.adaptations = (Array.isArray(ad.adaptationPerformed) ? ad.adaptationPerformed : []).map((a) => str(a) ?? '').filter(Boolean);
    assign(res, 'durationMs', num(j.duration));
    const o = obj(j.output);
    if (o && str(o.contentType) && str(o.location)) {
      res.output = { contentType: str(o.contentType)!, location: str(o.location)! };
      assign(res.output, 'mediaSize', num(o.mediaSize));
      assign(res.output, 'params', readProps(o.contentTypeParams));
    }
    r.results.push(res);
  }
  return r;
}
