/**
 * Assigned numbers of OMA-TS-MMS_ENC-V1_3 as typed name -> code maps, so plugins can use names.
 * Names are the spec's value names in lower case with hyphens.
 */

export const MESSAGE_TYPE = {
  'm-send-req': 0x80,
  'm-send-conf': 0x81,
  'm-notification-ind': 0x82,
  'm-notifyresp-ind': 0x83,
  'm-retrieve-conf': 0x84,
  'm-acknowledge-ind': 0x85,
  'm-delivery-ind': 0x86,
  'm-read-rec-ind': 0x87,
  'm-read-orig-ind': 0x88,
  'm-forward-req': 0x89,
  'm-forward-conf': 0x8a,
  'm-mbox-store-req': 0x8b,
  'm-mbox-store-conf': 0x8c,
  'm-mbox-view-req': 0x8d,
  'm-mbox-view-conf': 0x8e,
  'm-mbox-upload-req': 0x8f,
  'm-mbox-upload-conf': 0x90,
  'm-mbox-delete-req': 0x91,
  'm-mbox-delete-conf': 0x92,
  'm-mbox-descr': 0x93,
  'm-delete-req': 0x94,
  'm-delete-conf': 0x95,
  'm-cancel-req': 0x96,
  'm-cancel-conf': 0x97,
} as const;
export type MessageType = keyof typeof MESSAGE_TYPE;

export const MESSAGE_CLASS = { personal: 0x80, advertisement: 0x81, informational: 0x82, auto: 0x83 } as const;
export type MessageClass = keyof typeof MESSAGE_CLASS;

export const PRIORITY = { low: 0x80, normal: 0x81, high: 0x82 } as const;
export type Priority = keyof typeof PRIORITY;

export const RESPONSE_STATUS = {
  ok: 0x80,
  'error-unspecified': 0x81,
  'error-service-denied': 0x82,
  'error-message-format-corrupt': 0x83,
  'error-sending-address-unresolved': 0x84,
  'error-message-not-found': 0x85,
  'error-network-problem': 0x86,
  'error-content-not-accepted': 0x87,
  'error-unsupported-message': 0x88,
  'error-transient-failure': 0xc0,
  'error-transient-sending-address-unresolved': 0xc1,
  'error-transient-message-not-found': 0xc2,
  'error-transient-network-problem': 0xc3,
  'error-transient-partial-success': 0xc4,
  'error-permanent-failure': 0xe0,
  'error-permanent-service-denied': 0xe1,
  'error-permanent-message-format-corrupt': 0xe2,
  'error-permanent-sending-address-unresolved': 0xe3,
  'error-permanent-message-not-found': 0xe4,
  'error-permanent-content-not-accepted': 0xe5,
  'error-permanent-reply-charging-limitations-not-met': 0xe6,
  'error-permanent-reply-charging-request-not-accepted': 0xe7,
  'error-permanent-reply-charging-forwarding-denied': 0xe8,
  'error-permanent-reply-charging-not-supported': 0xe9,
  'error-permanent-address-hiding-not-supported': 0xea,
  'error-permanent-lack-of-prepaid': 0xeb,
} as const;
export type ResponseStatus = keyof typeof RESPONSE_STATUS;

/** X-Mms-Status (m-notifyresp-ind, m-delivery-ind). */
export const STATUS = {
  expired: 0x80,
  retrieved: 0x81,
  rejected: 0x82,
  deferred: 0x83,
  unrecognised: 0x84,
  indeterminate: 0x85,
  forwarded: 0x86,
  unreachable: 0x87,
} as const;
export type Status = keyof typeof STATUS;

/** X-Mms-Status values a handset may send in m-notifyresp-ind. */
export const NOTIFYRESP_STATUS = {
  retrieved: 0x81,
  rejected: 0x82,
  deferred: 0x83,
  unrecognised: 0x84,
} as const satisfies Partial<typeof STATUS>;
export type NotifyRespStatus = keyof typeof NOTIFYRESP_STATUS;

/** X-Mms-Status values of a delivery report (m-delivery-ind). */
export const DELIVERY_STATUS = STATUS;
export type DeliveryStatus = Status;

export const RETRIEVE_STATUS = {
  ok: 0x80,
  'error-transient-failure': 0xc0,
  'error-transient-message-not-found': 0xc1,
  'error-transient-network-problem': 0xc2,
  'error-permanent-failure': 0xe0,
  'error-permanent-service-denied': 0xe1,
  'error-permanent-message-not-found': 0xe2,
  'error-permanent-content-unsupported': 0xe3,
} as const;
export type RetrieveStatus = keyof typeof RETRIEVE_STATUS;

export const READ_STATUS = { read: 0x80, 'deleted-without-being-read': 0x81 } as const;
export type ReadStatus = keyof typeof READ_STATUS;

export const SENDER_VISIBILITY = { hide: 0x80, show: 0x81 } as const;
export type SenderVisibility = keyof typeof SENDER_VISIBILITY;

export const REPLY_CHARGING = {
  requested: 0x80,
  'requested-text-only': 0x81,
  accepted: 0x82,
  'accepted-text-only': 0x83,
} as const;
export type ReplyCharging = keyof typeof REPLY_CHARGING;

export const MM_STATE = { draft: 0x80, sent: 0x81, new: 0x82, retrieved: 0x83, forwarded: 0x84 } as const;
export type MmState = keyof typeof MM_STATE;

export const STORE_STATUS = {
  success: 0x80,
  'error-transient-failure': 0xc0,
  'error-transient-network-problem': 0xc1,
  'error-permanent-failure': 0xe0,
  'error-permanent-service-denied': 0xe1,
  'error-permanent-message-format-corrupt': 0xe2,
  'error-permanent-message-not-found': 0xe3,
  'error-permanent-mmbox-full': 0xe4,
} as const;
export type StoreStatus = keyof typeof STORE_STATUS;

export const CONTENT_CLASS = {
  text: 0x80,
  'image-basic': 0x81,
  'image-rich': 0x82,
  'video-basic': 0x83,
  'video-rich': 0x84,
  megapixel: 0x85,
  'content-basic': 0x86,
  'content-rich': 0x87,
} as const;
export type ContentClass = keyof typeof CONTENT_CLASS;

export const CANCEL_STATUS = { 'cancel-request-successfully-received': 0x80, 'cancel-request-corrupted': 0x81 } as const;
export type CancelStatus = keyof typeof CANCEL_STATUS;

export const RECOMMENDED_RETRIEVAL_MODE = { manual: 0x80 } as const;
export type RecommendedRetrievalMode = keyof typeof RECOMMENDED_RETRIEVAL_MODE;

export const MM_FLAGS_ACTION = { add: 0x80, remove: 0x81, filter: 0x82 } as const;
export type MmFlagsAction = keyof typeof MM_FLAGS_ACTION;

/** MMS header field codes (without the high bit: the wire octet is code | 0x80). */
export const FIELD = {
  bcc: 0x01,
  cc: 0x02,
  contentLocation: 0x03,
  contentType: 0x04,
  date: 0x05,
  deliveryReport: 0x06,
  deliveryTime: 0x07,
  expiry: 0x08,
  from: 0x09,
  messageClass: 0x0a,
  messageId: 0x0b,
  messageType: 0x0c,
  mmsVersion: 0x0d,
  messageSize: 0x0e,
  priority: 0x0f,
  readReport: 0x10,
  reportAllowed: 0x11,
  responseStatus: 0x12,
  responseText: 0x13,
  senderVisibility: 0x14,
  status: 0x15,
  subject: 0x16,
  to: 0x17,
  transactionId: 0x18,
  retrieveStatus: 0x19,
  retrieveText: 0x1a,
  readStatus: 0x1b,
  replyCharging: 0x1c,
  replyChargingDeadline: 0x1d,
  replyChargingId: 0x1e,
  replyChargingSize: 0x1f,
  previouslySentBy: 0x20,
  previouslySentDate: 0x21,
  store: 0x22,
  mmState: 0x23,
  mmFlags: 0x24,
  storeStatus: 0x25,
  storeStatusText: 0x26,
  stored: 0x27,
  attributes: 0x28,
  totals: 0x29,
  mboxTotals: 0x2a,
  quotas: 0x2b,
  mboxQuotas: 0x2c,
  messageCount: 0x2d,
  content: 0x2e,
  start: 0x2f,
  additionalHeaders: 0x30,
  distributionIndicator: 0x31,
  elementDescriptor: 0x32,
  limit: 0x33,
  recommendedRetrievalMode: 0x34,
  recommendedRetrievalModeText: 0x35,
  statusText: 0x36,
  applicId: 0x37,
  replyApplicId: 0x38,
  auxApplicInfo: 0x39,
  contentClass: 0x3a,
  drmContent: 0x3b,
  adaptationAllowed: 0x3c,
  replaceId: 0x3d,
  cancelId: 0x3e,
  cancelStatus: 0x3f,
} as const;
export type FieldName = keyof typeof FIELD;

/** Spec names of the header fields, for messages and unknown-header reports. */
export const FIELD_WIRE_NAME: Readonly<Record<FieldName, string>> = {
  bcc: 'Bcc',
  cc: 'Cc',
  contentLocation: 'X-Mms-Content-Location',
  contentType: 'Content-Type',
  date: 'Date',
  deliveryReport: 'X-Mms-Delivery-Report',
  deliveryTime: 'X-Mms-Delivery-Time',
  expiry: 'X-Mms-Expiry',
  from: 'From',
  messageClass: 'X-Mms-Message-Class',
  messageId: 'Message-ID',
  messageType: 'X-Mms-Message-Type',
  mmsVersion: 'X-Mms-MMS-Version',
  messageSize: 'X-Mms-Message-Size',
  priority: 'X-Mms-Priority',
  readReport: 'X-Mms-Read-Report',
  reportAllowed: 'X-Mms-Report-Allowed',
  responseStatus: 'X-Mms-Response-Status',
  responseText: 'X-Mms-Response-Text',
  senderVisibility: 'X-Mms-Sender-Visibility',
  status: 'X-Mms-Status',
  subject: 'Subject',
  to: 'To',
  transactionId: 'X-Mms-Transaction-Id',
  retrieveStatus: 'X-Mms-Retrieve-Status',
  retrieveText: 'X-Mms-Retrieve-Text',
  readStatus: 'X-Mms-Read-Status',
  replyCharging: 'X-Mms-Reply-Charging',
  replyChargingDeadline: 'X-Mms-Reply-Charging-Deadline',
  replyChargingId: 'X-Mms-Reply-Charging-ID',
  replyChargingSize: 'X-Mms-Reply-Charging-Size',
  previouslySentBy: 'X-Mms-Previously-Sent-By',
  previouslySentDate: 'X-Mms-Previously-Sent-Date',
  store: 'X-Mms-Store',
  mmState: 'X-Mms-MM-State',
  mmFlags: 'X-Mms-MM-Flags',
  storeStatus: 'X-Mms-Store-Status',
  storeStatusText: 'X-Mms-Store-Status-Text',
  stored: 'X-Mms-Stored',
  attributes: 'X-Mms-Attributes',
  totals: 'X-Mms-Totals',
  mboxTotals: 'X-Mms-Mbox-Totals',
  quotas: 'X-Mms-Quotas',
  mboxQuotas: 'X-Mms-Mbox-Quotas',
  messageCount: 'X-Mms-Message-Count',
  content: 'Content',
  start: 'X-Mms-Start',
  additionalHeaders: 'Additional-headers',
  distributionIndicator: 'X-Mms-Distribution-Indicator',
  elementDescriptor: 'X-Mms-Element-Descriptor',
  limit: 'X-Mms-Limit',
  recommendedRetrievalMode: 'X-Mms-Recommended-Retrieval-Mode',
  recommendedRetrievalModeText: 'X-Mms-Recommended-Retrieval-Mode-Text',
  statusText: 'X-Mms-Status-Text',
  applicId: 'X-Mms-Applic-ID',
  replyApplicId: 'X-Mms-Reply-Applic-ID',
  auxApplicInfo: 'X-Mms-Aux-Applic-Info',
  contentClass: 'X-Mms-Content-Class',
  drmContent: 'X-Mms-DRM-Content',
  adaptationAllowed: 'X-Mms-Adaptation-Allowed',
  replaceId: 'X-Mms-Replace-ID',
  cancelId: 'X-Mms-Cancel-ID',
  cancelStatus: 'X-Mms-Cancel-Status',
};
