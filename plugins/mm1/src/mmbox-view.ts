import { encodePdu, type FieldName, type MboxDescr, type MboxViewConf, type MboxViewReq, type WspPart as CodecPart, type ResponseStatus } from '@openmmsc/codec';
import { partsToBody, toEncodedAddress, toEncodedString } from './convert.js';
import type { Dialect } from './dialects.js';
import { PDU_TYPE } from './http-answer.js';
import type { Identity } from './identity.js';
import { totalsOf, type BoxEntry } from './mmbox-index.js';
import { requestedState } from './mmbox.js';
import type { Mm1 } from './mm1.js';

/** What each m-mbox-descr tells when the request names no X-Mms-Attributes. */
export const DEFAULT_ATTRIBUTES: readonly FieldName[] = ['date', 'from', 'to', 'cc', 'subject', 'messageClass', 'priority', 'messageSize'];

/** The entries a view asks for: by Content-Location, MM-State and MM-Flags keywords (all must hold), oldest first. */
function select(mm1: Mm1, entries: readonly BoxEntry[], pdu: MboxViewReq): BoxEntry[] {
  let out = [...entries];
  if (pdu.contentLocations?.length) {
    const ids = new Set(pdu.contentLocations.map((l) => mm1.mmbox.idFromUrl(l)).filter((x): x is string => x !== undefined));
    out = out.filter((e) => ids.has(e.id));
  }
  const states = (pdu.mmStates ?? []).map(requestedState).filter((s) => s !== undefined);
  if (states.length) out = out.filter((e) => states.includes(e.state));
  const keywords = (pdu.mmFlags ?? []).map((f) => f.keyword.text).filter(Boolean);
  if (keywords.length) out = out.filter((e) => keywords.every((k) => e.flags.includes(k)));
  return out;
}

/** One entry as an m-mbox-descr: always its location, Message-ID, MM-State and MM-Flags, then the attributes asked for. */
async function describe(mm1: Mm1, owner: string, entry: BoxEntry, attributes: readonly (FieldName | number)[], version: string, dialect?: Dialect): Promise<MboxDescr | undefined> {
  const message = await mm1.ctx.mmsc.getMessage(entry.id);
  if (!message) return undefined;
  const h = message.headers;
  const d: MboxDescr = {
    messageType: 'm-mbox-descr',
    mmsVersion: version,
    contentLocation: mm1.mmbox.location(entry.id, dialect),
    messageId: h.messageId ?? message.id,
    mmState: entry.state,
  };
  if (entry.flags.length) d.mmFlags = entry.flags.map((k) => ({ action: 'add', keyword: toEncodedString({ text: k }) }));
  const ownSent = h.from.value === owner;
  for (const a of attributes) {
    switch (a) {
      case 'date':
        d.date = h.date ?? new Date(message.receivedAt);
        break;
      case 'from':
        if (h.senderVisibility !== 'hide' || ownSent) d.from = toEncodedAddress(h.from);
        break;
      case 'to':
        if (h.to.length) d.to = h.to.map(toEncodedAddress);
        break;
      case 'cc':
        if (h.cc.length) d.cc = h.cc.map(toEncodedAddress);
        break;
      case 'bcc':
        if (ownSent && h.bcc.length) d.bcc = h.bcc.map(toEncodedAddress);
        break;
      case 'subject':
        if (h.subject) d.subject = toEncodedString(h.subject);
        break;
      case 'messageClass':
        d.messageClass = h.messageClass ?? 'personal';
        break;
      case 'priority':
        if (h.priority) d.priority = h.priority;
        break;
      case 'messageSize':
        d.messageSize = message.size;
        break;
      case 'deliveryReport':
        if (h.deliveryReport !== undefined) d.deliveryReport = h.deliveryReport;
        break;
      case 'readReport':
        if (h.readReport !== undefined) d.readReport = h.readReport;
        break;
      case 'deliveryTime':
        if (h.deliveryTime) d.deliveryTime = { absolute: h.deliveryTime };
        break;
      case 'expiry':
        d.expiry = { absolute: new Date(entry.expiresAt) };
        break;
      case 'content': {
        const parts = await mm1.ctx.mmsc.getParts(entry.id);
        if (parts) d.body = partsToBody(h.contentType, parts);
        break;
      }
      default:
        break;
    }
  }
  return d;
}

/**
 * m-mbox-view-req: lists the subscriber's MMBox with the filters the spec defines (Content-Location,
 * MM-State, MM-Flags), from X-Mms-Start (0 is the first) at most X-Mms-Limit entries, each an
 * m-mbox-descr in the multipart body, with X-Mms-Mbox-Totals and X-Mms-Mbox-Quotas when asked.
 * The selection parameters are echoed; entries past `mmbox.maxViewSize` are left out.
 */
export async function mboxViewReq(mm1: Mm1, pdu: MboxViewReq, identity: Identity, dialect?: Dialect): Promise<MboxViewConf> {
  const version = mm1.version(pdu.mmsVersion);
  const conf: MboxViewConf = { messageType: 'm-mbox-view-conf', transactionId: pdu.transactionId ?? '', mmsVersion: version, responseStatus: 'ok' };
  const refuse = (status: ResponseStatus, text: string): MboxViewConf => ({ ...conf, responseStatus: status, responseText: { text } });
  if (identity.kind !== 'trusted') return refuse('error-permanent-service-denied', 'not authenticated');
  if (!mm1.o.mmbox.enabled) return refuse('error-permanent-service-denied', 'this MMSC keeps no MMBox');
  const owner = identity.address.value;
  const entries = await mm1.mmbox.index.list(owner);
  if (pdu.contentLocations?.length) conf.contentLocations = pdu.contentLocations;
  if (pdu.mmStates?.length) conf.mmStates = pdu.mmStates;
  if (pdu.mmFlags?.length) conf.mmFlags = pdu.mmFlags;
  if (pdu.start !== undefined) conf.start = pdu.start;
  if (pdu.limit !== undefined) conf.limit = pdu.limit;
  if (pdu.attributes?.length) conf.attributes = pdu.attributes;
  if (pdu.totals) conf.mboxTotals = totalsOf(entries);
  if (pdu.quotas) conf.mboxQuotas = mm1.subscribers.mmboxQuota(owner);

  const selected = select(mm1, entries, pdu);
  const start = pdu.start ?? 0;
  const page = selected.slice(start, pdu.limit === undefined ? undefined : start + pdu.limit);
  const attributes = pdu.attributes?.length ? pdu.attributes : DEFAULT_ATTRIBUTES;
  let budget = mm1.o.mmbox.maxViewSize - encodePdu(conf, { lenient: true }).length;
  const parts: CodecPart[] = [];
  for (const entry of page) {
    const descr = await describe(mm1, owner, entry, attributes, version, dialect);
    if (!descr) continue;
    const bytes = encodePdu(descr, { lenient: true });
    // Each multipart entry costs its bytes plus a few octets of lengths and content type.
    if (bytes.length + 8 > budget) break;
    budget -= bytes.length + 8;
    parts.push({ contentType: { type: PDU_TYPE, params: {} }, headers: {}, data: bytes });
  }
  conf.messageCount = parts.length;
  if (parts.length) conf.body = { contentType: { type: 'application/vnd.wap.multipart.mixed', params: {} }, parts };
  if (page.length > parts.length) {
    mm1.ctx.log.debug({ owner, asked: page.length, listed: parts.length }, 'm-mbox-view-conf shortened to mmbox.maxViewSize');
  }
  return conf;
}
