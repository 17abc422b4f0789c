import type { Address, ContentType, MessageClass, MmsHeaders, MmsPart, Priority } from '@openmmsc/core';
import { bareId, parseContentType, type MimeEntity } from './codec/mime.js';
import type { Mm7Address, Mm7Recipients, MessageClassValue, PriorityValue, SubmitReq } from './codec/model.js';

/** Milliseconds of an xs:duration (`P1DT2H`, `PT30M`); months count 30 days, years 365. */
export function parseXsDuration(value: string): number | undefined {
  const m = /^(-)?P(?:(\d+(?:\.\d+)?)Y)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(value.trim());
  if (!m || value.trim() === 'P' || value.trim().endsWith('T')) return undefined;
  const n = (i: number) => (m[i] ? Number.parseFloat(m[i]!) : 0);
  const ms = (n(2) * 365 + n(3) * 30 + n(4) * 7 + n(5)) * 86_400_000 + n(6) * 3_600_000 + n(7) * 60_000 + n(8) * 1000;
  return m[1] ? -ms : ms;
}

/** An MM7 relativeOrAbsoluteDate: an xs:dateTime, or an xs:duration counted from `now`. */
export function resolveDate(value: string | undefined, now: number): Date | undefined | 'invalid' {
  if (value === undefined || value === '') return undefined;
  const v = value.trim();
  if (v.startsWith('P') || v.startsWith('-P')) {
    const ms = parseXsDuration(v);
    return ms === undefined ? 'invalid' : new Date(now + ms);
  }
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.test(v)) return 'invalid';
  const t = Date.parse(v);
  return Number.isFinite(t) ? new Date(t) : 'invalid';
}

/** An xs:dateTime without milliseconds, in UTC. */
export function xsDateTime(at: number | Date): string {
  return new Date(at).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

export function toMessageClass(v: MessageClassValue | undefined): MessageClass | undefined {
  return v ? (v.toLowerCase() as MessageClass) : undefined;
}

export function fromMessageClass(v: MessageClass | undefined): MessageClassValue | undefined {
  return v ? ((v[0]!.toUpperCase() + v.slice(1)) as MessageClassValue) : undefined;
}

export function toPriority(v: PriorityValue | undefined): Priority | undefined {
  return v ? (v.toLowerCase() as Priority) : undefined;
}

export function fromPriority(v: Priority | undefined): PriorityValue | undefined {
  return v ? ((v[0]!.toUpperCase() + v.slice(1)) as PriorityValue) : undefined;
}

/** A kernel address as MM7 writes it. */
export function toMm7Address(a: Address): Mm7Address {
  switch (a.type) {
    case 'email':
      return { kind: 'RFC2822Address', value: a.value };
    case 'shortcode':
      return { kind: 'ShortCode', value: a.value };
    default:
      return { kind: 'Number', value: a.value };
  }
}

/** An MM7 address in kernel terms; a ShortCode stays a short code whatever its length. */
export function fromMm7Address(a: Mm7Address, parse: (raw: string) => Address): Address {
  if (a.kind === 'ShortCode') {
    const v = a.value.trim();
    if (!/^[0-9A-Za-z]{1,16}$/.test(v)) throw new Error(`invalid short code ${JSON.stringify(a.value)}`);
    return { type: 'shortcode', value: v };
  }
  if (a.kind === 'RFC2822Address') {
    // "Name <user@host>" is allowed in RFC 2822; keep the address.
    const angle = /<([^>]+)>/.exec(a.value);
    const parsed = parse(angle ? angle[1]! : a.value);
    if (parsed.type !== 'email') throw new Error(`not an e-mail address: ${JSON.stringify(a.value)}`);
    return parsed;
  }
  const parsed = parse(a.value);
  if (parsed.type === 'email') throw new Error(`not a number: ${JSON.stringify(a.value)}`);
  return parsed;
}

export function recipientsOf(headers: Pick<MmsHeaders, 'to' | 'cc' | 'bcc'>): Mm7Recipients {
  return { to: headers.to.map(toMm7Address), cc: headers.cc.map(toMm7Address), bcc: headers.bcc.map(toMm7Address) };
}

/** Leaves of a MIME tree, in order (nested multiparts flattened). */
export function leaves(entity: MimeEntity): MimeEntity[] {
  if (!entity.parts) return [entity];
  return entity.parts.flatMap(leaves);
}

function filenameOf(entity: MimeEntity): string | undefined {
  const disposition = entity.headers['content-disposition'];
  if (disposition) {
    const p = parseContentType(`x/x; ${disposition.replace(/^[^;]*;?/, '')}`).params;
    if (p.filename) return p.filename;
  }
  return entity.contentType.params.name;
}

/** The MMS parts and top-level content type of an MM7 content entity. */
export function partsFromContent(content: MimeEntity | undefined): { parts: MmsPart[]; contentType: ContentType } {
  if (!content) return { parts: [], contentType: { type: 'application/vnd.wap.multipart.mixed', params: {} } };
  const parts: MmsPart[] = leaves(content).map((entity) => {
    const part: MmsPart = { contentType: entity.contentType, data: new Uint8Array(entity.body.buffer, entity.body.byteOffset, entity.body.byteLength) };
    const id = bareId(entity.headers['content-id']);
    if (id) part.contentId = id;
    const location = entity.headers['content-location'] ?? filenameOf(entity);
    if (location) part.contentLocation = location;
    if (entity.headers['content-disposition']) part.contentDisposition = entity.headers['content-disposition'];
    return part;
  });
  const ct = content.contentType;
  const smil = parts.find((p) => p.contentType.type === 'application/smil');
  if (ct.type === 'multipart/related' && smil) {
    const params: Record<string, string> = { type: 'application/smil' };
    const start = ct.params.start ?? (smil.contentId ? `<${smil.contentId}>` : undefined);
    if (start) params.start = start;
    return { parts, contentType: { type: 'application/vnd.wap.multipart.related', params } };
  }
  return { parts, contentType: { type: 'application/vnd.wap.multipart.mixed', params: {} } };
}

export function partsSize(parts: readonly MmsPart[]): number {
  let n = 0;
  for (const p of parts) n += p.data.byteLength;
  return n;
}

const yesNo = (b: boolean) => (b ? 'Yes' : 'No');

/** SubmitReq elements the kernel does not model, kept as headers for MM1 and CDRs. */
export function extraHeaders(req: SubmitReq, vaspId: string): Record<string, string> {
  const extra: Record<string, string> = { 'X-Mm7-VASP-ID': vaspId };
  const set = (k: string, v: string | undefined) => {
    if (v !== undefined && v !== '') extra[k] = v;
  };
  set('X-Mm7-VAS-ID', req.senderIdentification.vasId);
  set('X-Mm7-Linked-ID', req.linkedId);
  set('X-Mm7-Service-Code', req.serviceCode);
  set('X-Mm7-Charged-Party', req.chargedParty);
  set('X-Mm7-Charged-Party-ID', req.chargedPartyId);
  if (req.distributionIndicator !== undefined) extra['X-Mms-Distribution-Indicator'] = yesNo(req.distributionIndicator);
  set('X-Mms-Applic-ID', req.applicId);
  set('X-Mms-Reply-Applic-ID', req.replyApplicId);
  set('X-Mms-Aux-Applic-Info', req.auxApplicInfo);
  set('X-Mms-Content-Class', req.contentClass);
  if (req.drmContent !== undefined) extra['X-Mms-DRM-Content'] = yesNo(req.drmContent);
  if (req.replyCharging) {
    extra['X-Mms-Reply-Charging'] = 'Requested';
    if (req.replyCharging.size !== undefined) extra['X-Mms-Reply-Charging-Size'] = String(req.replyCharging.size);
    set('X-Mms-Reply-Charging-Deadline', req.replyCharging.deadline);
  }
  return extra;
}
