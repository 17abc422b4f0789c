import { sameAddress, type Address } from '@openmmsc/core';
import type { ForwardConf, MboxStoreConf, MboxStoreReq, MboxUploadConf, SendConf } from '@openmmsc/codec';
import type { Dialect } from './dialects.js';
import type { Identity } from './identity.js';
import { applyFlags } from './mmbox-index.js';
import { requestedState, type BoxContent, type StoreRequest, type StoreResult } from './mmbox.js';
import type { Mm1 } from './mm1.js';

/** m-mbox-store-conf / m-mbox-upload-conf for a store outcome. */
export function storeConf<T extends MboxStoreConf | MboxUploadConf>(mm1: Mm1, type: T['messageType'], tid: string, version: string | undefined, result: StoreResult): T {
  const conf = { messageType: type, transactionId: tid, mmsVersion: mm1.version(version), storeStatus: result.status } as T;
  if (result.status === 'success') conf.contentLocation = result.location;
  else conf.storeStatusText = { text: result.text };
  return conf;
}

/**
 * m-mbox-store-req: a notified message (its `/m/` Content-Location) is copied into the
 * recipient's MMBox (MM-State New unless it says otherwise, Retrieved once it was fetched); a
 * message already in the MMBox (its `/b/` Content-Location) gets the MM-State and MM-Flags the
 * request sets. Only for the subscriber's own messages, as the WAP gateway vouches.
 */
export async function mboxStoreReq(mm1: Mm1, pdu: MboxStoreReq, identity: Identity, dialect?: Dialect): Promise<MboxStoreConf> {
  const tid = pdu.transactionId ?? '';
  const answer = (result: StoreResult) => storeConf<MboxStoreConf>(mm1, 'm-mbox-store-conf', tid, pdu.mmsVersion, result);
  if (identity.kind !== 'trusted') return answer({ status: 'error-permanent-service-denied', text: 'not authenticated' });
  if (!mm1.o.mmbox.enabled) return answer({ status: 'error-permanent-service-denied', text: 'this MMSC keeps no MMBox' });
  const owner = identity.address;
  const state = requestedState(pdu.mmState);

  const boxId = mm1.mmbox.idFromUrl(pdu.contentLocation);
  if (boxId) {
    const changed = await mm1.mmbox.index.change(owner.value, boxId, (e) => ({ ...e, state: state ?? e.state, flags: applyFlags(e.flags, pdu.mmFlags) }));
    if (!changed) return answer({ status: 'error-permanent-message-not-found', text: 'no such message in your MMBox' });
    return answer({ status: 'success', entry: changed, location: mm1.mmbox.location(changed.id, dialect) });
  }

  const ref = mm1.refFromUrl(pdu.contentLocation);
  const found = ref ? await mm1.recipientOf(ref.messageId, ref.index) : undefined;
  if (!found || found.message.expiresAt <= mm1.now()) return answer({ status: 'error-permanent-message-not-found', text: 'unknown or expired X-Mms-Content-Location' });
  const { message, recipient } = found;
  if (!sameAddress(recipient.address, owner)) return answer({ status: 'error-permanent-service-denied', text: 'only the recipient may store this message' });
  if (recipient.state === 'rejected' || recipient.state === 'expired') return answer({ status: 'error-permanent-message-not-found', text: 'the message is no longer available' });
  const fetched = recipient.state === 'retrieved' || recipient.state === 'delivered' || recipient.state === 'forwarded';
  return answer(await mm1.mmbox.storeReceived(message, recipient, { state: state ?? (fetched ? 'retrieved' : 'new'), flags: pdu.mmFlags }, dialect));
}

/**
 * X-Mms-Store: Yes on m-send-req / m-forward-req: once the message is accepted, a copy goes into
 * the sender's MMBox, and the conf says how that went (X-Mms-Store-Status, and the copy's
 * X-Mms-Content-Location). The message is sent either way: a full MMBox refuses only the copy.
 */
export async function storeSubmitted(
  mm1: Mm1,
  conf: SendConf | ForwardConf,
  owner: Address,
  content: BoxContent,
  req: StoreRequest,
  dialect?: Dialect,
): Promise<void> {
  let result: StoreResult;
  try {
    result = await mm1.mmbox.store(owner, content, req, dialect);
  } catch (error) {
    mm1.ctx.log.error({ err: error, owner: owner.value, source: req.source }, 'storing a copy in the MMBox failed');
    result = { status: 'error-transient-failure', text: 'the copy could not be stored; the message was sent' };
  }
  conf.storeStatus = result.status;
  if (result.status === 'success') conf.contentLocation = result.location;
  else conf.storeStatusText = { text: result.text };
}
