import type { DeliveryReportReq, DetailItem, Mm7Address, Mm7Body, Mm7Recipients, Mm7Status, ReadReplyReq, SenderIdentification, SoapFault } from './model.js';
import { type Release, SOAP_ENV_NS, versionFor } from './releases.js';
import { escapeXml } from '@openmmsc/mime';
import { el, writeNode, type XNode } from './xml.js';

/** Namespace of the per-recipient outcomes we put in Status/Details (lax content in every release). */
export const OPENMMSC_DETAILS_NS = 'urn:openmmsc:mm7';

/**
 * How an envelope is spelled. Real MMSCs and VASPs differ: some want `env:`, some `soap:` or
 * `SOAP-ENV:`, some none at all; some want MM7 elements prefixed, others in a default namespace.
 */
export interface Dialect {
  /** Prefix of SOAP envelope elements; '' writes `<Envelope xmlns="…">`. */
  envelopePrefix: string;
  /** Prefix of MM7 elements; '' puts them in a default namespace on the body element. */
  mm7Prefix: string;
  /** Write `<?xml version="1.0" encoding="UTF-8"?>` first. */
  xmlDeclaration: boolean;
  /** Put `mustUnderstand="1"` on TransactionID (where the release allows attributes on it). */
  mustUnderstand: boolean;
}

export const DEFAULT_DIALECT: Dialect = { envelopePrefix: 'env', mm7Prefix: 'mm7', xmlDeclaration: true, mustUnderstand: true };

const bool = (b: boolean) => (b ? 'true' : 'false');

function opt(out: XNode[], name: string, value: string | number | boolean | undefined): void {
  if (value === undefined || value === '') return;
  out.push(el(name, typeof value === 'boolean' ? bool(value) : String(value)));
}

/** NMTOKEN releases cannot carry `+` or spaces in numbers and ids. */
function token(value: string, r: Release): string {
  return r.nmtokens ? value.replace(/[^A-Za-z0-9._:-]/g, '') : value;
}

function addressChoice(a: Mm7Address, r: Release): XNode {
  const value = a.kind === 'RFC2822Address' ? a.value : token(a.value, r);
  return el(a.kind, value, a.displayOnly ? { displayOnly: 'true' } : undefined);
}

function addressNode(name: string, a: Mm7Address, r: Release): XNode {
  return el(name, [addressChoice(a, r)]);
}

function recipientsNode(rc: Mm7Recipients, r: Release): XNode {
  const children: XNode[] = [];
  if (rc.to.length) children.push(el('To', rc.to.map((a) => addressChoice(a, r))));
  if (rc.cc.length) children.push(el('Cc', rc.cc.map((a) => addressChoice(a, r))));
  if (rc.bcc.length) children.push(el('Bcc', rc.bcc.map((a) => addressChoice(a, r))));
  return el('Recipients', children);
}

function senderIdentification(s: SenderIdentification, r: Release): XNode {
  const children: XNode[] = [];
  if (s.vaspId) children.push(el('VASPID', token(s.vaspId, r)));
  if (s.vasId) children.push(el('VASID', token(s.vasId, r)));
  if (s.senderAddress) {
    children.push(r.senderAddressIsString ? el('SenderAddress', s.senderAddress.value) : addressNode('SenderAddress', s.senderAddress, r));
  }
  return el('SenderIdentification', children);
}

function applic(out: XNode[], b: { applicId?: string; replyApplicId?: string; auxApplicInfo?: string }, r: Release): void {
  if (!r.rel614) return;
  opt(out, 'ApplicID', b.applicId);
  opt(out, 'ReplyApplicID', b.replyApplicId);
  opt(out, 'AuxApplicInfo', b.auxApplicInfo);
}

function contentNode(out: XNode[], c: { href: string; allowAdaptations?: boolean } | undefined): void {
  if (!c) return;
  const attrs: Record<string, string> = { href: c.href };
  if (c.allowAdaptations !== undefined) attrs.allowAdaptations = bool(c.allowAdaptations);
  out.push(el('Content', undefined, attrs));
}

function detailNodes(details: readonly DetailItem[] | undefined, extra: XNode[] = []): XNode[] {
  const nodes: XNode[] = [...extra];
  for (const d of details ?? []) {
    const attrs: Record<string, string> = { 'xmlns:om': OPENMMSC_DETAILS_NS, address: d.address, code: String(d.code) };
    if (d.text) attrs.text = d.text;
    nodes.push(el('om:RecipientStatus', undefined, attrs));
  }
  return nodes;
}

function statusNode(s: Mm7Status, extraDetails: XNode[] = []): XNode {
  const children = [el('StatusCode', String(s.code)), el('StatusText', s.text || ' ')];
  const details = detailNodes(s.details, extraDetails);
  if (details.length) children.push(el('Details', details));
  return el('Status', children);
}

function mmStatus(status: string, r: Release): string {
  if (r.deliveryStatuses.includes(status)) return status;
  return 'Indeterminate';
}

/** REL-6-MM7-1-4 and later: what kind of content and whether it is DRM protected. */
function contentClass(out: XNode[], b: { contentClass?: string; drmContent?: boolean }, r: Release): void {
  if (!r.rel614) return;
  opt(out, 'ContentClass', b.contentClass);
  opt(out, 'DRMContent', b.drmContent);
}

/** What a delivery report and a read reply are about: the relay, the message, its recipient and sender. */
function reportParties(out: XNode[], b: DeliveryReportReq | ReadReplyReq, r: Release): void {
  opt(out, 'MMSRelayServerID', b.relayServerId && token(b.relayServerId, r));
  out.push(el('MessageID', token(b.messageId, r)));
  out.push(addressNode('Recipient', b.recipient, r));
  out.push(addressNode('Sender', b.sender, r));
}

function reportTail(out: XNode[], b: DeliveryReportReq | ReadReplyReq, r: Release): void {
  opt(out, 'StatusText', b.statusText);
  applic(out, b, r);
}

/** The body element of an MM7 message for a release; elements the release lacks are left out. */
export function encodeBody(body: Mm7Body, r: Release, requestedVersion?: string): XNode {
  const c: XNode[] = [el('MM7Version', versionFor(r, requestedVersion))];
  switch (body.type) {
    case 'SubmitReq': {
      c.push(senderIdentification(body.senderIdentification, r));
      c.push(recipientsNode(body.recipients, r));
      opt(c, 'ServiceCode', body.serviceCode);
      opt(c, 'LinkedID', body.linkedId && token(body.linkedId, r));
      opt(c, 'MessageClass', body.messageClass);
      opt(c, 'TimeStamp', body.timeStamp);
      if (body.replyCharging) {
        const attrs: Record<string, string> = {};
        if (body.replyCharging.size !== undefined) attrs.replyChargingSize = String(body.replyCharging.size);
        if (body.replyCharging.deadline !== undefined) attrs.replyDeadline = body.replyCharging.deadline;
        c.push(el('ReplyCharging', undefined, attrs));
      }
      opt(c, 'EarliestDeliveryTime', body.earliestDeliveryTime);
      opt(c, 'ExpiryDate', body.expiryDate);
      opt(c, 'DeliveryReport', body.deliveryReport);
      opt(c, 'ReadReply', body.readReply);
      opt(c, 'Priority', body.priority);
      opt(c, 'Subject', body.subject);
      if (body.chargedParty && r.chargedParties.includes(body.chargedParty)) opt(c, 'ChargedParty', body.chargedParty);
      if (r.rel6) opt(c, 'ChargedPartyID', body.chargedPartyId);
      opt(c, r.distributionElement, body.distributionIndicator);
      if (r.deliveryCondition && body.deliveryCondition?.length) {
        c.push(r.rel614 ? el('DeliveryCondition', body.deliveryCondition.map((n) => el('DC', String(n)))) : el('DeliveryCondition', body.deliveryCondition.join(' ')));
      }
      applic(c, body, r);
      contentClass(c, body, r);
      contentNode(c, body.content);
      break;
    }
    case 'DeliverReq': {
      opt(c, 'MMSRelayServerID', body.relayServerId && token(body.relayServerId, r));
      if (r.rel614) {
        opt(c, 'VASPID', body.vaspId);
        opt(c, 'VASID', body.vasId);
      }
      opt(c, 'LinkedID', body.linkedId && token(body.linkedId, r));
      c.push(addressNode('Sender', body.sender, r));
      if (body.recipients) c.push(recipientsNode(body.recipients, r));
      opt(c, 'TimeStamp', body.timeStamp);
      const replyChargingId = body.replyChargingId ?? (r.deliverReplyChargingIdRequired ? body.linkedId : undefined);
      if (replyChargingId) c.push(el('ReplyChargingID', token(replyChargingId, r)));
      else if (r.deliverReplyChargingIdRequired) c.push(el('ReplyChargingID', 'none'));
      opt(c, 'Priority', body.priority);
      opt(c, 'Subject', body.subject);
      applic(c, body, r);
      contentNode(c, body.content);
      break;
    }
    case 'CancelReq':
      c.push(senderIdentification(body.senderIdentification, r));
      c.push(el('MessageID', token(body.messageId, r)));
      applic(c, body, r);
      break;
    case 'ReplaceReq':
      c.push(senderIdentification(body.senderIdentification, r));
      c.push(el('MessageID', token(body.messageId, r)));
      opt(c, 'ServiceCode', body.serviceCode);
      opt(c, 'TimeStamp', body.timeStamp);
      opt(c, 'ReadReply', body.readReply);
      opt(c, 'EarliestDeliveryTime', body.earliestDeliveryTime);
      opt(c, r.distributionElement, body.distributionIndicator);
      contentClass(c, body, r);
      applic(c, body, r);
      contentNode(c, body.content);
      break;
    case 'extendedCancelReq':
      c.push(senderIdentification(body.senderIdentification, r));
      c.push(el('CancelID', body.cancelId));
      break;
    case 'extendedReplaceReq':
      opt(c, 'VASPID', body.vaspId);
      opt(c, 'VASID', body.vasId);
      opt(c, 'ServiceCode', body.serviceCode);
      opt(c, 'ReplaceID', body.replaceId);
      opt(c, 'TimeStamp', body.timeStamp);
      opt(c, 'EarliestDeliveryTime', body.earliestDeliveryTime);
      opt(c, 'ExpiryDate', body.expiryDate);
      opt(c, 'ReadReply', body.readReply);
      opt(c, 'DeliveryReport', body.deliveryReport);
      contentNode(c, body.content);
      break;
    case 'DeliveryReportReq':
      reportParties(c, body, r);
      c.push(el(r.deliveryReportDate, body.date));
      c.push(el('MMStatus', mmStatus(body.mmStatus, r)));
      if (r.rel6) opt(c, 'MMStatusExtension', body.mmStatusExtension);
      reportTail(c, body, r);
      break;
    case 'ReadReplyReq':
      reportParties(c, body, r);
      c.push(el('TimeStamp', body.timeStamp));
      c.push(el('MMStatus', ['Indeterminate', 'Read', 'Deleted'].includes(body.mmStatus) ? body.mmStatus : 'Indeterminate'));
      reportTail(c, body, r);
      break;
    case 'SubmitRsp': {
      if (r.submitRspMessageId) {
        c.push(statusNode(body.status));
        c.push(el('MessageID', token(body.messageId ?? '', r) || 'none'));
      } else {
        // REL-5-MM7-1-0's SubmitRsp has no MessageID: carry it in Status/Details instead.
        const extra = body.messageId ? [el('om:MessageID', body.messageId, { 'xmlns:om': OPENMMSC_DETAILS_NS })] : [];
        c.push(statusNode(body.status, extra));
      }
      break;
    }
    case 'DeliverRsp':
      c.push(statusNode(body.status));
      if (r.deliverRspServiceCode) opt(c, 'ServiceCode', body.serviceCode);
      break;
    case 'extendedCancelRsp':
      c.push(el('Status', [el('StatusCode', String(body.status.code))]));
      break;
    case 'extendedReplaceRsp':
      c.push(el('MessageID', body.messageId));
      c.push(el('Status', [el('StatusCode', String(body.status.code))]));
      break;
    default:
      c.push(statusNode(body.status));
  }
  return el(body.type, c);
}

export interface EnvelopeInput {
  release: Release;
  transactionId?: string;
  /** MM7Version of the request being answered, echoed when the release knows it. */
  version?: string;
  dialect?: Dialect;
  body: Mm7Body | { type: 'Fault'; fault: SoapFault };
}

/** Writes a complete SOAP 1.1 envelope carrying one MM7 message (or a fault). */
export function writeEnvelope(input: EnvelopeInput): string {
  const d = input.dialect ?? DEFAULT_DIALECT;
  const r = input.release;
  const ep = d.envelopePrefix ? `${d.envelopePrefix}:` : '';
  const mp = d.mm7Prefix ? `${d.mm7Prefix}:` : '';
  const out: string[] = [];
  if (d.xmlDeclaration) out.push('<?xml version="1.0" encoding="UTF-8"?>\n');
  const envAttrs = ep ? ` xmlns:${d.envelopePrefix}="${SOAP_ENV_NS}"` : ` xmlns="${SOAP_ENV_NS}"`;
  // With both prefixed, the MM7 namespace is declared once on the envelope.
  const mm7OnEnvelope = ep !== '' && mp !== '';
  out.push(`<${ep}Envelope${envAttrs}${mm7OnEnvelope ? ` xmlns:${d.mm7Prefix}="${r.namespace}"` : ''}>`);
  const mm7Decl = mm7OnEnvelope ? '' : mp ? ` xmlns:${d.mm7Prefix}="${r.namespace}"` : ` xmlns="${r.namespace}"`;
  if (input.transactionId !== undefined) {
    let mu = '';
    if (d.mustUnderstand && !r.nmtokens) mu = ep ? ` ${d.envelopePrefix}:mustUnderstand="1"` : ` xmlns:soapenv="${SOAP_ENV_NS}" soapenv:mustUnderstand="1"`;
    const tid = escapeXml(r.nmtokens ? token(input.transactionId, r) : input.transactionId);
    out.push(`<${ep}Header><${mp}TransactionID${mm7Decl}${mu}>${tid}</${mp}TransactionID></${ep}Header>`);
  }
  out.push(`<${ep}Body>`);
  if (input.body.type === 'Fault') {
    const f = input.body.fault;
    const unq = ep ? '' : ' xmlns=""';
    const codePrefix = ep ? d.envelopePrefix : 'soapenv';
    out.push(`<${ep}Fault${ep ? '' : ` xmlns:soapenv="${SOAP_ENV_NS}"`}>`);
    out.push(`<faultcode${unq}>${codePrefix}:${f.faultcode}</faultcode>`);
    out.push(`<faultstring${unq}>${escapeXml(f.faultstring)}</faultstring>`);
    if (f.detail) {
      out.push(`<detail${unq}>`);
      pushBody(out, encodeBody(f.detail, r, input.version), mp, mm7Decl);
      out.push('</detail>');
    }
    out.push(`</${ep}Fault>`);
  } else {
    pushBody(out, encodeBody(input.body, r, input.version), mp, mm7Decl);
  }
  out.push(`</${ep}Body></${ep}Envelope>`);
  return out.join('');
}

function pushBody(out: string[], node: XNode, prefix: string, decl: string): void {
  const parts = writeNode(node, prefix);
  // parts = ['<', name, …attrs…, '>' | '/>', …]: insert the declaration after the name.
  parts.splice(2, 0, decl);
  out.push(...parts);
}
