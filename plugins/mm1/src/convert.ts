/**
 * The one place codec PDUs and the kernel's message model meet: addresses, texts, times, content
 * types and parts, both ways.
 */
import {
  formatAddress,
  type Address,
  contentType,
  type ContentType,
  type EncodedText,
  type MessageClass,
  type MmsHeaders,
  type MmsPart,
  type Priority,
  type StoredMessage,
} from '@openmmsc/core';
import {
  isMultipart,
  partContent,
  type EncodedAddress,
  type EncodedString,
  type MmsBody,
  type WspPart as CodecPart,
  type PartHeaders,
  type RetrieveConf,
  type TimeValue,
  type WspHeader,
} from '@openmmsc/codec';

/** Thrown for a PDU value the kernel's model cannot take: answered as format-corrupt or address-unresolved. */
export class ConversionError extends Error {
  constructor(
    readonly code: 'format-corrupt' | 'address-unresolved',
    message: string,
  ) {
    super(message);
    this.name = 'ConversionError';
  }
}

// --- addresses ----------------------------------------------------------------------------

/** `+1555…/TYPE=PLMN` as the codec splits it, back to one string for `parseAddress`. */
export function rawAddress(a: EncodedAddress): string {
  return a.type ? `${a.address}/TYPE=${a.type}` : a.address;
}

export function toEncodedAddress(address: Address): EncodedAddress {
  const wire = formatAddress(address);
  const slash = wire.lastIndexOf('/TYPE=');
  return slash < 0 ? { address: wire } : { address: wire.slice(0, slash), type: wire.slice(slash + 6) };
}

export function parseAddresses(list: readonly EncodedAddress[] | undefined, parse: (raw: string) => Address): Address[] {
  const out: Address[] = [];
  for (const a of list ?? []) {
    try {
      out.push(parse(rawAddress(a)));
    } catch (error) {
      throw new ConversionError('address-unresolved', (error as Error).message);
    }
  }
  return out;
}

// --- texts, times, enums ------------------------------------------------------------------

export function toEncodedText(s: EncodedString): EncodedText {
  return s.charset ? { text: s.text, charset: s.charset } : { text: s.text };
}

export function toEncodedString(t: EncodedText): EncodedString {
  // Non-ASCII text goes out as UTF-8 with its charset, which every MMS 1.1+ handset reads.
  if (t.charset) return { text: t.text, charset: t.charset };
  return /^[\x20-\x7e]*$/.test(t.text) ? { text: t.text } : { text: t.text, charset: 'utf-8' };
}

export function resolveTime(t: TimeValue | undefined, now: number): Date | undefined {
  if (!t) return undefined;
  return 'absolute' in t ? t.absolute : new Date(now + t.relativeSeconds * 1000);
}

const CLASSES: readonly MessageClass[] = ['personal', 'advertisement', 'informational', 'auto'];
const PRIORITIES: readonly Priority[] = ['low', 'normal', 'high'];

export function toMessageClass(v: unknown): MessageClass | undefined {
  return typeof v === 'string' && (CLASSES as readonly string[]).includes(v.toLowerCase()) ? (v.toLowerCase() as MessageClass) : undefined;
}

export function toPriority(v: unknown): Priority | undefined {
  return typeof v === 'string' && (PRIORITIES as readonly string[]).includes(v) ? (v as Priority) : undefined;
}

// --- content types and parts --------------------------------------------------------------

/** The codec and the kernel share one `ContentType`; the kernel's model holds the type in lower case. */
export function toKernelContentType(ct: ContentType): ContentType {
  return contentType(ct.type, { ...ct.params });
}

export function toCodecContentType(ct: ContentType): ContentType {
  return { type: ct.type, params: { ...ct.params } };
}

function formatDisposition(d: NonNullable<PartHeaders['contentDisposition']>): string {
  let out = d.type;
  for (const [k, v] of Object.entries(d.params ?? {})) out += `; ${k}="${v.replace(/(["\\])/g, '\\$1')}"`;
  return out;
}

function parseDisposition(s: string): NonNullable<PartHeaders['contentDisposition']> {
  const bits = s.split(';');
  const type = (bits.shift() ?? '').trim().toLowerCase() || 'attachment';
  const params: Record<string, string> = {};
  for (const b of bits) {
    const eq = b.indexOf('=');
    if (eq < 0) continue;
    params[b.slice(0, eq).trim().toLowerCase()] = b
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .replace(/\\(.)/g, '$1');
  }
  return Object.keys(params).length ? { type, params } : { type };
}

/** A codec part as the kernel stores it; transfer encodings some senders add are undone. */
export function toKernelPart(p: CodecPart): MmsPart {
  const part: MmsPart = { contentType: toKernelContentType(p.contentType), data: partContent(p) };
  const h = p.headers;
  if (h.contentId !== undefined) part.contentId = h.contentId;
  if (h.contentLocation !== undefined) part.contentLocation = h.contentLocation;
  if (h.contentDisposition) part.contentDisposition = formatDisposition(h.contentDisposition);
  const other = h.other?.filter((x): x is { name: string; value: string } => 'value' in x);
  if (other?.length) part.headers = Object.fromEntries(other.map((x) => [x.name, x.value]));
  return part;
}

export function toCodecPart(p: MmsPart): CodecPart {
  const headers: PartHeaders = {};
  if (p.contentId !== undefined) headers.contentId = p.contentId;
  if (p.contentLocation !== undefined) headers.contentLocation = p.contentLocation;
  if (p.contentDisposition !== undefined) headers.contentDisposition = parseDisposition(p.contentDisposition);
  if (p.headers && Object.keys(p.headers).length) {
    headers.other = Object.entries(p.headers).map(([name, value]): WspHeader => ({ name, value }));
  }
  return { contentType: toCodecContentType(p.contentType), headers, data: p.data };
}

/** The body of an m-send-req as kernel parts and the message's content type. */
export function bodyToParts(body: MmsBody | undefined): { contentType: ContentType; parts: MmsPart[] } {
  if (!body) throw new ConversionError('format-corrupt', 'm-send-req has no body');
  if (body.parts) return { contentType: toKernelContentType(body.contentType), parts: body.parts.map(toKernelPart) };
  if (isMultipart(body.contentType.type)) throw new ConversionError('format-corrupt', `${body.contentType.type} body without entries`);
  // A single-part message: the body itself is the one part.
  const ct = toKernelContentType(body.contentType);
  return { contentType: ct, parts: [{ contentType: ct, data: body.data }] };
}

/** Parts back into an MMS body under the message's content type. */
export function partsToBody(contentType: ContentType, parts: readonly MmsPart[]): MmsBody {
  const ct = toCodecContentType(contentType);
  if (/^(application\/vnd\.wap\.multipart\.|multipart\/)/.test(contentType.type)) {
    return { contentType: ct, parts: parts.map(toCodecPart) };
  }
  if (parts.length === 1) return { contentType: ct, data: parts[0]!.data };
  return { contentType: { type: 'application/vnd.wap.multipart.mixed', params: {} }, parts: parts.map(toCodecPart) };
}

/** m-retrieve-conf for a stored message (without transaction id and status: the caller adds them). */
export function retrieveConf(message: StoredMessage, parts: readonly MmsPart[], mmsVersion: string): RetrieveConf {
  const h: MmsHeaders = message.headers;
  const pdu: RetrieveConf = {
    messageType: 'm-retrieve-conf',
    mmsVersion,
    messageId: message.headers.messageId ?? message.id,
    date: h.date ?? new Date(message.receivedAt),
    body: partsToBody(h.contentType, parts),
  };
  if (h.senderVisibility !== 'hide') pdu.from = toEncodedAddress(h.from);
  if (h.to.length) pdu.to = h.to.map(toEncodedAddress);
  if (h.cc.length) pdu.cc = h.cc.map(toEncodedAddress);
  if (h.subject) pdu.subject = toEncodedString(h.subject);
  pdu.messageClass = h.messageClass ?? 'personal';
  if (h.priority) pdu.priority = h.priority;
  if (h.deliveryReport !== undefined) pdu.deliveryReport = h.deliveryReport;
  if (h.readReport !== undefined) pdu.readReport = h.readReport;
  return pdu;
}
