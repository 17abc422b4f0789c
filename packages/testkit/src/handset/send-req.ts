import type { SendReq, WspPart as MmsPart } from '@openmmsc/codec';
import type { SendSpec } from './handset-types.js';

let transactionCounter = 0;

/** A transaction id unique in this process: `prefix`, the time, a counter. */
export function newTransactionId(prefix: string): string {
  return `${prefix}${Date.now().toString(36)}${(++transactionCounter).toString(36)}`;
}

/** An address as a handset writes it in a PDU: e-mail as is, a number as +digits with TYPE=PLMN. */
export function mmsAddress(a: string): { address: string; type?: string } {
  if (a.includes('@')) return { address: a };
  const digits = a.replace(/[^\d+]/g, '');
  return { address: digits.startsWith('+') ? digits : `+${digits}`, type: 'PLMN' };
}

/** The m-send-req a handset would write for `spec`. */
export function buildSendReq(spec: SendSpec, mmsVersion: string): SendReq {
  const parts: MmsPart[] = [];
  if (spec.text !== undefined) {
    parts.push({ contentType: { type: 'text/plain', params: { charset: 'utf-8' } }, headers: { contentLocation: 'text.txt', contentId: 'text' }, data: Buffer.from(spec.text) });
  }
  spec.attachments?.forEach((a, i) => {
    const name = a.name ?? `part${i + 1}`;
    parts.push({ contentType: { type: a.contentType, params: { name } }, headers: { contentLocation: name, contentId: name }, data: a.data });
  });
  const list = (v: string | string[] | undefined) => (v === undefined ? undefined : (Array.isArray(v) ? v : [v]).map(mmsAddress));
  const pdu: SendReq = {
    messageType: 'm-send-req',
    transactionId: newTransactionId('t'),
    mmsVersion,
    from: spec.from ? mmsAddress(spec.from) : { address: '', insertAddress: true },
    body: { contentType: { type: 'application/vnd.wap.multipart.mixed', params: {} }, parts },
  };
  const to = list(spec.to);
  if (to?.length) pdu.to = to;
  const cc = list(spec.cc);
  if (cc?.length) pdu.cc = cc;
  const bcc = list(spec.bcc);
  if (bcc?.length) pdu.bcc = bcc;
  if (spec.subject !== undefined) pdu.subject = /^[\x20-\x7e]*$/.test(spec.subject) ? { text: spec.subject } : { text: spec.subject, charset: 'utf-8' };
  if (spec.deliveryReport !== undefined) pdu.deliveryReport = spec.deliveryReport;
  if (spec.readReport !== undefined) pdu.readReport = spec.readReport;
  if (spec.expirySeconds !== undefined) pdu.expiry = { relativeSeconds: spec.expirySeconds };
  if (spec.senderVisibility) pdu.senderVisibility = spec.senderVisibility;
  return pdu;
}
