import { FINAL_STATES, sameAddress } from '@openmmsc/core';
import type { DeleteConf, DeleteReq, DeleteResult, MboxDeleteConf, MboxDeleteReq, ResponseStatus } from '@openmmsc/codec';
import type { Identity } from './identity.js';
import type { Mm1 } from './mm1.js';

type Conf = MboxDeleteConf | DeleteConf;

function refusal<T extends Conf>(mm1: Mm1, type: T['messageType'], pdu: MboxDeleteReq | DeleteReq, status: ResponseStatus, text: string): T {
  return { messageType: type, transactionId: pdu.transactionId ?? '', mmsVersion: mm1.version(pdu.mmsVersion), responseStatus: status, responseText: { text } } as T;
}

/** One location of the subscriber's: its MMBox entry deleted, or (m-delete-req) the notified message dropped. */
async function deleteOne(mm1: Mm1, owner: Identity & { kind: 'trusted' }, location: string, alsoNotified: boolean): Promise<ResponseStatus> {
  const boxId = mm1.mmbox.idFromUrl(location);
  if (boxId) return (await mm1.mmbox.delete(owner.address.value, [boxId])).size ? 'ok' : 'error-permanent-message-not-found';
  if (!alsoNotified) return 'error-permanent-message-not-found';
  const ref = mm1.refFromUrl(location);
  const found = ref ? await mm1.recipientOf(ref.messageId, ref.index) : undefined;
  if (!found || !sameAddress(found.recipient.address, owner.address)) return 'error-permanent-message-not-found';
  if (!FINAL_STATES.has(found.recipient.state)) {
    await mm1.move(found.message.id, found.recipient.index, 'rejected', { reason: 'deleted by the recipient (m-delete-req)', report: 'deleted' });
  }
  return 'ok';
}

/**
 * m-mbox-delete-req (MMBox entries) and m-delete-req (MMS 1.3: also messages notified and not yet
 * fetched, which the recipient then no longer gets; the sender's delivery report says Rejected):
 * one result per X-Mms-Content-Location, numbered from 0 in the order given. Only the
 * subscriber's own messages, as the WAP gateway vouches; anything else is "not found".
 */
export async function deleteReq<T extends Conf>(mm1: Mm1, pdu: MboxDeleteReq | DeleteReq, identity: Identity): Promise<T> {
  const type = (pdu.messageType === 'm-delete-req' ? 'm-delete-conf' : 'm-mbox-delete-conf') as T['messageType'];
  if (identity.kind !== 'trusted') return refusal<T>(mm1, type, pdu, 'error-permanent-service-denied', 'not authenticated');
  const alsoNotified = pdu.messageType === 'm-delete-req';
  if (!alsoNotified && !mm1.o.mmbox.enabled) return refusal<T>(mm1, type, pdu, 'error-permanent-service-denied', 'this MMSC keeps no MMBox');
  const locations = pdu.contentLocations ?? [];
  if (locations.length === 0) return refusal<T>(mm1, type, pdu, 'error-permanent-message-format-corrupt', 'no X-Mms-Content-Location');
  const deleteResults: DeleteResult[] = [];
  for (const [index, location] of locations.entries()) {
    deleteResults.push({ index, contentLocation: location, responseStatus: await deleteOne(mm1, identity, location, alsoNotified) });
  }
  return { messageType: type, transactionId: pdu.transactionId ?? '', mmsVersion: mm1.version(pdu.mmsVersion), deleteResults } as T;
}
