/** MM7 operations as plain data. Element names follow the schemas; dates stay strings. */

export type Mm7AddressKind = 'Number' | 'RFC2822Address' | 'ShortCode';

export interface Mm7Address {
  kind: Mm7AddressKind;
  value: string;
  displayOnly?: boolean;
}

export interface Mm7Recipients {
  to: Mm7Address[];
  cc: Mm7Address[];
  bcc: Mm7Address[];
}

export interface SenderIdentification {
  vaspId?: string;
  vasId?: string;
  senderAddress?: Mm7Address;
}

export interface ContentReference {
  href: string;
  allowAdaptations?: boolean;
}

export interface Mm7Status {
  code: number;
  text: string;
  /** Raw `Details` children, written as given (foreign namespace). */
  details?: DetailItem[];
}

/** One entry of Status/Details as we write and read them: a per-recipient outcome. */
export interface DetailItem {
  address: string;
  code: number;
  text?: string;
}

export type MessageClassValue = 'Personal' | 'Informational' | 'Advertisement' | 'Auto';
export type PriorityValue = 'Normal' | 'High' | 'Low';

/** ApplicID & co (REL-6-MM7-1-4). */
export interface ApplicationIds {
  applicId?: string;
  replyApplicId?: string;
  auxApplicInfo?: string;
}

export interface SubmitReq extends ApplicationIds {
  type: 'SubmitReq';
  senderIdentification: SenderIdentification;
  recipients: Mm7Recipients;
  serviceCode?: string;
  linkedId?: string;
  messageClass?: MessageClassValue;
  timeStamp?: string;
  replyCharging?: { size?: number; deadline?: string };
  earliestDeliveryTime?: string;
  expiryDate?: string;
  deliveryReport?: boolean;
  readReply?: boolean;
  priority?: PriorityValue;
  subject?: string;
  chargedParty?: string;
  chargedPartyId?: string;
  distributionIndicator?: boolean;
  deliveryCondition?: number[];
  contentClass?: string;
  drmContent?: boolean;
  content?: ContentReference;
}

export interface DeliverReq extends ApplicationIds {
  type: 'DeliverReq';
  relayServerId?: string;
  vaspId?: string;
  vasId?: string;
  linkedId?: string;
  sender: Mm7Address;
  recipients?: Mm7Recipients;
  timeStamp?: string;
  replyChargingId?: string;
  priority?: PriorityValue;
  subject?: string;
  content?: ContentReference;
}

export interface CancelReq extends ApplicationIds {
  type: 'CancelReq';
  senderIdentification: SenderIdentification;
  messageId: string;
}

export interface ReplaceReq extends ApplicationIds {
  type: 'ReplaceReq';
  senderIdentification: SenderIdentification;
  messageId: string;
  serviceCode?: string;
  timeStamp?: string;
  readReply?: boolean;
  earliestDeliveryTime?: string;
  distributionIndicator?: boolean;
  contentClass?: string;
  drmContent?: boolean;
  content?: ContentReference;
}

export interface ExtendedCancelReq {
  type: 'extendedCancelReq';
  senderIdentification: SenderIdentification;
  cancelId: string;
}

export interface ExtendedReplaceReq {
  type: 'extendedReplaceReq';
  vaspId?: string;
  vasId?: string;
  serviceCode?: string;
  replaceId?: string;
  timeStamp?: string;
  earliestDeliveryTime?: string;
  expiryDate?: string;
  readReply?: boolean;
  deliveryReport?: boolean;
  content?: ContentReference;
}

export interface DeliveryReportReq extends ApplicationIds {
  type: 'DeliveryReportReq';
  relayServerId?: string;
  messageId: string;
  recipient: Mm7Address;
  sender: Mm7Address;
  date: string;
  mmStatus: string;
  mmStatusExtension?: string;
  statusText?: string;
}

export interface ReadReplyReq extends ApplicationIds {
  type: 'ReadReplyReq';
  relayServerId?: string;
  messageId: string;
  recipient: Mm7Address;
  sender: Mm7Address;
  timeStamp: string;
  mmStatus: 'Indeterminate' | 'Read' | 'Deleted' | string;
  statusText?: string;
}

export type GenericRspType = 'CancelRsp' | 'ReplaceRsp' | 'DeliveryReportRsp' | 'ReadReplyRsp' | 'RSErrorRsp' | 'VASPErrorRsp';

export interface GenericRsp {
  type: GenericRspType;
  status: Mm7Status;
}

export interface SubmitRsp {
  type: 'SubmitRsp';
  status: Mm7Status;
  messageId?: string;
}

export interface DeliverRsp {
  type: 'DeliverRsp';
  status: Mm7Status;
  serviceCode?: string;
}

export interface ExtendedCancelRsp {
  type: 'extendedCancelRsp';
  status: Mm7Status;
}

export interface ExtendedReplaceRsp {
  type: 'extendedReplaceRsp';
  messageId: string;
  status: Mm7Status;
}

export type Mm7Request = SubmitReq | DeliverReq | CancelReq | ReplaceReq | ExtendedCancelReq | ExtendedReplaceReq | DeliveryReportReq | ReadReplyReq;
export type Mm7Response = SubmitRsp | DeliverRsp | GenericRsp | ExtendedCancelRsp | ExtendedReplaceRsp;
export type Mm7Body = Mm7Request | Mm7Response;
export type Mm7BodyType = Mm7Body['type'];

export const REQUEST_TYPES: ReadonlySet<string> = new Set([
  'SubmitReq',
  'DeliverReq',
  'CancelReq',
  'ReplaceReq',
  'extendedCancelReq',
  'extendedReplaceReq',
  'DeliveryReportReq',
  'ReadReplyReq',
]);

export const RESPONSE_TYPES: ReadonlySet<string> = new Set([
  'SubmitRsp',
  'DeliverRsp',
  'CancelRsp',
  'ReplaceRsp',
  'extendedCancelRsp',
  'extendedReplaceRsp',
  'DeliveryReportRsp',
  'ReadReplyRsp',
  'RSErrorRsp',
  'VASPErrorRsp',
]);

/** The response element that answers a request element. */
export const RESPONSE_OF: Readonly<Record<Mm7Request['type'], Mm7Response['type']>> = {
  SubmitReq: 'SubmitRsp',
  DeliverReq: 'DeliverRsp',
  CancelReq: 'CancelRsp',
  ReplaceReq: 'ReplaceRsp',
  extendedCancelReq: 'extendedCancelRsp',
  extendedReplaceReq: 'extendedReplaceRsp',
  DeliveryReportReq: 'DeliveryReportRsp',
  ReadReplyReq: 'ReadReplyRsp',
};

/** A SOAP fault as read or written; `detail` carries an RSErrorRsp / VASPErrorRsp. */
export interface SoapFault {
  faultcode: string;
  faultstring: string;
  detail?: GenericRsp;
}
