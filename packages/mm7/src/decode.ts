import type {
  ContentReference,
  DetailItem,
  Mm7Address,
  Mm7Body,
  Mm7Recipients,
  Mm7Status,
  MessageClassValue,
  PriorityValue,
  ReadReplyReq,
  SenderIdentification,
  GenericRspType,
} from './model.js';
import type { Release } from './releases.js';
import type { DecodeWarning } from './warnings.js';
import { attr, child, list, obj, text, type XmlObject, type XmlValue } from './xml.js';

/**
 * A request we cannot read; `status` is the MM7 status code to answer with. What was read
 * before the failure (TransactionID, release, version) travels with it, so the fault can echo it.
 */
export class Mm7DecodeError extends Error {
  readonly status: number;
  readonly faultcode: 'Client' | 'Server' | 'VersionMismatch';
  transactionId?: string;
  release?: Release;
  version?: string;
  /** Deviations accepted before the failure. */
  warnings?: DecodeWarning[];
  constructor(status: number, message: string, faultcode: 'Client' | 'Server' | 'VersionMismatch' = 'Client') {
    super(message);
    this.name = 'Mm7DecodeError';
    this.status = status;
    this.faultcode = faultcode;
  }
}

function fail(message: string): never {
  throw new Mm7DecodeError(4004, message);
}

/** Trimmed text of a child element, if present. */
export function str(node: XmlObject, name: string): string | undefined {
  const v = node[name];
  if (v === undefined) return undefined;
  return text(v)?.trim();
}

function required(node: XmlObject, name: string, where: string): string {
  const v = str(node, name);
  if (v === undefined || v === '') fail(`${where}: ${name} is required`);
  return v;
}

function boolean(node: XmlObject, name: string): boolean | undefined {
  const v = str(node, name);
  if (v === undefined) return undefined;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return fail(`${name} must be true or false, not ${JSON.stringify(v)}`);
}

function guessKind(value: string): Mm7Address['kind'] {
  if (value.includes('@')) return 'RFC2822Address';
  return /^\d{1,6}$/.test(value) ? 'ShortCode' : 'Number';
}

function addressesIn(node: XmlValue | undefined): Mm7Address[] {
  const o = obj(node);
  if (!o) return [];
  const out: Mm7Address[] = [];
  for (const kind of ['Number', 'RFC2822Address', 'ShortCode'] as const) {
    for (const a of list(o[kind])) {
      const value = text(a)?.trim() ?? '';
      if (!value) fail(`empty ${kind}`);
      const displayOnly = attr(a, 'displayOnly');
      out.push(displayOnly === 'true' || displayOnly === '1' ? { kind, value, displayOnly: true } : { kind, value });
    }
  }
  return out;
}

function address(node: XmlObject, name: string, where: string, optional = false): Mm7Address | undefined {
  const v = node[name];
  if (v === undefined) {
    if (optional) return undefined;
    fail(`${where}: ${name} is required`);
  }
  if (typeof v === 'string' || (obj(v) && Object.keys(obj(v)!).every((k) => k === '#text' || k.startsWith('@')))) {
    // REL-5-MM7-1-0/1-1 SenderAddress is a plain string.
    const value = text(v)?.trim() ?? '';
    if (!value) return optional ? undefined : fail(`${where}: ${name} is empty`);
    return { kind: guessKind(value), value };
  }
  const found = addressesIn(v);
  if (found.length !== 1) fail(`${where}: ${name} must hold exactly one Number, RFC2822Address or ShortCode`);
  return found[0];
}

/** No address to send to is an Address Error (2002), like a list of addresses none of which is valid. */
function noRecipient(message: string): never {
  throw new Mm7DecodeError(2002, message);
}

function recipients(node: XmlObject, where: string, optional = false): Mm7Recipients | undefined {
  const r = obj(node.Recipients);
  if (!r) return optional ? undefined : noRecipient(`${where}: Recipients is required`);
  const out: Mm7Recipients = { to: [], cc: [], bcc: [] };
  for (const t of list(r.To)) out.to.push(...addressesIn(t));
  for (const t of list(r.Cc)) out.cc.push(...addressesIn(t));
  for (const t of list(r.Bcc)) out.bcc.push(...addressesIn(t));
  if (!optional && out.to.length + out.cc.length + out.bcc.length === 0) noRecipient(`${where}: Recipients has no address`);
  return out;
}

function senderIdentification(node: XmlObject, where: string): SenderIdentification {
  if (node.SenderIdentification === undefined) fail(`${where}: SenderIdentification is required`);
  const s = obj(node.SenderIdentification) ?? {};
  const out: SenderIdentification = {};
  const vaspId = str(s, 'VASPID');
  const vasId = str(s, 'VASID');
  const sender = address(s, 'SenderAddress', where, true);
  if (vaspId) out.vaspId = vaspId;
  if (vasId) out.vasId = vasId;
  if (sender) out.senderAddress = sender;
  return out;
}

function content(node: XmlObject): ContentReference | undefined {
  const c = node.Content;
  if (c === undefined) return undefined;
  const href = attr(c, 'href');
  if (!href) fail('Content needs an href attribute');
  const allow = attr(c, 'allowAdaptations');
  return allow === undefined ? { href } : { href, allowAdaptations: allow === 'true' || allow === '1' };
}

function enumValue<T extends string>(node: XmlObject, name: string, values: readonly T[]): T | undefined {
  const v = str(node, name);
  if (v === undefined) return undefined;
  const found = values.find((x) => x.toLowerCase() === v.toLowerCase());
  if (!found) fail(`${name} must be one of ${values.join(', ')}, not ${JSON.stringify(v)}`);
  return found;
}

function applic(node: XmlObject): { applicId?: string; replyApplicId?: string; auxApplicInfo?: string } {
  const out: { applicId?: string; replyApplicId?: string; auxApplicInfo?: string } = {};
  const a = str(node, 'ApplicID');
  const b = str(node, 'ReplyApplicID');
  const c = str(node, 'AuxApplicInfo');
  if (a) out.applicId = a;
  if (b) out.replyApplicId = b;
  if (c) out.auxApplicInfo = c;
  return out;
}

function status(node: XmlObject, where: string): Mm7Status {
  const s = obj(node.Status);
  if (!s) fail(`${where}: Status is required`);
  const codeText = required(s, 'StatusCode', where);
  const code = Number.parseInt(codeText, 10);
  if (!Number.isFinite(code) || code <= 0) fail(`${where}: StatusCode ${JSON.stringify(codeText)} is not a status code`);
  const out: Mm7Status = { code, text: str(s, 'StatusText') ?? '' };
  const details = obj(s.Details);
  if (details) {
    const items: DetailItem[] = [];
    for (const d of list(details.RecipientStatus)) {
      const address = attr(d, 'address');
      const c = Number.parseInt(attr(d, 'code') ?? '', 10);
      if (!address || !Number.isFinite(c)) continue;
      const t = attr(d, 'text');
      items.push(t ? { address, code: c, text: t } : { address, code: c });
    }
    if (items.length) out.details = items;
  }
  return out;
}

function assign<T extends object>(target: T, values: Record<string, unknown>): T {
  for (const [k, v] of Object.entries(values)) if (v !== undefined) (target as Record<string, unknown>)[k] = v;
  return target;
}

/** What a delivery report and a read reply share: the message, its recipient and sender, the MM status. */
function reportOf(node: XmlObject, where: string): Omit<ReadReplyReq, 'type' | 'timeStamp'> {
  return assign<Omit<ReadReplyReq, 'type' | 'timeStamp'>>(
    {
      messageId: required(node, 'MessageID', where),
      recipient: address(node, 'Recipient', where)!,
      sender: address(node, 'Sender', where)!,
      mmStatus: required(node, 'MMStatus', where),
    },
    { relayServerId: str(node, 'MMSRelayServerID'), statusText: str(node, 'StatusText'), ...applic(node) },
  );
}

const MESSAGE_CLASSES: readonly MessageClassValue[] = ['Personal', 'Informational', 'Advertisement', 'Auto'];
const PRIORITIES: readonly PriorityValue[] = ['Normal', 'High', 'Low'];

/** Decodes one body element (already prefix-free) by its local name. */
export function decodeBody(type: string, node: XmlObject): Mm7Body {
  switch (type) {
    case 'SubmitReq': {
      const rc = obj(node.ReplyCharging);
      const dc = node.DeliveryCondition;
      let deliveryCondition: number[] | undefined;
      if (dc !== undefined) {
        const values = typeof dc === 'string' ? dc.split(/\s+/) : list(child(dc, 'DC')).map((x) => text(x) ?? '');
        deliveryCondition = values.filter(Boolean).map((v) => Number.parseInt(v, 10)).filter((n) => Number.isFinite(n));
      }
      const replyCharging = rc
        ? assign({} as { size?: number; deadline?: string }, {
            size: attr(rc, 'replyChargingSize') ? Number.parseInt(attr(rc, 'replyChargingSize')!, 10) : undefined,
            deadline: attr(rc, 'replyDeadline'),
          })
        : undefined;
      return assign(
        { type: 'SubmitReq', senderIdentification: senderIdentification(node, type), recipients: recipients(node, type)! },
        {
          serviceCode: str(node, 'ServiceCode'),
          linkedId: str(node, 'LinkedID'),
          messageClass: enumValue(node, 'MessageClass', MESSAGE_CLASSES),
          timeStamp: str(node, 'TimeStamp'),
          replyCharging,
          earliestDeliveryTime: str(node, 'EarliestDeliveryTime'),
          expiryDate: str(node, 'ExpiryDate'),
          deliveryReport: boolean(node, 'DeliveryReport'),
          readReply: boolean(node, 'ReadReply'),
          priority: enumValue(node, 'Priority', PRIORITIES),
          subject: node.Subject === undefined ? undefined : (text(node.Subject) ?? ''),
          chargedParty: str(node, 'ChargedParty'),
          chargedPartyId: str(node, 'ChargedPartyID'),
          distributionIndicator: boolean(node, 'DistributionIndicator') ?? boolean(node, 'DistributionProtection'),
          deliveryCondition,
          contentClass: str(node, 'ContentClass'),
          drmContent: boolean(node, 'DRMContent'),
          content: content(node),
          ...applic(node),
        },
      );
    }
    case 'DeliverReq':
      return assign(
        { type: 'DeliverReq', sender: address(node, 'Sender', type)! },
        {
          relayServerId: str(node, 'MMSRelayServerID'),
          vaspId: str(node, 'VASPID'),
          vasId: str(node, 'VASID'),
          linkedId: str(node, 'LinkedID'),
          recipients: recipients(node, type, true),
          timeStamp: str(node, 'TimeStamp'),
          replyChargingId: str(node, 'ReplyChargingID'),
          priority: enumValue(node, 'Priority', PRIORITIES),
          subject: node.Subject === undefined ? undefined : (text(node.Subject) ?? ''),
          content: content(node),
          ...applic(node),
        },
      );
    case 'CancelReq':
      return assign({ type: 'CancelReq', senderIdentification: senderIdentification(node, type), messageId: required(node, 'MessageID', type) }, applic(node));
    case 'ReplaceReq':
      return assign(
        { type: 'ReplaceReq', senderIdentification: senderIdentification(node, type), messageId: required(node, 'MessageID', type) },
        {
          serviceCode: str(node, 'ServiceCode'),
          timeStamp: str(node, 'TimeStamp'),
          readReply: boolean(node, 'ReadReply'),
          earliestDeliveryTime: str(node, 'EarliestDeliveryTime'),
          distributionIndicator: boolean(node, 'DistributionIndicator') ?? boolean(node, 'DistributionProtection'),
          contentClass: str(node, 'ContentClass'),
          drmContent: boolean(node, 'DRMContent'),
          content: content(node),
          ...applic(node),
        },
      );
    case 'extendedCancelReq':
      return { type: 'extendedCancelReq', senderIdentification: senderIdentification(node, type), cancelId: required(node, 'CancelID', type) };
    case 'extendedReplaceReq':
      return assign(
        { type: 'extendedReplaceReq' },
        {
          vaspId: str(node, 'VASPID'),
          vasId: str(node, 'VASID'),
          serviceCode: str(node, 'ServiceCode'),
          replaceId: str(node, 'ReplaceID'),
          timeStamp: str(node, 'TimeStamp'),
          earliestDeliveryTime: str(node, 'EarliestDeliveryTime'),
          expiryDate: str(node, 'ExpiryDate'),
          readReply: boolean(node, 'ReadReply'),
          deliveryReport: boolean(node, 'DeliveryReport'),
          content: content(node),
        },
      );
    case 'DeliveryReportReq':
      return assign(
        { type: 'DeliveryReportReq', ...reportOf(node, type), date: str(node, 'Date') ?? str(node, 'TimeStamp') ?? fail(`${type}: Date is required`) },
        { mmStatusExtension: str(node, 'MMStatusExtension') },
      );
    case 'ReadReplyReq':
      return { type: 'ReadReplyReq', ...reportOf(node, type), timeStamp: str(node, 'TimeStamp') ?? str(node, 'Date') ?? fail(`${type}: TimeStamp is required`) };
    case 'SubmitRsp': {
      const s = status(node, type);
      let messageId = str(node, 'MessageID');
      if (!messageId) {
        const details = obj(obj(node.Status)?.Details);
        messageId = details ? str(details, 'MessageID') : undefined;
      }
      return assign({ type: 'SubmitRsp', status: s }, { messageId });
    }
    case 'DeliverRsp':
      return assign({ type: 'DeliverRsp', status: status(node, type) }, { serviceCode: str(node, 'ServiceCode') });
    case 'extendedCancelRsp':
      return { type: 'extendedCancelRsp', status: status(node, type) };
    case 'extendedReplaceRsp':
      return { type: 'extendedReplaceRsp', status: status(node, type), messageId: str(node, 'MessageID') ?? '' };
    case 'CancelRsp':
    case 'ReplaceRsp':
    case 'DeliveryReportRsp':
    case 'ReadReplyRsp':
    case 'RSErrorRsp':
    case 'VASPErrorRsp':
      return { type: type as GenericRspType, status: status(node, type) };
    default:
      throw new Mm7DecodeError(4003, `unsupported operation ${type}`);
  }
}
