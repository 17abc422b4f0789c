import type { Address } from '../model/address.js';
import type { RecipientRecord } from '../model/recipient-state.js';
import type { Reason } from '../pipeline/verdict.js';
import type { AttributeValue, StoredMessage } from './message-store.js';
import type { DeliveryStatus, ReadStatus } from './report-sender.js';

export * from './charging-records.js';

/** An event an operator may bill on; charging backends write CDRs or commit reservations. */
export type ChargingEventType =
  | 'submission'
  | 'recipient-rejected'
  | 'notified'
  | 'retrieved'
  | 'delivered'
  | 'forwarded'
  | 'expired'
  | 'delivery-report'
  | 'read-report';

export interface ChargingEvent {
  type: ChargingEventType;
  at: number;
  message: StoredMessage;
  /** Absent for message-level events such as `submission`. */
  recipient?: RecipientRecord;
  status?: DeliveryStatus | ReadStatus | string;
}

export interface ChargeRequest {
  /** Message metadata before it is stored (id already assigned). */
  message: Omit<StoredMessage, 'attributes'> & { attributes: Record<string, AttributeValue> };
  recipients: ReadonlyArray<{ address: Address; index: number; kind: RecipientRecord['kind']; route?: RecipientRecord['route'] }>;
  signal: AbortSignal;
}

export type ChargeDecision =
  | { kind: 'accept'; perRecipient?: ReadonlyMap<number, ChargeRecipientDecision> }
  | { kind: 'reject'; reason: Reason }
  | { kind: 'defer'; reason: Reason };

/**
 * Key in `ChargeRecipientDecision.charge` (kept as `RecipientRecord.charge`) for the online
 * charging session a recipient's charge belongs to, such as the Diameter Session-Id of a Ro
 * credit-control request. Online backends set it; offline backends copy it into their records.
 */
export const CHARGING_SESSION_ID = 'chargingSessionId';

export type ChargeRecipientDecision =
  | { kind: 'accept'; charge?: Record<string, AttributeValue> }
  | { kind: 'reject'; reason: Reason };

/** A charging record a backend wrote for an event: the kernel notes it in the recipients' histories. */
export interface ChargingRecordWritten {
  /** TS 32.298 record type (`MMO1S`, `MMR1Rt`, …) or the backend's own word. */
  recordType: string;
  /** The record's id (for CDRs, `cdrId`: the billing system's duplicate key). */
  id: string;
}

/** Offline (CDRs) and online (credit control) charging. Every bound backend is consulted. */
export interface ChargingBackend {
  readonly name: string;
  /** Charge stage: may refuse the message or some recipients (no credit, barred). */
  authorize?(request: ChargeRequest): Promise<ChargeDecision>;
  /**
   * The submission that `authorize` accepted did not complete (a later handler refused it, or
   * storing failed): undo whatever `authorize` reserved or debited.
   */
  release?(request: ChargeRequest, reason: Reason): Promise<void>;
  /**
   * Billing events after the charge stage; must not throw for bookkeeping failures it can retry
   * itself. Answers the records it wrote (if any): each becomes a `cdr-written` entry in the
   * history of the event's recipient (of every recipient, for a message-level event).
   */
  record?(event: ChargingEvent): Promise<void | readonly ChargingRecordWritten[]>;
}
