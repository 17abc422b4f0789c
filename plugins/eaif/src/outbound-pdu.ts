/**
 * The PDUs the MMSC POSTs to applications: a message as m-send-req (or m-retrieve-conf), a
 * delivery report as m-delivery-ind, a read report as m-read-orig-ind.
 */
import type { Address, ContentType, DeliveryStatus, MmsPart, ReadStatus, StoredMessage } from '@openmmsc/core';
import {
  encodePdu,
  encodePduVectored,
  type DeliveryInd,
  type EncodedChunks,
  type EncodedAddress,
  type EncodedString,
  type MmsBody,
  type WspPart as PduPart,
  type ReadOrigInd,
  type RetrieveConf,
  type SendReq,
  type Status,
} from '@openmmsc/codec';

export type MmsVersion = '1.0' | '1.1' | '1.2' | '1.3';

/** An address as MMS encapsulation writes it: numbers and short codes `/TYPE=PLMN`, e-mail bare. */
export function pduAddress(a: Address): EncodedAddress {
  switch (a.type) {
    case 'email':
      return { address: a.value };
    case 'ipv4':
      return { address: a.value, type: 'IPv4' };
    case 'ipv6':
      return { address: a.value, type: 'IPv6' };
    default:
      return { address: a.value, type: 'PLMN' };
  }
}

/** An address as the X-NOKIA-MMSC-From / -To headers carry it. */
export function headerAddress(a: Address): string {
  const p = pduAddress(a);
  return p.type ? `${p.address}/TYPE=${p.type}` : p.address;
}

// WSP knows multiparts by their application/vnd.wap names; kernel messages from e-mail may not.
const WSP_MULTIPART: Readonly<Record<string, string>> = {
  'multipart/mixed': 'application/vnd.wap.multipart.mixed',
  'multipart/related': 'application/vnd.wap.multipart.related',
  'multipart/alternative': 'application/vnd.wap.multipart.alternative',
};

function pduContentType(ct: ContentType): ContentType {
  return { type: WSP_MULTIPART[ct.type] ?? ct.type, params: { ...ct.params } };
}

function pduPart(p: MmsPart): PduPart {
  const headers: PduPart['headers'] = {};
  if (p.contentId !== undefined) headers.contentId = p.contentId;
  if (p.contentLocation !== undefined) headers.contentLocation = p.contentLocation;
  return { contentType: pduContentType(p.contentType), headers, data: p.data };
}

function body(ct: ContentType, parts: readonly MmsPart[]): MmsBody {
  const contentType = pduContentType(ct);
  if (contentType.type.startsWith('application/vnd.wap.multipart.')) return { contentType, parts: parts.map(pduPart) };
  if (parts.length === 1) return { contentType, data: parts[0]!.data };
  return { contentType: { type: 'application/vnd.wap.multipart.mixed', params: {} }, parts: parts.map(pduPart) };
}

function subject(message: StoredMessage): EncodedString | undefined {
  const s = message.headers.subject;
  if (!s) return undefined;
  if (s.charset) return { text: s.text, charset: s.charset };
  return /^[\x20-\x7e]*$/.test(s.text) ? { text: s.text } : { text: s.text, charset: 'utf-8' };
}

/**
 * A stored message as the PDU an application is given (Bcc never included), as chunks: the parts
 * go out as they are stored, not copied into one buffer.
 */
export function messagePdu(message: StoredMessage, parts: readonly MmsPart[], as: 'm-send-req' | 'm-retrieve-conf', mmsVersion: MmsVersion): EncodedChunks {
  const h = message.headers;
  const common = {
    mmsVersion,
    date: h.date ?? new Date(message.receivedAt),
    from: pduAddress(h.from),
    body: body(h.contentType, parts),
    ...(h.to.length ? { to: h.to.map(pduAddress) } : {}),
    ...(h.cc.length ? { cc: h.cc.map(pduAddress) } : {}),
    ...(subject(message) ? { subject: subject(message)! } : {}),
    ...(h.messageClass ? { messageClass: h.messageClass } : {}),
    ...(h.priority ? { priority: h.priority } : {}),
  };
  if (as === 'm-retrieve-conf') {
    const pdu: RetrieveConf = { messageType: 'm-retrieve-conf', messageId: message.id, ...common };
    return encodePduVectored(pdu);
  }
  // The message id as transaction id: the same on every retry, so the application can spot repeats.
  const pdu: SendReq = { messageType: 'm-send-req', transactionId: message.id, ...common };
  return encodePduVectored(pdu);
}

/** X-Mms-Status has every kernel delivery status by the same name but `deleted`, which it reports as Rejected. */
function mmsStatus(status: DeliveryStatus): Status {
  return status === 'deleted' ? 'rejected' : status;
}

/** m-delivery-ind: `to` is the recipient whose delivery is reported. */
export function deliveryReportPdu(messageId: string, recipient: Address, status: DeliveryStatus, at: number, mmsVersion: MmsVersion): Buffer {
  const pdu: DeliveryInd = { messageType: 'm-delivery-ind', mmsVersion, messageId, to: [pduAddress(recipient)], date: new Date(at), status: mmsStatus(status) };
  return encodePdu(pdu);
}

/** m-read-orig-ind: from the reader, to the original sender. */
export function readReportPdu(messageId: string, reader: Address, originator: Address, status: ReadStatus, at: number, mmsVersion: MmsVersion): Buffer {
  const pdu: ReadOrigInd = {
    messageType: 'm-read-orig-ind',
    mmsVersion,
    messageId,
    to: [pduAddress(originator)],
    from: pduAddress(reader),
    date: new Date(at),
    readStatus: status === 'read' ? 'read' : 'deleted-without-being-read',
  };
  return encodePdu(pdu);
}
