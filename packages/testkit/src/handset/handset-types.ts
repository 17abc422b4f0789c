import type { DeliveryInd, ForwardConf, NotificationInd, ReadOrigInd, RetrieveConf, SendConf, WapPush, WspPart as MmsPart } from '@openmmsc/codec';
import type { HttpClient } from './http-client.js';

/** One SMS as the simulated SMSC hands it on (the submit_sm an ESME sent). */
export interface HandsetSms {
  destinationAddr: string;
  sourceAddr?: string;
  esmClass?: number;
  dataCoding?: number;
  /** UDH (when esm_class has UDHI, 0x40) + user data. */
  shortMessage?: Uint8Array;
  /** The message_payload TLV, for SMSCs that carry long data there. */
  messagePayload?: Uint8Array;
}

/** What a handset listens to for SMS: the simulated SMSC (`smsc.on('submit', …)`). */
export interface SmsSource {
  on(event: 'submit', listener: (sms: HandsetSms) => void): unknown;
  off?(event: 'submit', listener: (sms: HandsetSms) => void): unknown;
  removeListener?(event: 'submit', listener: (sms: HandsetSms) => void): unknown;
}

/** What the handset does when a notification arrives. */
export type HandsetMode =
  /** GET the content, then m-notifyresp-ind Retrieved (immediate retrieval). */
  | 'immediate'
  /** GET the content, then m-acknowledge-ind (deferred retrieval completing at once). */
  | 'fetch-acknowledge'
  /** m-notifyresp-ind Deferred; fetch later with `fetch` + `acknowledge`. */
  | 'defer'
  /** m-notifyresp-ind Rejected. */
  | 'reject'
  /** m-notifyresp-ind Unrecognised. */
  | 'unrecognised'
  /** Nothing: the test drives every step. */
  | 'manual';

export interface SimulatedHandsetOptions {
  /** `+15550000001` (or digits). */
  msisdn: string;
  /** Where the handset POSTs PDUs: the MMSC URL (e.g. `http://127.0.0.1:8080/mms`). */
  mmscUrl: string;
  /** The simulated SMSC whose submits reach this handset. */
  smsc?: SmsSource;
  mode?: HandsetMode;
  /** Identity header the WAP gateway would add; `null` sends none. Default X-WAP-Network-Client-MSISDN. */
  msisdnHeader?: string | null;
  /** X-Mms-MMS-Version the handset writes. Default 1.2. */
  mmsVersion?: string;
  /** Shared HTTP client (keep-alive pool); a private one otherwise. */
  http?: HttpClient;
  /** Called for each step, for readable demo logs. */
  onEvent?: (event: HandsetEvent) => void;
  /** Keep what arrives in `notifications`, `messages`, … (default true; false for load tests, events only). */
  record?: boolean;
}

export type HandsetEvent =
  | { type: 'notification'; handset: string; pdu: NotificationInd }
  | { type: 'retrieved'; handset: string; message: ReceivedMessage }
  | { type: 'delivery-report'; handset: string; pdu: DeliveryInd }
  | { type: 'read-report'; handset: string; pdu: ReadOrigInd }
  | { type: 'text'; handset: string; text: string }
  | { type: 'sent'; handset: string; result: SendResult }
  | { type: 'answered'; handset: string; pdu: string; status?: string; httpStatus: number }
  | { type: 'error'; handset: string; error: Error };

export interface ReceivedNotification {
  pdu: NotificationInd;
  push: WapPush;
  at: number;
}

export interface ReceivedMessage {
  notification?: NotificationInd;
  pdu: RetrieveConf;
  /** Text of every text/plain part, in order. */
  texts: string[];
  parts: MmsPart[];
  httpStatus: number;
}

export interface SendSpec {
  to: string | string[];
  cc?: string[];
  bcc?: string[];
  subject?: string;
  text?: string;
  /** Further parts: `{ contentType, data, name? }`. */
  attachments?: Array<{ contentType: string; data: Uint8Array; name?: string }>;
  deliveryReport?: boolean;
  readReport?: boolean;
  /** Relative expiry in seconds. */
  expirySeconds?: number;
  senderVisibility?: 'hide' | 'show';
  /** Override the From the handset claims (default: insert-address token). */
  from?: string;
}

export interface SendResult {
  httpStatus: number;
  conf?: SendConf;
  /** `ok`, `error-permanent-service-denied`, … */
  status?: string;
  messageId?: string;
  text?: string;
  latencyMs: number;
}

export interface ForwardResult {
  httpStatus: number;
  conf?: ForwardConf;
  status?: string;
  messageId?: string;
}
