import { sameAddress, type MmsHeaders, type ReasonCode } from '@openmmsc/core';
import type { ForwardConf, ForwardReq } from '@openmmsc/codec';
import { ConversionError, parseAddresses, resolveTime } from './convert.js';
import type { Dialect } from './dialects.js';
import type { Identity } from './identity.js';
import { MM1_INTERFACE, type Mm1 } from './mm1.js';
import { requestedState } from './mmbox.js';
import { storeSubmitted } from './mmbox-store.js';
import { checkContent, confFor, senderOf } from './submit.js';

/** m-forward-req: a recipient sends a message held on the MMSC on to others, without fetching it. */
export async function forwardReq(mm1: Mm1, pdu: ForwardReq, identity: Identity, remote: string | undefined, dialect?: Dialect): Promise<ForwardConf> {
  const tid = pdu.transactionId ?? '';
  const v = pdu.mmsVersion;
  const refuse = (code: ReasonCode, kind: 'reject' | 'defer', text: string) => mm1.refusal<ForwardConf>('m-forward-conf', tid, v, code, kind, text);
  const who = senderOf(mm1, pdu.from, identity);
  if (!('address' in who)) return refuse(who.code, 'reject', who.text);
  const ref = mm1.refFromUrl(pdu.contentLocation);
  if (!ref) return refuse('message-not-found', 'reject', 'unknown X-Mms-Content-Location');
  const found = await mm1.recipientOf(ref.messageId, ref.index);
  if (!found || found.message.expiresAt <= mm1.now()) return refuse('message-not-found', 'reject', 'message not found or expired');
  const { message: original, recipient } = found;
  if (!sameAddress(recipient.address, who.address)) return refuse('service-denied', 'reject', 'only a recipient may forward this message');
  const parts = await mm1.ctx.mmsc.getParts(ref.messageId);
  if (!parts) return refuse('message-not-found', 'reject', 'message content is gone');
  const parse = (raw: string) => mm1.ctx.mmsc.parseAddress(raw);
  const now = mm1.now();
  let headers: MmsHeaders;
  try {
    headers = {
      transactionId: tid,
      from: who.address,
      to: parseAddresses(pdu.to, parse),
      cc: parseAddresses(pdu.cc, parse),
      bcc: parseAddresses(pdu.bcc, parse),
      date: new Date(now),
      contentType: original.headers.contentType,
      deliveryReport: pdu.deliveryReport === true,
      readReport: pdu.readReport === true,
      extra: { 'X-Mms-Forwarded-From': original.id },
    };
  } catch (error) {
    if (error instanceof ConversionError) return refuse('address-unresolved', 'reject', error.message);
    throw error;
  }
  if (headers.to.length + headers.cc.length + headers.bcc.length === 0) return refuse('address-unresolved', 'reject', 'no recipient');
  if (original.headers.subject) headers.subject = original.headers.subject;
  if (original.headers.messageClass) headers.messageClass = original.headers.messageClass;
  if (original.headers.senderVisibility !== 'hide') headers.extra!['X-Mms-Previously-Sent-By'] = original.headers.from.value;
  const expiry = resolveTime(pdu.expiry, now);
  if (expiry) headers.expiry = expiry;
  const bad = checkContent(mm1, parts, who.address);
  if (bad) return refuse('content-not-accepted', 'reject', bad);
  const result = await mm1.ctx.mmsc.submit({
    message: { headers, parts },
    origin: { interface: MM1_INTERFACE, peer: who.address.value, attributes: remote ? { remote, forwardOf: original.id } : { forwardOf: original.id } },
    retransmission: { key: `forward:${who.address.value}:${tid}`, windowMs: mm1.o.retransmissionWindow },
  });
  if (result.status === 'accepted' && !result.retransmission) {
    await mm1.move(ref.messageId, ref.index, 'forwarded', {
      reason: `forwarded as ${result.messageId}`,
      report: pdu.reportAllowed === false ? false : 'forwarded',
    });
  }
  const conf = confFor<ForwardConf>(mm1, 'm-forward-conf', result, tid, v);
  if (pdu.store === true && result.status === 'accepted') {
    const content = { headers: { ...headers, messageId: result.messageId }, parts };
    await storeSubmitted(mm1, conf, who.address, content, { state: requestedState(pdu.mmState) ?? 'forwarded', flags: pdu.mmFlags, source: `forwarded:${result.messageId}` }, dialect);
  }
  return conf;
}
