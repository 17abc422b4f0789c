import { bareId, buildMultipart, cidUrlId, formatContentType, header, leafToPart, MimeError, newBoundary, parseContentType, parseEntity, wireId, type MimeEntity, type MimeLeaf, type MimeLimits, type OutPart } from '@openmmsc/mime';
import { Mm7DecodeError } from './decode.js';
import { decodeEnvelope, type ParsedEnvelope } from './envelope.js';
import { writeEnvelope, type EnvelopeInput } from './encode.js';
import type { DecodeWarning, WarningSink } from './warnings.js';
import { DEFAULT_XML_LIMITS, type XmlLimits } from './xml.js';

/** A message ready for HTTP: body bytes and the Content-Type header. */
export interface HttpPayload {
  contentType: string;
  body: Buffer;
}

/** The MIME content attached to a SubmitReq, DeliverReq or ReplaceReq. */
export interface ContentInput {
  parts: readonly MimeLeaf[];
  /** `related` (with SMIL) or `mixed`; default: related when a SMIL part is present. */
  multipart?: 'related' | 'mixed';
  /** How binary parts travel: raw bytes or base64 (text parts always go as 8bit). */
  transferEncoding?: 'binary' | 'base64';
}

const ENVELOPE_CID = 'mm7-soap-envelope';
const CONTENT_CID = 'mm7-content';

/** A part as it travels: every part has a Content-ID (`<partN>` when it has none of its own). */
function partOut(part: MimeLeaf, encoding: 'binary' | 'base64', index: number): OutPart {
  return leafToPart({ ...part, contentId: part.contentId ?? `part${index}` }, encoding);
}

/** Builds the content entity: one multipart holding the message parts. */
export function buildContent(content: ContentInput): { headers: Record<string, string>; body: Buffer } {
  const boundary = newBoundary('mm7');
  const smil = content.parts.find((p) => p.contentType.type === 'application/smil');
  const kind = content.multipart ?? (smil ? 'related' : 'mixed');
  const encoding = content.transferEncoding ?? 'binary';
  const ordered = smil && kind === 'related' ? [smil, ...content.parts.filter((p) => p !== smil)] : [...content.parts];
  const parts = ordered.map((p, i) => partOut(p, encoding, i));
  const params: Record<string, string> = { boundary };
  if (kind === 'related' && smil) {
    params.type = 'application/smil';
    params.start = wireId(smil.contentId ?? 'part0');
  }
  const body = buildMultipart(parts, boundary);
  return { headers: { 'Content-Type': formatContentType({ type: `multipart/${kind}`, params }), 'Content-ID': wireId(CONTENT_CID) }, body };
}

/**
 * Writes an MM7 message for HTTP. With content, a multipart/related whose root is the SOAP
 * envelope and whose second part is the content (referenced by `Content href="cid:…"`).
 */
export function encodeMm7(input: EnvelopeInput, content?: ContentInput): HttpPayload {
  if (!content) {
    return { contentType: 'text/xml; charset="utf-8"', body: Buffer.from(writeEnvelope(input), 'utf8') };
  }
  let body = input.body;
  if (body.type === 'SubmitReq' || body.type === 'DeliverReq' || body.type === 'ReplaceReq' || body.type === 'extendedReplaceReq') {
    const allow = body.content?.allowAdaptations;
    body = { ...body, content: allow === undefined ? { href: `cid:${CONTENT_CID}` } : { href: `cid:${CONTENT_CID}`, allowAdaptations: allow } };
  }
  const xml = writeEnvelope({ ...input, body });
  const inner = buildContent(content);
  const boundary = newBoundary('mm7');
  const payload = buildMultipart(
    [
      { headers: { 'Content-Type': 'text/xml; charset="utf-8"', 'Content-ID': wireId(ENVELOPE_CID) }, body: xml },
      { headers: inner.headers, body: inner.body },
    ],
    boundary,
  );
  return {
    contentType: formatContentType({ type: 'multipart/related', params: { boundary, type: 'text/xml', start: wireId(ENVELOPE_CID) } }),
    body: payload,
  };
}

export interface DecodedMm7 {
  envelope: ParsedEnvelope;
  /** The SOAP envelope text. */
  xml: string;
  /** The content the body's `Content href` points to, parsed (nested multiparts included). */
  content?: MimeEntity;
  /** Deviations from the standards that were accepted (see `DecodeWarningKind`). */
  warnings: DecodeWarning[];
}

export interface DecodeLimits {
  xml: XmlLimits;
  mime: MimeLimits;
  /** Body elements accepted (others are answered 4003); default: any. */
  accept?: ReadonlySet<string>;
}

/** MIME limits of an MM7 request: a VASP's content is shallower than mail. */
export const DEFAULT_MIME_LIMITS: MimeLimits = { maxParts: 100, maxDepth: 4, maxHeaderBytes: 16 * 1024 };

export const DEFAULT_DECODE_LIMITS: DecodeLimits = { xml: DEFAULT_XML_LIMITS, mime: DEFAULT_MIME_LIMITS };

const SOAP_TYPES = new Set(['text/xml', 'application/xml', 'application/soap+xml']);

const contentIdOf = (entity: MimeEntity): string | undefined => bareId(header(entity.headers, 'content-id'));

function findByReference(parts: MimeEntity[], href: string, warn: WarningSink): MimeEntity | undefined {
  const id = cidUrlId(href);
  if (id !== undefined) {
    const exact = parts.find((p) => contentIdOf(p) === id);
    if (exact) return exact;
    const loose = parts.find((p) => contentIdOf(p)?.toLowerCase() === id.toLowerCase());
    if (loose) warn('content-id-case', `Content href ${JSON.stringify(href)} matches Content-ID ${JSON.stringify(header(loose.headers, 'content-id'))} only ignoring case`);
    return loose;
  }
  return parts.find((p) => header(p.headers, 'content-location') === href.trim());
}

/**
 * Reads an MM7 HTTP body (text/xml, or multipart/related with attachments). Anything cut short or
 * malformed is an `Mm7DecodeError` carrying what was read before it (and the warnings so far).
 */
export function decodeMm7(contentTypeHeader: string | undefined, body: Buffer, limits: DecodeLimits = DEFAULT_DECODE_LIMITS): DecodedMm7 {
  const warnings: DecodeWarning[] = [];
  const warn: WarningSink = (kind, message) => warnings.push({ kind, message });
  try {
    return { ...readMm7(contentTypeHeader, body, limits, warn), warnings };
  } catch (error) {
    if (error instanceof Mm7DecodeError && warnings.length) error.warnings = warnings;
    throw error;
  }
}

function readMm7(contentTypeHeader: string | undefined, body: Buffer, limits: DecodeLimits, warn: WarningSink): Omit<DecodedMm7, 'warnings'> {
  if (!contentTypeHeader?.trim()) warn('no-content-type', 'no Content-Type header; read as text/xml');
  const ct = parseContentType(contentTypeHeader, 'text/xml', false);
  if (!ct.type.startsWith('multipart/')) {
    if (!SOAP_TYPES.has(ct.type)) throw new Mm7DecodeError(2007, `unexpected Content-Type ${ct.type}; MM7 uses text/xml or multipart/related`);
    const xml = body.toString('utf8');
    return { envelope: decodeEnvelope(xml, limits.xml, limits.accept, warn), xml };
  }
  let parts: MimeEntity[];
  try {
    // The HTTP body is the multipart entity its Content-Type header announces.
    parts = parseEntity([['Content-Type', contentTypeHeader!]], body, { limits: limits.mime, warn }).parts ?? [];
  } catch (error) {
    if (error instanceof MimeError) throw new Mm7DecodeError(2007, `malformed MIME: ${error.message}`);
    throw error;
  }
  if (parts.length === 0) throw new Mm7DecodeError(2007, 'multipart body without parts');
  const start = bareId(ct.params.start);
  const named = start ? parts.find((p) => contentIdOf(p) === start) : undefined;
  if (start && !named) warn('start-not-found', `start ${JSON.stringify(ct.params.start)} names no part; the envelope was guessed`);
  const root = named || parts.find((p) => SOAP_TYPES.has(p.contentType.type)) || parts[0]!;
  if (!SOAP_TYPES.has(root.contentType.type)) warn('envelope-type', `the SOAP part is ${header(root.headers, 'content-type') ? root.contentType.type : 'untyped'}, not text/xml`);
  const xml = root.body.toString('utf8');
  const envelope = decodeEnvelope(xml, limits.xml, limits.accept, warn);
  const others = parts.filter((p) => p !== root);
  const href = envelope.body && 'content' in envelope.body ? envelope.body.content?.href : undefined;
  let content: MimeEntity | undefined;
  if (href) {
    content = findByReference(others, href, warn);
    if (!content) throw withTransaction(new Mm7DecodeError(2007, `Content href ${JSON.stringify(href)} names no attached part`), envelope);
  } else if (others.length) {
    warn('unreferenced-content', `${others.length} attachment(s) without a Content href; taken as the content`);
    // One attachment is the content; several are treated together as a multipart/mixed.
    content = others.length === 1 ? others[0] : { contentType: { type: 'multipart/mixed', params: {} }, headers: [], body: Buffer.alloc(0), parts: others };
  }
  return content ? { envelope, xml, content } : { envelope, xml };
}

function withTransaction(error: Mm7DecodeError, envelope: ParsedEnvelope): Mm7DecodeError {
  if (envelope.transactionId) error.transactionId = envelope.transactionId;
  error.release = envelope.release;
  if (envelope.version) error.version = envelope.version;
  return error;
}
