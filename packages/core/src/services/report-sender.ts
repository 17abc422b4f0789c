import type { Address } from '../model/address.js';
import type { StoredMessage } from './message-store.js';

export type DeliveryStatus =
  | 'retrieved'
  | 'rejected'
  | 'deferred'
  | 'expired'
  | 'forwarded'
  | 'unreachable'
  | 'indeterminate'
  | 'deleted'
  | 'unrecognised';
export type ReadStatus = 'read' | 'deleted-without-reading';

export type Report =
  | { kind: 'delivery'; messageId: string; recipient: Address; status: DeliveryStatus; at: number; text?: string }
  | { kind: 'read'; messageId: string; recipient: Address; status: ReadStatus; at: number; text?: string };

/**
 * Carries delivery and read reports back to the originator over the interface the message came
 * in on (`message.origin.interface`).
 */
export interface ReportSender {
  readonly interface: string;
  send(report: Report, message: StoredMessage, signal: AbortSignal): Promise<void>;
}
