import type { MmsMessage, MmsPart, Origin } from '../model/message.js';
import type { PendingRecipient } from '../pipeline/context.js';
import type { Reason } from '../pipeline/verdict.js';
import type { AttributeValue } from '../services/message-store.js';
import type { ChargeRequest, ChargingBackend } from '../services/charging-backend.js';

/** A message on its way through the submission stages, with recipients sorted by fate. */
export interface WorkingSet {
  id: string;
  message: MmsMessage;
  origin: Origin;
  receivedAt: number;
  expiresAt: number;
  size: number;
  attributes: Record<string, AttributeValue>;
  /** Route targets the ingress accepts; others are refused after routing (`SubmitInput.acceptTargets`). */
  acceptTargets?: readonly string[];
  active: PendingRecipient[];
  rejected: Array<{ recipient: PendingRecipient; reason: Reason }>;
  deferred: Array<{ recipient: PendingRecipient; reason: Reason; retryAfterMs?: number }>;
  /** Adapted parts per adaptation class, saved with the message. */
  variants: Map<string, MmsPart[]>;
  /** Charging backends that accepted this submission, to release if it does not complete. */
  authorized: Array<{ backend: ChargingBackend; request: ChargeRequest }>;
}

export type StageOutcome =
  | { kind: 'continue' }
  | { kind: 'reject'; reason: Reason }
  | { kind: 'defer'; reason: Reason; retryAfterMs?: number };

export const CONTINUE: StageOutcome = { kind: 'continue' };

export function rejectRecipient(ws: WorkingSet, recipient: PendingRecipient, reason: Reason, by: string, at: number): void {
  ws.active = ws.active.filter((r) => r !== recipient);
  recipient.history.push({ state: 'rejected', at, by, reason: reason.message });
  ws.rejected.push({ recipient, reason });
}

export function deferRecipient(ws: WorkingSet, recipient: PendingRecipient, reason: Reason, retryAfterMs?: number): void {
  ws.active = ws.active.filter((r) => r !== recipient);
  ws.deferred.push(retryAfterMs === undefined ? { recipient, reason } : { recipient, reason, retryAfterMs });
}
