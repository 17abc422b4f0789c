import type { Logger } from 'pino';
import type { Address } from '../model/address.js';
import type { MmsMessage, Origin, RecipientKind } from '../model/message.js';
import type { Route, StateChange } from '../model/recipient-state.js';
import type { AttributeValue } from '../services/message-store.js';

export type StageName = 'receive' | 'route' | 'transcode' | 'charge' | 'store' | 'notify' | 'deliver';
export const STAGES: readonly StageName[] = ['receive', 'route', 'transcode', 'charge', 'store', 'notify', 'deliver'];
/** Stages that run while the sender waits, before anything is acknowledged. */
export const SUBMISSION_STAGES = ['receive', 'route', 'transcode', 'charge', 'store'] as const;
export type SubmissionStage = (typeof SUBMISSION_STAGES)[number];

/** A recipient still in play during the submission stages. */
export interface PendingRecipient {
  readonly index: number;
  readonly address: Address;
  readonly kind: RecipientKind;
  /** `addressKey(address)`, the key of per-recipient verdicts. */
  readonly key: string;
  route?: Route;
  charge?: Record<string, AttributeValue>;
  /** Adaptation class whose variant this recipient gets. */
  variant?: string;
  attributes: Record<string, AttributeValue>;
  readonly history: StateChange[];
}

export interface MessageContext {
  readonly id: string;
  readonly stage: SubmissionStage;
  /** Receive-stage handlers may edit headers and parts; later stages should treat it as read-only. */
  readonly message: MmsMessage;
  readonly origin: Origin;
  /** Recipients not (yet) rejected or deferred. */
  readonly recipients: readonly PendingRecipient[];
  /** Message attributes, stored with it (e.g. an anti-spam score). */
  readonly attributes: Record<string, AttributeValue>;
  readonly receivedAt: number;
  readonly expiresAt: number;
  readonly size: number;
  readonly log: Logger;
  readonly signal: AbortSignal;
  /** Routes a recipient (route stage); `by` is filled with the calling plugin's name. */
  route(recipient: PendingRecipient, route: Omit<Route, 'by'>): void;
}
