import { sameAddress, type Address, type MmsHeaders, type MmsMessage, type MmsPart, type ReasonCode, type SubmitResult } from '@openmmsc/core';
import type { ForwardConf, ResponseStatus, SendConf, SendReq } from '@openmmsc/codec';
import { ConversionError, bodyToParts, parseAddresses, rawAddress, resolveTime, toEncodedText, toMessageClass, toPriority } from './convert.js';
import type { Dialect } from './dialects.js';
import type { Identity } from './identity.js';
import { MM1_INTERFACE, type Mm1 } from './mm1.js';
import { requestedState } from './mmbox.js';
import { storeSubmitted } from './mmbox-store.js';

/** m-send-req → the kernel's submit → m-send-conf. */
export async function sendReq(mm1: Mm1, pdu: SendReq, identity: Identity, remote: string | undefined, dialect?: Dialect): Promise<SendConf> {
  const tid = pdu.transactionId ?? '';
  const v = pdu.mmsVersion;
  const refuse = (code: ReasonCode, kind: 'reject' | 'defer', text: string) => mm1.sendConf(tid, v, code, kind, text);
  if (v !== undefined && !/^1\./.test(v)) return refuse('unsupported-message', 'reject', `MMS version ${v} is not supported`);
  if (!pdu.transactionId) return refuse('format-corrupt', 'reject', 'X-Mms-Transaction-Id missing');
  const who = senderOf(mm1, pdu.from, identity);
  if (!('address' in who)) {
    if (identity.kind !== 'trusted') mm1.ctx.log.warn({ remote, why: identity.why }, 'm-send-req refused: no trusted sender identity');
    return refuse(who.code, 'reject', who.text);
  }
  let message: MmsMessage;
  try {
    message = toMessage(mm1, pdu, who.address, tid);
  } catch (error) {
    if (error instanceof ConversionError) return refuse(error.code === 'address-unresolved' ? 'address-unresolved' : 'format-corrupt', 'reject', error.message);
    throw error;
  }
  if (message.headers.to.length + message.headers.cc.length + message.headers.bcc.length === 0) {
    return refuse('address-unresolved', 'reject', 'no recipient');
  }
  const bad = checkContent(mm1, message.parts, who.address);
  if (bad) return refuse('content-not-accepted', 'reject', bad);
  const result = await mm1.ctx.mmsc.submit({
    message,
    origin: { interface: MM1_INTERFACE, peer: who.address.value, attributes: remote ? { remote } : {} },
    // A handset that timed out waiting for m-send-conf sends the same m-send-req again.
    retransmission: { key: `send:${who.address.value}:${tid}`, windowMs: mm1.o.retransmissionWindow },
  });
  if (result.retransmission) mm1.ctx.log.info({ messageId: result.messageId, sender: who.address.value, transactionId: tid }, 'm-send-req retransmitted: answered with the first m-send-conf');
  const conf = confFor<SendConf>(mm1, 'm-send-conf', result, tid, v);
  if (pdu.store === true && result.status === 'accepted') {
    const content = { headers: { ...message.headers, messageId: result.messageId }, parts: message.parts };
    await storeSubmitted(mm1, conf, who.address, content, { state: requestedState(pdu.mmState) ?? 'sent', flags: pdu.mmFlags, source: `sent:${result.messageId}` }, dialect);
  }
  return conf;
}

/** The authenticated sender, after a check of the PDU's From. */
export function senderOf(mm1: Mm1, from: SendReq['from'], identity: Identity): { address: Address } | { code: ReasonCode; text: string } {
  if (identity.kind !== 'trusted') return { code: 'service-denied', text: 'sender not authenticated' };
  const sender = identity.address;
  if (from && !from.insertAddress && from.address) {
    let claimed: Address | undefined;
    try {
      claimed = mm1.ctx.mmsc.parseAddress(rawAddress(from));
    } catch {
      claimed = undefined;
    }
    if (!claimed || !sameAddress(claimed, sender)) {
      if (mm1.o.identity.fromMismatch === 'reject') return { code: 'service-denied', text: 'From does not match the authenticated sender' };
      mm1.ctx.log.debug({ claimed: rawAddress(from), sender: sender.value }, 'From replaced by the authenticated sender');
    }
  }
  return { address: sender };
}

/** Size, part count and media type limits of the sender's class; a reason when one is broken. */
export function checkContent(mm1: Mm1, parts: readonly MmsPart[], sender: Address): string | undefined {
  const limits = mm1.o.limits;
  if (parts.length > limits.maxParts) return `${parts.length} parts; at most ${limits.maxParts} allowed`;
  let size = 0;
  for (const p of parts) size += p.data.byteLength;
  const max = mm1.subscribers.maxMessageSize(sender.value);
  if (size > max) return `message is ${size} bytes; at most ${max} allowed`;
  if (limits.contentTypes.length) {
    for (const p of parts) {
      const t = p.contentType.type;
      if (t === 'application/smil') continue;
      const ok = limits.contentTypes.some((a) => (a.endsWith('/*') ? t.startsWith(a.slice(0, -1)) : t === a.toLowerCase()));
      if (!ok) return `${t} is not accepted`;
    }
  }
  return undefined;
}

/** The kernel's answer as m-send-conf / m-forward-conf. */
export function confFor<T extends SendConf | ForwardConf>(mm1: Mm1, type: T['messageType'], result: SubmitResult, tid: string, v: string | undefined): T {
  if (result.status !== 'accepted') return mm1.refusal<T>(type, tid, v, result.reason.code, result.status === 'rejected' ? 'reject' : 'defer', result.reason.message);
  const refused = result.recipients.filter((r) => r.status === 'rejected');
  const conf = {
    messageType: type,
    transactionId: tid,
    mmsVersion: mm1.version(v),
    responseStatus: 'ok' as ResponseStatus,
    messageId: result.messageId,
  } as T;
  if (refused.length) conf.responseText = { text: `not sent to ${refused.map((r) => r.address.value).join(', ')}` };
  return conf;
}

function toMessage(mm1: Mm1, pdu: SendReq, from: Address, tid: string): MmsMessage {
  const parse = (raw: string) => mm1.ctx.mmsc.parseAddress(raw);
  const now = mm1.now();
  const { contentType, parts } = bodyToParts(pdu.body);
  const headers: MmsHeaders = {
    transactionId: tid,
    from,
    to: parseAddresses(pdu.to, parse),
    cc: parseAddresses(pdu.cc, parse),
    bcc: parseAddresses(pdu.bcc, parse),
    date: new Date(now),
    contentType,
    deliveryReport: pdu.deliveryReport === true,
    readReport: pdu.readReport === true,
  };
  if (pdu.subject) headers.subject = toEncodedText(pdu.subject);
  const expiry = resolveTime(pdu.expiry, now);
  if (expiry) headers.expiry = expiry;
  const deliveryTime = resolveTime(pdu.deliveryTime, now);
  if (deliveryTime && deliveryTime.getTime() > now) headers.deliveryTime = deliveryTime;
  const cls = toMessageClass(pdu.messageClass);
  if (cls) headers.messageClass = cls;
  const prio = toPriority(pdu.priority);
  if (prio) headers.priority = prio;
  if (pdu.senderVisibility === 'hide' || pdu.senderVisibility === 'show') headers.senderVisibility = pdu.senderVisibility;
  return { headers, parts };
}
