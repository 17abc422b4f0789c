import { addressKey, type Address } from '../model/address.js';
import type { MmsMessage, MmsPart, RecipientKind } from '../model/message.js';
import type { StateChange } from '../model/recipient-state.js';
import type { PendingRecipient } from '../pipeline/context.js';
import type { Reason } from '../pipeline/verdict.js';
import type { AttributeValue, StoredMessage } from '../services/message-store.js';
import type { ChargeRequest, ChargingBackend } from '../services/charging-backend.js';
import type { Capabilities } from '../services/transcoder.js';

/**
 * A message on its way through the submission stages, with recipients sorted by fate. It carries
 * the metadata it will be stored with; `acceptTargets` also refuses other route targets after routing.
 */
export interface WorkingSet extends Pick<StoredMessage, 'id' | 'origin' | 'receivedAt' | 'expiresAt' | 'size' | 'attributes' | 'acceptTargets'> {
  message: MmsMessage;
  active: PendingRecipient[];
  rejected: Array<{ recipient: PendingRecipient; reason: Reason }>;
  deferred: Array<{ recipient: PendingRecipient; reason: Reason; retryAfterMs?: number }>;
  /** Adapted parts per adaptation class, saved with the message. */
  variants: Map<string, MmsPart[]>;
  /** Classes a deferred transcoder (`adaptLater`) adapts for once the message is stored. */
  adaptLater: Map<string, Capabilities>;
  /** Charging backends that accepted this submission, to release if it does not complete. */
  authorized: Array<{ backend: ChargingBackend; request: ChargeRequest }>;
}

/** What a working set starts from: the message as received, or as stored when a recipient is routed again. */
export type WorkingSetInput = Pick<WorkingSet, 'id' | 'message' | 'origin' | 'receivedAt' | 'expiresAt' | 'size' | 'attributes' | 'active'> & {
  acceptTargets?: readonly string[] | undefined;
};

/** The one way a working set is made, for `submit` and for the reroute job alike. */
export function newWorkingSet(input: WorkingSetInput): WorkingSet {
  // Field by field, not `{ ...input }`: a rest/spread copy is a runtime call on every submission,
  // and one literal gives every working set the same shape for the stages that read it.
  const ws: WorkingSet = {
    id: input.id,
    message: input.message,
    origin: input.origin,
    receivedAt: input.receivedAt,
    expiresAt: input.expiresAt,
    size: input.size,
    attributes: input.attributes,
    active: input.active,
    rejected: [],
    deferred: [],
    variants: new Map(),
    adaptLater: new Map(),
    authorized: [],
  };
  if (input.acceptTargets) ws.acceptTargets = [...input.acceptTargets];
  return ws;
}

/** The message's metadata as it is stored, and as charging backends see it before that, counting `recipientCount` recipients. */
export function storedMessage(ws: WorkingSet, recipientCount: number): StoredMessage {
  return {
    id: ws.id,
    headers: ws.message.headers,
    origin: ws.origin,
    receivedAt: ws.receivedAt,
    expiresAt: ws.expiresAt,
    size: ws.size,
    partCount: ws.message.parts.length,
    recipientCount,
    attributes: ws.attributes,
  };
}

/** A recipient in play; `history` is what it carries into the stages. */
export function pendingRecipient(index: number, address: Address, kind: RecipientKind, attributes: Record<string, AttributeValue>, history: StateChange[]): PendingRecipient {
  return { index, address, kind, key: addressKey(address), attributes, history };
}

export function rejectRecipient(ws: WorkingSet, recipient: PendingRecipient, reason: Reason, by: string, at: number): void {
  ws.active = ws.active.filter((r) => r !== recipient);
  recipient.history.push({ state: 'rejected', at, by, reason: reason.message });
  ws.rejected.push({ recipient, reason });
}

export function deferRecipient(ws: WorkingSet, recipient: PendingRecipient, reason: Reason, retryAfterMs?: number): void {
  ws.active = ws.active.filter((r) => r !== recipient);
  ws.deferred.push(retryAfterMs === undefined ? { recipient, reason } : { recipient, reason, retryAfterMs });
}
