import { MmsDecodeError, type DeleteConf, type ForwardConf, type MboxDeleteConf, type MmsPdu, type SendConf } from '@openmmsc/codec';
import { acknowledge, notifyResp, readRec } from './acknowledge.js';
import { cancelConf } from './cancel.js';
import type { Dialect } from './dialects.js';
import { forwardReq } from './forward.js';
import type { HttpAnswer } from './http-answer.js';
import type { Identity } from './identity.js';
import { MM1_INTERFACE, type Mm1 } from './mm1.js';
import { mmboxRefusal } from './mmbox-answers.js';
import { deleteReq } from './mmbox-delete.js';
import { mboxStoreReq } from './mmbox-store.js';
import { mboxUploadReq } from './mmbox-upload.js';
import { mboxViewReq } from './mmbox-view.js';
import { sendReq } from './submit.js';
import { decodeUpload, headOf } from './upload.js';

/** Seconds a handset is told to wait when this node is stopping (another node, or this one restarted, takes it then). */
export const RETRY_AFTER_SECONDS = 5;

export interface Upload {
  body: Uint8Array;
  identity: Identity;
  remote: string | undefined;
  /** The handset's dialect (base URL of the MMBox locations it is told). */
  dialect?: Dialect;
}

/** Answers one POSTed PDU: decode it strictly enough, then hand it to its flow. */
export async function handleUpload(mm1: Mm1, upload: Upload): Promise<HttpAnswer> {
  const { body, identity, remote, dialect } = upload;
  if (body.length === 0) return corrupt(mm1, body, 'empty request');
  let pdu: MmsPdu;
  try {
    pdu = decodeUpload(body);
  } catch (error) {
    if (!(error instanceof MmsDecodeError)) throw error;
    mm1.ctx.log.info({ remote, bytes: body.length, reason: error.reason, offset: error.offset }, `PDU refused: ${error.message}`);
    return corrupt(mm1, body, error.reason === 'truncated' ? `incomplete MMS PDU: ${error.message}` : `not an MMS PDU: ${error.message}`);
  }
  if (pdu.warnings?.length) {
    mm1.decodeWarnings.inc({ type: pdu.messageType }, pdu.warnings.length);
    mm1.ctx.log.info({ remote, type: pdu.messageType, warnings: pdu.warnings.map((w) => `${w.message} (offset ${w.offset})`) }, 'PDU accepted with deviations');
  }
  const tid = (pdu as { transactionId?: string }).transactionId ?? '';
  switch (pdu.messageType) {
    case 'm-send-req': {
      const busy = notNow(mm1);
      if (busy) return transient(mm1, mm1.sendConf(tid, pdu.mmsVersion, 'network-problem', 'defer', busy.text), busy.retryAfterMs);
      return mm1.pduAnswer(await sendReq(mm1, pdu, identity, remote, dialect));
    }
    case 'm-forward-req': {
      const busy = notNow(mm1);
      if (busy) return transient(mm1, mm1.refusal<ForwardConf>('m-forward-conf', tid, pdu.mmsVersion, 'network-problem', 'defer', busy.text), busy.retryAfterMs);
      return mm1.pduAnswer(await forwardReq(mm1, pdu, identity, remote, dialect));
    }
    case 'm-notifyresp-ind':
      return notifyResp(mm1, pdu, identity, dialect);
    case 'm-acknowledge-ind':
      return acknowledge(mm1, pdu, identity, dialect);
    case 'm-read-rec-ind':
      return readRec(mm1, pdu, identity);
    case 'm-cancel-conf':
      return cancelConf(mm1, pdu, identity);
    case 'm-mbox-store-req': {
      const busy = notNow(mm1);
      if (busy) return transient(mm1, mmboxRefusal(mm1, pdu.messageType, tid, pdu.mmsVersion, 'defer', busy.text)!, busy.retryAfterMs);
      return mm1.pduAnswer(await mboxStoreReq(mm1, pdu, identity, dialect));
    }
    case 'm-mbox-upload-req': {
      const busy = notNow(mm1);
      if (busy) return transient(mm1, mmboxRefusal(mm1, pdu.messageType, tid, pdu.mmsVersion, 'defer', busy.text)!, busy.retryAfterMs);
      return mm1.pduAnswer(await mboxUploadReq(mm1, pdu, body, identity, dialect));
    }
    case 'm-mbox-view-req':
      return mm1.pduAnswer(await mboxViewReq(mm1, pdu, identity, dialect));
    case 'm-mbox-delete-req':
      return mm1.pduAnswer(await deleteReq<MboxDeleteConf>(mm1, pdu, identity));
    case 'm-delete-req':
      return mm1.pduAnswer(await deleteReq<DeleteConf>(mm1, pdu, identity));
    default:
      return mm1.pduAnswer(mm1.sendConf(tid, pdu.mmsVersion, 'unsupported-message', 'reject', `${pdu.messageType} is not handled here`), 400);
  }
}

/** The format-corrupt answer, as the request's own conf (m-send-conf, m-forward-conf, an MMBox request's) when its headers could be read. */
export function corrupt(mm1: Mm1, body: Uint8Array, text: string): HttpAnswer {
  const head = headOf(body);
  const own = head.messageType ? mmboxRefusal(mm1, head.messageType, head.transactionId ?? '', head.mmsVersion, 'corrupt', text) : undefined;
  if (own) return mm1.pduAnswer(own, 400);
  const conf: SendConf | ForwardConf =
    head.messageType === 'm-forward-req'
      ? mm1.refusal<ForwardConf>('m-forward-conf', head.transactionId ?? '', head.mmsVersion, 'format-corrupt', 'reject', text)
      : mm1.sendConf(head.transactionId ?? '', head.mmsVersion, 'format-corrupt', 'reject', text);
  return mm1.pduAnswer(conf, 400);
}

/**
 * Why this node takes no new message now: it is stopping, or the kernel's admission check refuses
 * (overload, disk nearly full). Fetches and acknowledgements never ask: they go on.
 */
function notNow(mm1: Mm1): { text: string; retryAfterMs: number } | undefined {
  if (mm1.draining) return { text: 'the MMSC is restarting; try again shortly', retryAfterMs: RETRY_AFTER_SECONDS * 1000 };
  const admitted = mm1.ctx.mmsc.admit(MM1_INTERFACE);
  return admitted.ok ? undefined : { text: admitted.reason.message, retryAfterMs: admitted.retryAfterMs };
}

/** New work refused for now: HTTP 503 with Retry-After (a load balancer sends the retry to a node that is up). */
function transient(mm1: Mm1, conf: MmsPdu, retryAfterMs: number): HttpAnswer {
  return mm1.pduAnswer(conf, 503, { 'retry-after': String(Math.max(1, Math.ceil(retryAfterMs / 1000))) });
}
