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
  /**
   * Set when this notification supersedes one the handset already has for the same message
   * (MM7 ReplaceReq after the first notification): the id it replaces (MM1: X-Mms-Replace-ID).
   */
  replaces?: string;
  /** URL the handset fetches; set by the MM1 plugin's notify handler. */
  contentLocation?: string;
  /**
   * `message` for a new MMS, `delivery-report` / `read-report` for reports pushed to the sender,
   * `cancel` when a message the handset was notified of is withdrawn (MM1: m-cancel-req).
   */
  kind: 'message' | 'delivery-report' | 'read-report' | 'cancel';
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

/**
 * - `sent`: handed to the network; the recipient is notified.
 * - `retry`: this push failed (the SMSC answered a temporary error): one attempt of the notify
 *   job's budget is used, and it runs again after back-off (or `retryAfterMs`).
 * - `unavailable`: not this push's failure: the bearer cannot carry anything now (no link bound,
 *   the SMSC throttles or hangs). The kernel holds the notification without using an attempt
 *   until `retryAfterMs` has passed or the bearer reports it is available again
 *   (`onAvailable`), and never past the message's expiry.
 * - `failed`: this recipient can never be reached this way; it is rejected.
 */
export type PushResult =
  | { status: 'sent'; reference?: string }
  | { status: 'retry'; reason: string; retryAfterMs?: number }
  | { status: 'unavailable'; reason: string; retryAfterMs?: number }
  | { status: 'failed'; reason: string };

export interface BearerAvailability {
  available: boolean;
  /** What stops it, or what is degraded while it still works (a link out of rotation). */
  detail?: string;
}

/** Carries notifications to handsets (SMPP, PAP, …). */
export interface PushBearer {
  readonly name: string;
  push(request: PushRequest, signal: AbortSignal): Promise<PushResult>;
  /**
   * Whether the bearer can carry notifications now, with what operators should see (e.g. each
   * link's state). Reported by `/ready` and `/ready/notify` as the node's ability to notify,
   * apart from its readiness to accept messages.
   */
  availability?(): BearerAvailability;
  /**
   * Calls `listener` when the bearer may take held notifications again (a link bound, a
   * throttle ended), so they run at once instead of at the end of their hold. Returns a
   * function that removes the listener.
   */
  onAvailable?(listener: () => void): () => void;
}
