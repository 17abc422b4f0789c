import { sameAddress, type RecipientRecord, type StoredMessage } from '@openmmsc/core';
import type { AcknowledgeInd, MmState, NotifyRespInd, ReadRecInd } from '@openmmsc/codec';
import type { Dialect } from './dialects.js';
import { textAnswer, type HttpAnswer } from './http-answer.js';
import type { Identity } from './identity.js';
import type { Mm1 } from './mm1.js';
import { requestedState } from './mmbox.js';
import { pushLegacyLink } from './notify.js';

/**
 * The recipient a transaction id names, when the one asking is that recipient as a trusted WAP
 * gateway vouches. Anybody else (another subscriber, no identity) moves no recipient's state.
 */
export async function byTransaction(
  mm1: Mm1,
  tid: string | undefined,
  identity: Identity,
): Promise<{ ref: { messageId: string; index: number }; recipient: RecipientRecord; message: StoredMessage } | HttpAnswer> {
  const ref = tid ? mm1.signer.openContent(tid) : undefined;
  if (!ref) return textAnswer(400, 'unknown transaction id');
  if (identity.kind !== 'trusted') return textAnswer(403, 'not authenticated');
  const found = await mm1.recipientOf(ref.messageId, ref.index);
  if (!found) return textAnswer(404, 'message not found');
  if (!sameAddress(found.recipient.address, identity.address)) return textAnswer(403, 'not a recipient of this message');
  return { ref, ...found };
}

/** m-notifyresp-ind: the handset's answer to a notification (retrieved, rejected, deferred, unrecognised). */
export async function notifyResp(mm1: Mm1, pdu: NotifyRespInd, identity: Identity, dialect?: Dialect): Promise<HttpAnswer> {
  const found = await byTransaction(mm1, pdu.transactionId, identity);
  if ('status' in found) return found;
  const { ref, message, recipient } = found;
  const allowReport = pdu.reportAllowed !== false;
  switch (pdu.status) {
    case 'retrieved':
      await mm1.move(ref.messageId, ref.index, 'delivered', { reason: 'retrieved (m-notifyresp-ind)', report: allowReport ? 'retrieved' : false });
      break;
    case 'rejected':
      await mm1.move(ref.messageId, ref.index, 'rejected', { reason: 'rejected by the recipient', report: allowReport ? 'rejected' : false });
      break;
    case 'deferred':
      await mm1.ctx.mmsc.setRecipientAttributes(ref.messageId, ref.index, { mm1Deferred: true });
      if (message.headers.deliveryReport && allowReport && recipient.attributes.mm1Deferred !== true) {
        await mm1.ctx.mmsc.sendReport(message.id, { kind: 'delivery', messageId: message.id, recipient: recipient.address, status: 'deferred', at: mm1.now() });
      }
      break;
    case 'unrecognised':
      await unrecognised(mm1, message, recipient, allowReport);
      break;
    default:
      return textAnswer(400, 'unknown X-Mms-Status');
  }
  if (pdu.store === true && pdu.status !== 'unrecognised') await storeOnReceive(mm1, message, recipient, pdu, pdu.status === 'retrieved' ? 'retrieved' : 'new', dialect);
  return { status: 204 };
}

/**
 * X-Mms-Store: Yes on m-notifyresp-ind / m-acknowledge-ind: the recipient keeps a copy in its
 * MMBox. Nothing answers these PDUs, so the outcome (quota refusals included) is only logged;
 * the handset sees it in its next m-mbox-view-conf.
 */
async function storeOnReceive(mm1: Mm1, message: StoredMessage, recipient: RecipientRecord, pdu: NotifyRespInd | AcknowledgeInd, fallback: MmState, dialect?: Dialect): Promise<void> {
  const result = await mm1.mmbox.storeReceived(message, recipient, { state: requestedState(pdu.mmState) ?? fallback, flags: pdu.mmFlags }, dialect);
  const log = { messageId: message.id, recipient: recipient.address.value, storeStatus: result.status };
  if (result.status === 'success') mm1.ctx.log.debug(log, `stored in the recipient's MMBox (${pdu.messageType})`);
  else mm1.ctx.log.info({ ...log, why: result.text }, `not stored in the recipient's MMBox (${pdu.messageType})`);
}

async function unrecognised(mm1: Mm1, message: StoredMessage, recipient: RecipientRecord, allowReport: boolean): Promise<void> {
  const legacy = mm1.o.legacy;
  if (legacy.enabled && legacy.onUnrecognised && recipient.address.type === 'plmn') {
    await mm1.ctx.mmsc.setRecipientAttributes(message.id, recipient.index, { mm1Legacy: true });
    if (legacy.remember) await mm1.subscribers.rememberLegacy(recipient.address.value, mm1.now());
    await pushLegacyLink(mm1, message, recipient);
    return;
  }
  if (message.headers.deliveryReport && allowReport) {
    await mm1.ctx.mmsc.sendReport(message.id, { kind: 'delivery', messageId: message.id, recipient: recipient.address, status: 'unrecognised', at: mm1.now() });
  }
}

/** m-acknowledge-ind: the handset has the message. */
export async function acknowledge(mm1: Mm1, pdu: AcknowledgeInd, identity: Identity, dialect?: Dialect): Promise<HttpAnswer> {
  const found = await byTransaction(mm1, pdu.transactionId, identity);
  if ('status' in found) return found;
  await mm1.move(found.ref.messageId, found.ref.index, 'delivered', {
    reason: 'acknowledged (m-acknowledge-ind)',
    report: pdu.reportAllowed === false ? false : 'retrieved',
  });
  if (pdu.store === true) await storeOnReceive(mm1, found.message, found.recipient, pdu, 'retrieved', dialect);
  return { status: 204 };
}

/** m-read-rec-ind: the recipient read (or deleted) the message; becomes a read report to the sender. */
export async function readRec(mm1: Mm1, pdu: ReadRecInd, identity: Identity): Promise<HttpAnswer> {
  if (identity.kind !== 'trusted') return textAnswer(403, 'not authenticated');
  if (!pdu.messageId) return textAnswer(400, 'Message-ID missing');
  const message = await mm1.ctx.mmsc.getMessage(pdu.messageId);
  if (!message) return textAnswer(404, 'message not found');
  const recipient = (await mm1.ctx.mmsc.getRecipients(message.id)).find((r) => sameAddress(r.address, identity.address));
  if (!recipient) return textAnswer(403, 'not a recipient of this message');
  if (!message.headers.readReport && mm1.o.reports.readReports === 'requested') {
    mm1.ctx.log.debug({ messageId: message.id }, 'read report dropped: the sender did not ask for one');
    return { status: 204 };
  }
  const status = pdu.readStatus === 'deleted-without-being-read' ? 'deleted-without-reading' : 'read';
  await mm1.ctx.mmsc.sendReport(message.id, { kind: 'read', messageId: message.id, recipient: recipient.address, status, at: mm1.now() });
  return { status: 204 };
}
