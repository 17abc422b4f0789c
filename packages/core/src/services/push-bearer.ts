import type { Address } from '../model/address.js';
import type { EncodedText, MessageClass } from '../model/message.js';

/** What a notification announces; MM1 turns it into an m-notification-ind. */
export interface NotificationInfo {
  messageId: string;
  recipient: Address;
  /** Absent when the sender asked to be hidden. */
  from?: Address;
  subject?: EncodedText;
  messageClass?: MessageClass;
  size: number;
  expiry: Date;
  /** URL the handset fetches; set by the MM1 plugin's notify handler. */
  contentLocation?: string;
  /** `message` for a new MMS, `delivery-report` / `read-report` for reports pushed to the sender. */
  kind: 'message' | 'delivery-report' | 'read-report';
}

export interface PushRequest {
  to: Address;
  notification: NotificationInfo;
  /** The encoded WAP Push (WSP push PDU carrying the m-notification-ind), when built. */
  pdu?: Uint8Array;
  /**
   * Send this as a plain text SMS instead of a WAP Push (handsets that cannot do MMS get a web
   * link; bearers that cannot send text answer `failed`).
   */
  text?: string;
}

export type PushResult =
  | { status: 'sent'; reference?: string }
  | { status: 'retry'; reason: string; retryAfterMs?: number }
  | { status: 'failed'; reason: string };

/** Carries notifications to handsets (SMPP, PAP, …). */
export interface PushBearer {
  readonly name: string;
  push(request: PushRequest, signal: AbortSignal): Promise<PushResult>;
}
