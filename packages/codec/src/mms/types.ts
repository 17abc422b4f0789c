import type { ContentType } from '../wsp/content-type.js';
import type { WspPart, DecodeWarning } from '../wsp/multipart.js';
import type {
  CancelStatus,
  ContentClass,
  FieldName,
  MessageClass,
  MessageType,
  MmFlagsAction,
  MmState,
  Priority,
  ReadStatus,
  RecommendedRetrievalMode,
  ReplyCharging,
  ResponseStatus,
  RetrieveStatus,
  SenderVisibility,
  Status,
  StoreStatus,
} from './constants.js';

/**
 * A value of an enumerated header: its name, or the raw octet (0x80..0xFF) when the code is not
 * assigned (kept so that unknown values survive a round trip).
 */
export type Coded<T extends string> = T | number;

/** Encoded-string-value: text, plus the charset when it was (or should be) written explicitly. */
export interface EncodedString {
  text: string;
  /** Charset name (`utf-8`, `iso-8859-1`, `shift_jis`, ...). Absent: plain Text-string. */
  charset?: string;
}

/**
 * An address: `+15550001/TYPE=PLMN` is `{ address: '+15550001', type: 'PLMN' }`; an e-mail
 * address has no type.
 */
export interface EncodedAddress {
  address: string;
  /** `PLMN`, `IPv4`, `IPv6` or another token after `/TYPE=`, as written. */
  type?: string;
  charset?: string;
}

/** From: an address, or the insert-address token (the MMSC fills in the sender). */
export interface FromAddress extends EncodedAddress {
  insertAddress?: boolean;
}

/** Expiry / Delivery-Time / Reply-Charging-Deadline. */
export type TimeValue = { absolute: Date } | { relativeSeconds: number };

export interface PreviouslySentBy {
  forwardedCount: number;
  address: EncodedAddress;
}

export interface PreviouslySentDate {
  forwardedCount: number;
  date: Date;
}

export interface MmFlag {
  action: MmFlagsAction;
  keyword: EncodedString;
}

export interface MboxCounts {
  /** Message-total-token: number of messages. */
  messages?: number;
  /** Size-total-token: octets. */
  bytes?: number;
}

export interface ElementDescriptor {
  contentReference: string;
  /** `type` (the element's media type) and any other parameters. */
  params?: Record<string, string>;
}

/** One entry of an m-mbox-delete-conf / m-delete-conf (headers with a Status-count index). */
export interface DeleteResult {
  index: number;
  contentLocation?: string;
  responseStatus?: Coded<ResponseStatus>;
  responseText?: EncodedString;
}

/**
 * A header the codec does not interpret: textual (`X-Foo: bar`), well-known (by code) with its raw
 * encoded value, or a textual name with a binary value.
 */
export type UnknownHeader =
  | { name: string; value: string }
  | { code: number; raw: Uint8Array }
  | { name: string; raw: Uint8Array; code?: undefined };

/** A message body: WSP multipart entries, or a single body (non-multipart content type). */
export type MmsBody =
  | { contentType: ContentType; parts: WspPart[]; data?: undefined }
  | { contentType: ContentType; data: Uint8Array; parts?: undefined };

/** Every header field of MMS 1.3 with its decoded type. PDU types pick from these. */
export interface MmsHeaderFields {
  transactionId: string;
  /** `1.0`, `1.1`, `1.2`, `1.3` (major.minor). */
  mmsVersion: string;
  messageId: string;
  date: Date;
  from: FromAddress;
  to: EncodedAddress[];
  cc: EncodedAddress[];
  bcc: EncodedAddress[];
  subject: EncodedString;
  messageClass: Coded<MessageClass> | string;
  priority: Coded<Priority>;
  expiry: TimeValue;
  deliveryTime: TimeValue;
  deliveryReport: boolean;
  readReport: boolean;
  reportAllowed: boolean;
  senderVisibility: Coded<SenderVisibility>;
  messageSize: number;
  contentLocation: string;
  contentLocations: string[];
  responseStatus: Coded<ResponseStatus>;
  responseText: EncodedString;
  status: Coded<Status>;
  statusText: EncodedString;
  retrieveStatus: Coded<RetrieveStatus>;
  retrieveText: EncodedString;
  readStatus: Coded<ReadStatus>;
  replyCharging: Coded<ReplyCharging>;
  replyChargingDeadline: TimeValue;
  replyChargingId: string;
  replyChargingSize: number;
  previouslySentBy: PreviouslySentBy[];
  previouslySentDate: PreviouslySentDate[];
  store: boolean;
  mmState: Coded<MmState>;
  mmStates: Coded<MmState>[];
  mmFlags: MmFlag[];
  storeStatus: Coded<StoreStatus>;
  storeStatusText: EncodedString;
  stored: boolean;
  /** Header fields asked for in an m-mbox-view-req (field names; unknown codes as numbers). */
  attributes: (FieldName | number)[];
  totals: boolean;
  mboxTotals: MboxCounts;
  quotas: boolean;
  mboxQuotas: MboxCounts;
  messageCount: number;
  start: number;
  limit: number;
  distributionIndicator: boolean;
  elementDescriptor: ElementDescriptor;
  recommendedRetrievalMode: Coded<RecommendedRetrievalMode>;
  recommendedRetrievalModeText: EncodedString;
  applicId: string;
  replyApplicId: string;
  auxApplicInfo: string;
  contentClass: Coded<ContentClass>;
  drmContent: boolean;
  adaptationAllowed: boolean;
  replaceId: string;
  cancelId: string;
  cancelStatus: Coded<CancelStatus>;
  deleteResults: DeleteResult[];
}

/** Fields every PDU may carry. */
export interface PduCommon {
  /** Headers the codec does not interpret, in their original order. */
  unknownHeaders?: UnknownHeader[];
  /**
   * Set by the decoder when it accepted a deviation from the spec (lenient mode), or salvaged
   * incomplete content (`salvage`). Absent when there is nothing to report. Ingress code should
   * log or count these: each has the `offset` and a `message` (and a `reason` if salvaged).
   */
  warnings?: DecodeWarning[];
}

/**
 * A PDU type: its message type, the header fields the spec lists for it (all optional in the type:
 * the decoder is lenient and reports missing mandatory headers as warnings; the encoder checks
 * them), and a body. `B` marks PDUs whose body the spec defines; the others may still carry one when
 * a sender added it.
 */
type Pdu<T extends MessageType, K extends keyof MmsHeaderFields, B extends boolean = false> = {
  messageType: T;
} & Partial<Pick<MmsHeaderFields, K | 'mmsVersion'>> &
  PduCommon & { body?: B extends true ? MmsBody : MmsBody };

type ReplyChargingFields = 'replyCharging' | 'replyChargingDeadline' | 'replyChargingId' | 'replyChargingSize';
type ApplicFields = 'applicId' | 'replyApplicId' | 'auxApplicInfo';

export type SendReq = Pdu<
  'm-send-req',
  | 'transactionId' | 'date' | 'from' | 'to' | 'cc' | 'bcc' | 'subject' | 'messageClass' | 'expiry' | 'deliveryTime'
  | 'deliveryReport' | 'priority' | 'senderVisibility' | 'readReport' | ReplyChargingFields | 'store' | 'mmState'
  | 'mmFlags' | ApplicFields | 'contentClass' | 'drmContent' | 'adaptationAllowed' | 'messageId',
  true
>;
export type SendConf = Pdu<
  'm-send-conf',
  'transactionId' | 'responseStatus' | 'responseText' | 'messageId' | 'contentLocation' | 'storeStatus' | 'storeStatusText'
>;
export type NotificationInd = Pdu<
  'm-notification-ind',
  | 'transactionId' | 'from' | 'subject' | 'deliveryReport' | 'stored' | 'messageClass' | 'priority' | 'messageSize'
  | 'expiry' | ReplyChargingFields | 'contentLocation' | 'distributionIndicator' | 'elementDescriptor'
  | 'recommendedRetrievalMode' | 'recommendedRetrievalModeText' | ApplicFields | 'contentClass' | 'drmContent'
  | 'replaceId' | 'date' | 'messageId'
>;
/** X-Mms-Store (with the MM-State and MM-Flags of the copy): the recipient keeps a copy in its MMBox. */
type StoreFields = 'store' | 'mmState' | 'mmFlags';
export type NotifyRespInd = Pdu<'m-notifyresp-ind', 'transactionId' | 'status' | 'reportAllowed' | StoreFields>;
export type RetrieveConf = Pdu<
  'm-retrieve-conf',
  | 'transactionId' | 'messageId' | 'date' | 'from' | 'previouslySentBy' | 'previouslySentDate' | 'to' | 'cc'
  | 'subject' | 'mmState' | 'mmFlags' | 'messageClass' | 'priority' | 'deliveryReport' | 'readReport'
  | ReplyChargingFields | 'retrieveStatus' | 'retrieveText' | 'distributionIndicator' | ApplicFields
  | 'contentClass' | 'drmContent' | 'replaceId' | 'senderVisibility' | 'expiry' | 'deliveryTime',
  true
>;
export type AcknowledgeInd = Pdu<'m-acknowledge-ind', 'transactionId' | 'reportAllowed' | StoreFields>;
export type DeliveryInd = Pdu<
  'm-delivery-ind',
  'messageId' | 'to' | 'date' | 'status' | 'statusText' | ApplicFields | 'transactionId'
>;
export type ReadRecInd = Pdu<
  'm-read-rec-ind',
  'messageId' | 'to' | 'from' | 'date' | 'readStatus' | ApplicFields | 'transactionId'
>;
export type ReadOrigInd = Pdu<
  'm-read-orig-ind',
  'messageId' | 'to' | 'from' | 'date' | 'readStatus' | ApplicFields | 'transactionId'
>;
export type ForwardReq = Pdu<
  'm-forward-req',
  | 'transactionId' | 'date' | 'from' | 'to' | 'cc' | 'bcc' | 'expiry' | 'deliveryTime' | 'reportAllowed'
  | 'deliveryReport' | 'readReport' | 'store' | 'mmState' | 'mmFlags' | 'contentLocation' | ApplicFields
>;
export type ForwardConf = Pdu<
  'm-forward-conf',
  'transactionId' | 'responseStatus' | 'responseText' | 'messageId' | 'contentLocation' | 'storeStatus' | 'storeStatusText'
>;
export type MboxStoreReq = Pdu<'m-mbox-store-req', 'transactionId' | 'contentLocation' | 'mmState' | 'mmFlags'>;
export type MboxStoreConf = Pdu<
  'm-mbox-store-conf',
  'transactionId' | 'contentLocation' | 'storeStatus' | 'storeStatusText'
>;
export type MboxViewReq = Pdu<
  'm-mbox-view-req',
  | 'transactionId' | 'contentLocations' | 'mmStates' | 'mmFlags' | 'start' | 'limit' | 'attributes' | 'totals'
  | 'quotas'
>;
export type MboxViewConf = Pdu<
  'm-mbox-view-conf',
  | 'transactionId' | 'responseStatus' | 'responseText' | 'contentLocations' | 'mmStates' | 'mmFlags' | 'start'
  | 'limit' | 'attributes' | 'messageCount' | 'mboxTotals' | 'mboxQuotas',
  true
>;
export type MboxUploadReq = Pdu<
  'm-mbox-upload-req',
  'transactionId' | 'mmState' | 'mmFlags' | ApplicFields,
  true
>;
export type MboxUploadConf = Pdu<
  'm-mbox-upload-conf',
  'transactionId' | 'contentLocation' | 'storeStatus' | 'storeStatusText'
>;
export type MboxDeleteReq = Pdu<'m-mbox-delete-req', 'transactionId' | 'contentLocations'>;
export type MboxDeleteConf = Pdu<
  'm-mbox-delete-conf',
  'transactionId' | 'deleteResults' | 'responseStatus' | 'responseText' | 'contentLocation'
>;
export type MboxDescr = Pdu<
  'm-mbox-descr',
  | 'transactionId' | 'contentLocation' | 'messageId' | 'mmState' | 'mmFlags' | 'date' | 'from' | 'to' | 'cc'
  | 'bcc' | 'messageClass' | 'subject' | 'priority' | 'deliveryTime' | 'expiry' | 'deliveryReport' | 'readReport'
  | 'messageSize' | ReplyChargingFields | 'previouslySentBy' | 'previouslySentDate' | ApplicFields
  | 'contentClass' | 'drmContent',
  true
>;
export type DeleteReq = Pdu<'m-delete-req', 'transactionId' | 'contentLocations'>;
export type DeleteConf = Pdu<
  'm-delete-conf',
  'transactionId' | 'deleteResults' | 'responseStatus' | 'responseText' | 'contentLocation'
>;
export type CancelReq = Pdu<'m-cancel-req', 'transactionId' | 'cancelId'>;
export type CancelConf = Pdu<'m-cancel-conf', 'transactionId' | 'cancelStatus'>;

/** Any MMS PDU, discriminated by `messageType`. */
export type MmsPdu =
  | SendReq
  | SendConf
  | NotificationInd
  | NotifyRespInd
  | RetrieveConf
  | AcknowledgeInd
  | DeliveryInd
  | ReadRecInd
  | ReadOrigInd
  | ForwardReq
  | ForwardConf
  | MboxStoreReq
  | MboxStoreConf
  | MboxViewReq
  | MboxViewConf
  | MboxUploadReq
  | MboxUploadConf
  | MboxDeleteReq
  | MboxDeleteConf
  | MboxDescr
  | DeleteReq
  | DeleteConf
  | CancelReq
  | CancelConf;

/** The PDU type for a message type name: `PduOf<'m-send-req'>` is `SendReq`. */
export type PduOf<T extends MessageType> = Extract<MmsPdu, { messageType: T }>;

/** Decoder options. */
export interface DecodeOptions {
  /** Most multipart entries accepted (all levels together). Default 1000. */
  maxParts?: number;
  /**
   * Deepest multipart nesting accepted (1 = no nested multipart). Default 4; values above 64 are
   * treated as 64 (nesting is decoded by recursion and kept well away from the stack limit).
   */
  maxDepth?: number;
  /** Most headers accepted in the PDU header and in each part. Default 256. */
  maxHeaders?: number;
  /**
   * Reject deviations from the spec that lenient mode accepts with a warning: X-Mms-Message-Type
   * not first, a mandatory header missing, repeated single-valued headers, text not valid in its
   * declared charset, a known header in a value form the spec does not allow.
   */
  strict?: boolean;
  /**
   * Structurally incomplete content (the data ends inside a header, a value-length, a part's
   * headers or body, or before the announced number of multipart entries; a uintvar longer than 5
   * octets or above 2^32-1) is always an error (`truncated`, `invalid-uintvar`), strict or not.
   * With `salvage: true` it becomes a warning (with its `reason`) and the decoder returns what it
   * could read: the headers before the cut, the parts before it and the cut part's partial body.
   * For inspecting damaged captures, not for accepting traffic.
   */
  salvage?: boolean;
  /** Skip multipart decoding: the body is returned as one `data` view. */
  headersOnly?: boolean;
}
