import type { Address } from './address.js';
import type { RecipientKind } from './message.js';

/**
 * Per-recipient lifecycle. A message is received once; each recipient then moves on its own.
 * `delivered`, `rejected` and `expired` are final.
 */
export type RecipientState =
  | 'received'
  | 'routed'
  | 'charged'
  | 'notified'
  | 'retrieved'
  | 'forwarded'
  | 'delivered'
  | 'rejected'
  | 'expired';

export const FINAL_STATES: ReadonlySet<RecipientState> = new Set(['delivered', 'rejected', 'expired']);

const ALLOWED: Record<RecipientState, readonly RecipientState[]> = {
  received: ['routed', 'rejected', 'expired'],
  routed: ['charged', 'rejected', 'expired', 'routed'],
  charged: ['notified', 'forwarded', 'delivered', 'rejected', 'expired'],
  // A handset may fetch before the notification job records success, and may be re-notified.
  notified: ['notified', 'retrieved', 'delivered', 'forwarded', 'rejected', 'expired'],
  retrieved: ['retrieved', 'delivered', 'forwarded', 'rejected', 'expired'],
  forwarded: ['forwarded', 'delivered', 'rejected', 'expired'],
  delivered: [],
  rejected: [],
  expired: [],
};

export function canTransition(from: RecipientState, to: RecipientState): boolean {
  return ALLOWED[from].includes(to);
}

export class InvalidTransitionError extends Error {
  constructor(from: RecipientState, to: RecipientState) {
    super(`recipient cannot move from ${from} to ${to}`);
    this.name = 'InvalidTransitionError';
  }
}

export interface StateChange {
  state: RecipientState;
  /** Epoch milliseconds. */
  at: number;
  /** The plugin (or `kernel`) that moved the recipient. */
  by: string;
  reason?: string;
  /**
   * Set on an entry that records something that happened to the recipient without moving it
   * (`state` is then the state it stayed in): e.g. `cancel-sent` when an m-cancel-req was pushed
   * to the handset, `cancel-confirmed` when the handset answered it.
   */
  event?: string;
  /** The node (`node.id`) that made the change, in a cluster. */
  node?: string;
}

/** What `MmscRuntime.recordEvent` appends to a recipient's history. */
export interface RecipientEvent {
  /** The plugin (or `kernel`) recording it. */
  by: string;
  /** A short token: `cancel-sent`, `cancel-confirmed`, … */
  event: string;
  reason?: string;
  /** Merged into the recipient's attributes (a push reference learnt late, …). */
  attributes?: Record<string, string | number | boolean>;
}

/** Appends an event to a recipient's history; its state does not change. */
export function applyEvent(record: RecipientRecord, event: RecipientEvent, at: number): RecipientRecord {
  const entry: StateChange = { state: record.state, at, by: event.by, event: event.event };
  if (event.reason !== undefined) entry.reason = event.reason;
  const attributes = event.attributes ? { ...record.attributes, ...event.attributes } : record.attributes;
  return { ...record, attributes, history: [...record.history, entry] };
}

/** Where the route stage sent a recipient. */
export interface Route {
  /** `local` (this MMSC's handsets), `mm4`, `mm3`, `mm7`, or a custom deliverer's target. */
  target: string;
  /** Target-specific destination: peer domain, VASP id, e-mail host… */
  destination?: string;
  /** The plugin that decided. */
  by: string;
  attributes?: Record<string, string | number | boolean>;
}

export interface RecipientRecord {
  index: number;
  address: Address;
  kind: RecipientKind;
  state: RecipientState;
  history: StateChange[];
  route?: Route;
  /** Set by the charge stage, for backends that reserve now and commit later. */
  charge?: Record<string, string | number | boolean>;
  /** Interface-specific data (content-location token, SMSC message id, …). */
  attributes: Record<string, string | number | boolean>;
}

export function applyTransition(
  record: RecipientRecord,
  to: RecipientState,
  by: string,
  at: number,
  reason?: string,
): RecipientRecord {
  if (!canTransition(record.state, to)) throw new InvalidTransitionError(record.state, to);
  const change: StateChange = reason === undefined ? { state: to, at, by } : { state: to, at, by, reason };
  return { ...record, state: to, history: [...record.history, change] };
}
