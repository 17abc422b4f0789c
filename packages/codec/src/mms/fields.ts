import {
  CANCEL_STATUS,
  CONTENT_CLASS,
  FIELD,
  MESSAGE_CLASS,
  MESSAGE_TYPE,
  MM_FLAGS_ACTION,
  MM_STATE,
  PRIORITY,
  READ_STATUS,
  RECOMMENDED_RETRIEVAL_MODE,
  REPLY_CHARGING,
  RESPONSE_STATUS,
  RETRIEVE_STATUS,
  SENDER_VISIBILITY,
  STATUS,
  STORE_STATUS,
  type FieldName,
  type MessageType,
} from './constants.js';

/** How a header's value is encoded. */
export type FieldKind =
  | 'text' // Text-string
  | 'encoded' // Encoded-string-value
  | 'address' // Encoded-string-value holding an address (repeatable)
  | 'from'
  | 'date' // Date-value (Long-integer seconds)
  | 'time' // Value-length (Absolute-token Date-value | Relative-token Delta-seconds-value)
  | 'long' // Long-integer
  | 'int' // Integer-value
  | 'bool' // Yes (128) | No (129)
  | 'enum' // one octet from a table
  | 'class' // Class-identifier | Token-text
  | 'version'
  | 'prevBy'
  | 'prevDate'
  | 'flags'
  | 'attr'
  | 'counts'
  | 'element'
  | 'type'
  | 'raw';

export interface FieldDef {
  code: number;
  key: FieldName;
  kind: FieldKind;
  /** Enumerated values: name -> octet. */
  values?: Readonly<Record<string, number>>;
  /** Names by octet & 0x7F. */
  names?: readonly (string | undefined)[];
  /** The field may repeat; decoded into an array. */
  multi?: boolean;
}

function names(values: Readonly<Record<string, number>>): (string | undefined)[] {
  const a: (string | undefined)[] = new Array(128).fill(undefined);
  for (const [k, v] of Object.entries(values)) a[v & 0x7f] = k;
  return a;
}

const YES_NO = { yes: 0x80, no: 0x81 };

const SPEC: [FieldName, FieldKind, Readonly<Record<string, number>>?, boolean?][] = [
  ['bcc', 'address', undefined, true],
  ['cc', 'address', undefined, true],
  ['contentLocation', 'text'],
  ['contentType', 'raw'],
  ['date', 'date'],
  ['deliveryReport', 'bool', YES_NO],
  ['deliveryTime', 'time'],
  ['expiry', 'time'],
  ['from', 'from'],
  ['messageClass', 'class', MESSAGE_CLASS],
  ['messageId', 'text'],
  ['messageType', 'type', MESSAGE_TYPE],
  ['mmsVersion', 'version'],
  ['messageSize', 'long'],
  ['priority', 'enum', PRIORITY],
  ['readReport', 'bool', YES_NO],
  ['reportAllowed', 'bool', YES_NO],
  ['responseStatus', 'enum', RESPONSE_STATUS],
  ['responseText', 'encoded'],
  ['senderVisibility', 'enum', SENDER_VISIBILITY],
  ['status', 'enum', STATUS],
  ['subject', 'encoded'],
  ['to', 'address', undefined, true],
  ['transactionId', 'text'],
  ['retrieveStatus', 'enum', RETRIEVE_STATUS],
  ['retrieveText', 'encoded'],
  ['readStatus', 'enum', READ_STATUS],
  ['replyCharging', 'enum', REPLY_CHARGING],
  ['replyChargingDeadline', 'time'],
  ['replyChargingId', 'text'],
  ['replyChargingSize', 'long'],
  ['previouslySentBy', 'prevBy', undefined, true],
  ['previouslySentDate', 'prevDate', undefined, true],
  ['store', 'bool', YES_NO],
  ['mmState', 'enum', MM_STATE],
  ['mmFlags', 'flags', MM_FLAGS_ACTION, true],
  ['storeStatus', 'enum', STORE_STATUS],
  ['storeStatusText', 'encoded'],
  ['stored', 'bool', YES_NO],
  ['attributes', 'attr', undefined, true],
  ['totals', 'bool', YES_NO],
  ['mboxTotals', 'counts'],
  ['quotas', 'bool', YES_NO],
  ['mboxQuotas', 'counts'],
  ['messageCount', 'int'],
  ['content', 'raw'],
  ['start', 'int'],
  ['additionalHeaders', 'raw'],
  ['distributionIndicator', 'bool', YES_NO],
  ['elementDescriptor', 'element'],
  ['limit', 'int'],
  ['recommendedRetrievalMode', 'enum', RECOMMENDED_RETRIEVAL_MODE],
  ['recommendedRetrievalModeText', 'encoded'],
  ['statusText', 'encoded'],
  ['applicId', 'text'],
  ['replyApplicId', 'text'],
  ['auxApplicInfo', 'text'],
  ['contentClass', 'enum', CONTENT_CLASS],
  ['drmContent', 'bool', YES_NO],
  ['adaptationAllowed', 'bool', YES_NO],
  ['replaceId', 'text'],
  ['cancelId', 'text'],
  ['cancelStatus', 'enum', CANCEL_STATUS],
];

/** Field definitions indexed by code (0x01..0x3F). */
export const FIELDS_BY_CODE: readonly (FieldDef | undefined)[] = (() => {
  const a: (FieldDef | undefined)[] = new Array(128).fill(undefined);
  for (const [key, kind, values, multi] of SPEC) {
    const code = FIELD[key];
    const def: FieldDef = { code, key, kind };
    if (values) {
      def.values = values;
      def.names = names(values);
    }
    if (multi) def.multi = true;
    a[code] = def;
  }
  return a;
})();

export const FIELDS_BY_KEY: ReadonlyMap<string, FieldDef> = new Map(
  FIELDS_BY_CODE.filter((d): d is FieldDef => d !== undefined).map((d) => [d.key, d]),
);

export const MESSAGE_TYPE_NAMES: readonly (MessageType | undefined)[] = names(MESSAGE_TYPE) as (MessageType | undefined)[];

/** PDUs in which X-Mms-Content-Location may repeat (decoded into `contentLocations`). */
export const MULTI_CONTENT_LOCATION: ReadonlySet<MessageType> = new Set([
  'm-mbox-view-req',
  'm-mbox-view-conf',
  'm-mbox-delete-req',
  'm-delete-req',
]);
/** PDUs in which X-Mms-MM-State may repeat (decoded into `mmStates`). */
export const MULTI_MM_STATE: ReadonlySet<MessageType> = new Set(['m-mbox-view-req', 'm-mbox-view-conf']);
/** PDUs whose Content-Location / Response-Status / Response-Text carry a Status-count index. */
export const INDEXED_DELETE: ReadonlySet<MessageType> = new Set(['m-mbox-delete-conf', 'm-delete-conf']);

/** Mandatory header fields per PDU (besides X-Mms-Message-Type), and whether a body is mandatory. */
export const MANDATORY: Readonly<Record<MessageType, readonly (FieldName | 'body' | 'contentLocations')[]>> = {
  'm-send-req': ['transactionId', 'mmsVersion', 'from', 'body'],
  'm-send-conf': ['transactionId', 'mmsVersion', 'responseStatus'],
  'm-notification-ind': ['transactionId', 'mmsVersion', 'messageClass', 'messageSize', 'expiry', 'contentLocation'],
  'm-notifyresp-ind': ['transactionId', 'mmsVersion', 'status'],
  'm-retrieve-conf': ['mmsVersion', 'date', 'body'],
  'm-acknowledge-ind': ['transactionId', 'mmsVersion'],
  'm-delivery-ind': ['mmsVersion', 'messageId', 'to', 'date', 'status'],
  'm-read-rec-ind': ['mmsVersion', 'messageId', 'to', 'from', 'readStatus'],
  'm-read-orig-ind': ['mmsVersion', 'messageId', 'to', 'from', 'date', 'readStatus'],
  'm-forward-req': ['transactionId', 'mmsVersion', 'from', 'contentLocation'],
  'm-forward-conf': ['transactionId', 'mmsVersion', 'responseStatus'],
  'm-mbox-store-req': ['transactionId', 'mmsVersion', 'contentLocation'],
  'm-mbox-store-conf': ['transactionId', 'mmsVersion', 'storeStatus'],
  'm-mbox-view-req': ['transactionId', 'mmsVersion'],
  'm-mbox-view-conf': ['transactionId', 'mmsVersion', 'responseStatus'],
  'm-mbox-upload-req': ['transactionId', 'mmsVersion', 'body'],
  'm-mbox-upload-conf': ['transactionId', 'mmsVersion', 'contentLocation', 'storeStatus'],
  'm-mbox-delete-req': ['transactionId', 'mmsVersion', 'contentLocations'],
  'm-mbox-delete-conf': ['transactionId', 'mmsVersion'],
  'm-mbox-descr': ['mmsVersion'],
  'm-delete-req': ['transactionId', 'mmsVersion', 'contentLocations'],
  'm-delete-conf': ['transactionId', 'mmsVersion'],
  'm-cancel-req': ['transactionId', 'mmsVersion', 'cancelId'],
  'm-cancel-conf': ['transactionId', 'mmsVersion', 'cancelStatus'],
};

/** Order in which the encoder writes fields (after Message-Type, Transaction-Id, MMS-Version). */
export const ENCODE_ORDER: readonly FieldName[] = [
  'messageId', 'date', 'from', 'previouslySentBy', 'previouslySentDate', 'to', 'cc', 'bcc', 'subject',
  'messageClass', 'priority', 'messageSize', 'expiry', 'deliveryTime', 'deliveryReport', 'senderVisibility',
  'readReport', 'reportAllowed', 'replyCharging', 'replyChargingDeadline', 'replyChargingId', 'replyChargingSize',
  'status', 'statusText', 'readStatus', 'responseStatus', 'responseText', 'retrieveStatus', 'retrieveText',
  'contentLocation', 'store', 'stored', 'mmState', 'mmFlags', 'storeStatus', 'storeStatusText', 'attributes',
  'totals', 'quotas', 'mboxTotals', 'mboxQuotas', 'messageCount', 'start', 'limit', 'distributionIndicator',
  'elementDescriptor', 'recommendedRetrievalMode', 'recommendedRetrievalModeText', 'applicId', 'replyApplicId',
  'auxApplicInfo', 'contentClass', 'drmContent', 'adaptationAllowed', 'replaceId', 'cancelId', 'cancelStatus',
];
