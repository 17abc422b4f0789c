import { verdict, type HookResult, type NotifyContext } from '@openmmsc/core';
import { CANCEL_STATUS, encodePdu, encodeWapPush, type CancelConf, type CancelReq } from '@openmmsc/codec';
import { byTransaction } from './acknowledge.js';
import { textAnswer, type HttpAnswer } from './http-answer.js';
import type { Identity } from './identity.js';
import type { Mm1 } from './mm1.js';

/** m-cancel-req and m-cancel-conf exist from MMS 1.3 on: the PDU says so whatever the handset's dialect. */
const CANCEL_VERSION = '1.3';

/**
 * The notify hook for a withdrawn message (`notification.kind === 'cancel'`, the kernel's job
 * after `mmsc.cancel`): an m-cancel-req in a WAP Push. Its X-Mms-Cancel-ID is the Message-ID of
 * the cancelled message; its X-Mms-Transaction-ID is the one of the m-notification-ind the
 * handset had (it names the same recipient, so the handset can match it to the notification it
 * holds, and its m-cancel-conf back to the recipient here). A handset that was sent a text
 * SMS with a web link instead gets nothing (the link simply stops working).
 */
export async function cancelPush(mm1: Mm1, n: NotifyContext): Promise<HookResult> {
  if (!mm1.o.cancel.push) return;
  const { message, recipient } = n;
  if (recipient.attributes.mm1Legacy === true) return;
  if (mm1.o.legacy.enabled && recipient.address.type === 'plmn' && (await mm1.subscribers.isLegacy(recipient, mm1.now()))) return;
  if (!mm1.baseUrl) return verdict.defer('network-problem', 'the MM1 server is not listening yet', 1000);
  const req: CancelReq = {
    messageType: 'm-cancel-req',
    transactionId: mm1.signer.content(message.id, recipient.index),
    mmsVersion: CANCEL_VERSION,
    cancelId: message.headers.messageId ?? message.id,
  };
  n.pdu = encodeWapPush({ transactionId: (Math.random() * 256) | 0, body: encodePdu(req) });
  return;
}

const STATUS_NAMES: Record<keyof typeof CANCEL_STATUS, string> = {
  'cancel-request-successfully-received': 'Cancel Request Successfully received',
  'cancel-request-corrupted': 'Cancel Request corrupted',
};

/** m-cancel-conf: the handset's answer to an m-cancel-req, kept in the recipient's history (`cancel-confirmed`). */
export async function cancelConf(mm1: Mm1, pdu: CancelConf, identity: Identity): Promise<HttpAnswer> {
  const found = await byTransaction(mm1, pdu.transactionId, identity);
  if ('status' in found) return found;
  if (pdu.cancelStatus === undefined) return textAnswer(400, 'X-Mms-Cancel-Status missing');
  const status = typeof pdu.cancelStatus === 'number' ? `0x${pdu.cancelStatus.toString(16)}` : STATUS_NAMES[pdu.cancelStatus];
  const reason = `X-Mms-Cancel-Status: ${status}`;
  const { message, recipient } = found;
  // A handset that repeats its answer (no HTTP answer reached it) is recorded once.
  if (!recipient.history.some((h) => h.event === 'cancel-confirmed' && h.reason === reason)) {
    await mm1.ctx.mmsc.recordEvent(message.id, recipient.index, { by: mm1.ctx.name, event: 'cancel-confirmed', reason });
  }
  mm1.ctx.log.info({ messageId: message.id, recipient: recipient.address.value, status }, 'm-cancel-conf');
  return { status: 204 };
}
