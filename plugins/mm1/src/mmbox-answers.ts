import type { MmsPdu, ResponseStatus, StoreStatus } from '@openmmsc/codec';
import type { Mm1 } from './mm1.js';

const STORE_CONF: Readonly<Record<string, 'm-mbox-store-conf' | 'm-mbox-upload-conf'>> = {
  'm-mbox-store-req': 'm-mbox-store-conf',
  'm-mbox-upload-req': 'm-mbox-upload-conf',
};
const RESPONSE_CONF: Readonly<Record<string, 'm-mbox-view-conf' | 'm-mbox-delete-conf' | 'm-delete-conf'>> = {
  'm-mbox-view-req': 'm-mbox-view-conf',
  'm-mbox-delete-req': 'm-mbox-delete-conf',
  'm-delete-req': 'm-delete-conf',
};

/**
 * The refusal of an MMBox request in its own terms (its *-conf with X-Mms-Store-Status or
 * X-Mms-Response-Status): a request that could not be decoded (`corrupt`), or one this node
 * cannot take now (`defer`: it is stopping). Undefined for other message types.
 */
export function mmboxRefusal(mm1: Mm1, requestType: string, tid: string, version: string | undefined, kind: 'corrupt' | 'defer', text: string): MmsPdu | undefined {
  const mmsVersion = mm1.version(version);
  const store = STORE_CONF[requestType];
  if (store) {
    const storeStatus: StoreStatus = kind === 'corrupt' ? 'error-permanent-message-format-corrupt' : 'error-transient-network-problem';
    return { messageType: store, transactionId: tid, mmsVersion, storeStatus, storeStatusText: { text } };
  }
  const response = RESPONSE_CONF[requestType];
  if (response) {
    const responseStatus: ResponseStatus = kind === 'corrupt' ? 'error-permanent-message-format-corrupt' : 'error-transient-network-problem';
    return { messageType: response, transactionId: tid, mmsVersion, responseStatus, responseText: { text } };
  }
  return undefined;
}
