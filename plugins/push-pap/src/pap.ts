import { XMLParser } from 'fast-xml-parser';
import { buildMultipart, escapeXml } from '@openmmsc/mime';

/** PAP 2.0 status codes (WAP-247-PAP, 9.13) with their meaning. */
export const PAP_CODES: ReadonlyMap<number, string> = new Map([
  [1000, 'OK'],
  [1001, 'Accepted for processing'],
  [2000, 'Bad request'],
  [2001, 'Forbidden'],
  [2002, 'Address error'],
  [2003, 'Address not found'],
  [2004, 'Push ID not found'],
  [2005, 'Capabilities mismatch'],
  [2006, 'Required capabilities not supported'],
  [2007, 'Duplicate push ID'],
  [2008, 'Cancellation not possible'],
  [3000, 'Internal server error'],
  [3001, 'Not implemented'],
  [3002, 'Version not supported'],
  [3003, 'Not possible'],
  [3004, 'Capability matching not supported'],
  [3005, 'Multiple addresses not supported'],
  [3006, 'Transformation failure'],
  [3007, 'Specified delivery method not possible'],
  [3008, 'Capabilities not available'],
  [3009, 'Required network not available'],
  [3010, 'Required bearer not available'],
  [3011, 'Replacement not supported'],
  [4000, 'Service failure'],
  [4001, 'Service unavailable'],
  [5000, 'Mobile client aborted'],
]);

export type PapCodeClass = 'accepted' | 'failed' | 'retry';

/** 1xxx accepted; 2xxx (client error) and 5xxx (mobile device failure) failed; 3xxx (server error) and 4xxx (service failure) retry. */
export function classifyPapCode(code: number): PapCodeClass {
  if (code >= 1000 && code < 2000) return 'accepted';
  if (code >= 3000 && code < 5000) return 'retry';
  return 'failed';
}

export function describePapCode(code: number, desc?: string): string {
  const known = PAP_CODES.get(code) ?? PAP_CODES.get(Math.floor(code / 1000) * 1000);
  return `PAP ${code}${known ? ` ${known}` : ''}${desc && desc !== known ? ` (${desc})` : ''}`;
}

const DOCTYPE = '<!DOCTYPE pap PUBLIC "-//WAPFORUM//DTD PAP 2.0//EN" "http://www.wapforum.org/DTD/pap_2.0.dtd">';

export interface PushMessageSpec {
  pushId: string;
  /** e.g. `WAPPUSH=+15550000002/TYPE=PLMN@ppg.operator.com`. */
  address: string;
  deliveryMethod: string;
  network?: string;
  bearer?: string;
  deliverBefore?: Date;
  notifyTo?: string;
}

/** The PAP control entity of a push-message. */
export function pushMessageXml(spec: PushMessageSpec): string {
  const attrs = [`push-id="${escapeXml(spec.pushId)}"`];
  if (spec.deliverBefore) attrs.push(`deliver-before-timestamp="${spec.deliverBefore.toISOString().replace(/\.\d{3}Z$/, 'Z')}"`);
  if (spec.notifyTo) attrs.push(`ppg-notify-requested-to="${escapeXml(spec.notifyTo)}"`);
  const qos = [`delivery-method="${escapeXml(spec.deliveryMethod)}"`];
  if (spec.network) qos.push(`network="${escapeXml(spec.network)}"`);
  if (spec.bearer) qos.push(`bearer="${escapeXml(spec.bearer)}"`);
  return (
    `<?xml version="1.0"?>\r\n${DOCTYPE}\r\n<pap><push-message ${attrs.join(' ')}>` +
    `<address address-value="${escapeXml(spec.address)}"/>` +
    `<quality-of-service ${qos.join(' ')}/></push-message></pap>`
  );
}

/** A PAP multipart/related request: the control entity, then the content entity. */
export function papMultipart(controlXml: string, content: Uint8Array, contentHeaders: Record<string, string>, boundary: string): { body: Buffer; contentType: string } {
  const body = buildMultipart(
    [
      { headers: { 'Content-Type': 'application/xml' }, body: controlXml },
      { headers: contentHeaders, body: content },
    ],
    boundary,
  );
  return { body, contentType: `multipart/related; boundary=${boundary}; type="application/xml"` };
}

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '',
  parseAttributeValue: false,
  parseTagValue: false,
  processEntities: true,
  htmlEntities: false,
  removeNSPrefix: true,
});

export class PapXmlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PapXmlError';
  }
}

type XmlNode = Record<string, unknown>;

/**
 * Parses a PAP document. A DOCTYPE naming an external DTD (as PAP documents do) is dropped
 * unread; one with an internal subset (entity declarations) is refused, as is anything over 64 KB.
 */
export function parsePap(xml: string): XmlNode {
  if (xml.length > 65_536) throw new PapXmlError('PAP document larger than 64 KB');
  const doctype = /<!DOCTYPE[^>[]*(\[)?/i.exec(xml);
  if (doctype?.[1]) throw new PapXmlError('PAP document with an internal DTD subset refused');
  const clean = xml.replace(/<!DOCTYPE[^>[]*>/i, '');
  let doc: unknown;
  try {
    doc = parser.parse(clean, true);
  } catch (error) {
    throw new PapXmlError(`not well-formed XML: ${(error as Error).message}`);
  }
  const pap = (doc as XmlNode | undefined)?.pap;
  if (!pap || typeof pap !== 'object') throw new PapXmlError('no <pap> element');
  return pap as XmlNode;
}

function node(v: unknown): XmlNode | undefined {
  if (Array.isArray(v)) return node(v[0]);
  return v && typeof v === 'object' ? (v as XmlNode) : undefined;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
}

export interface PushResponse {
  kind: 'push-response' | 'badmessage-response';
  code: number;
  desc?: string;
  pushId?: string;
  senderName?: string;
  replyTime?: string;
}

/** Reads `<push-response>` (with its `<response-result>`) or `<badmessage-response>`. */
export function parsePushResponse(xml: string): PushResponse {
  const pap = parsePap(xml);
  const pr = node(pap['push-response']);
  if (pr) {
    const rr = node(pr['response-result']);
    const code = Number(str(rr?.code));
    if (!rr || !Number.isInteger(code)) throw new PapXmlError('push-response without a response-result code');
    const r: PushResponse = { kind: 'push-response', code };
    const desc = str(rr.desc);
    if (desc !== undefined) r.desc = desc;
    const pushId = str(pr['push-id']);
    if (pushId !== undefined) r.pushId = pushId;
    const senderName = str(pr['sender-name']);
    if (senderName !== undefined) r.senderName = senderName;
    const replyTime = str(pr['reply-time']);
    if (replyTime !== undefined) r.replyTime = replyTime;
    return r;
  }
  const bad = node(pap['badmessage-response']);
  if (bad) {
    const code = Number(str(bad.code));
    if (!Number.isInteger(code)) throw new PapXmlError('badmessage-response without a code');
    const r: PushResponse = { kind: 'badmessage-response', code };
    const desc = str(bad.desc);
    if (desc !== undefined) r.desc = desc;
    return r;
  }
  throw new PapXmlError(`expected push-response or badmessage-response, got ${Object.keys(pap).join(', ') || 'nothing'}`);
}

export interface ResultNotification {
  pushId: string;
  code: number;
  desc?: string;
  /** delivered, undeliverable, expired, aborted, timeout, cancelled, unknown, pending. */
  messageState?: string;
  address?: string;
  eventTime?: string;
  receivedTime?: string;
  senderAddress?: string;
}

/** Reads a `<resultnotification-message>`. */
export function parseResultNotification(xml: string): ResultNotification {
  const pap = parsePap(xml);
  const m = node(pap['resultnotification-message']);
  if (!m) throw new PapXmlError('expected resultnotification-message');
  const pushId = str(m['push-id']);
  if (!pushId) throw new PapXmlError('resultnotification-message without push-id');
  const code = Number(str(m.code) ?? '1000');
  const r: ResultNotification = { pushId, code: Number.isInteger(code) ? code : 1000 };
  const set = <K extends keyof ResultNotification>(k: K, v: ResultNotification[K] | undefined) => {
    if (v !== undefined) r[k] = v;
  };
  set('desc', str(m.desc));
  set('messageState', str(m['message-state']));
  set('address', str(node(m.address)?.['address-value']));
  set('eventTime', str(m['event-time']));
  set('receivedTime', str(m['received-time']));
  set('senderAddress', str(m['sender-address']));
  return r;
}

/** The `<resultnotification-response>` the PPG expects back (address, then response-result). */
export function resultNotificationResponse(pushId: string, address: string | undefined, code: number, desc: string): string {
  return (
    `<?xml version="1.0"?>\r\n${DOCTYPE}\r\n<pap><resultnotification-response push-id="${escapeXml(pushId)}">` +
    `<address address-value="${escapeXml(address ?? '')}"/>` +
    `<response-result code="${code}" desc="${escapeXml(desc)}"/></resultnotification-response></pap>`
  );
}
