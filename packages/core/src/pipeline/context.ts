import type { Logger } from 'pino';
import type { Address } from '../model/address.js';
import type { MmsMessage, Origin, RecipientKind } from '../model/message.js';
import type { Route, StateChange } from '../model/recipient-state.js';
import type { AttributeValue, StoredMessage } from '../services/message-store.js';
import type { NotificationInfo } from '../services/push-bearer.js';
import type { MmsPart } from '../model/message.js';
import type { RecipientRecord } from '../model/recipient-state.js';
import type { SubmissionStage } from './stages.js';
import type { Verdict } from './verdict.js';


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

/** Notify stage: runs in the notify job, per local recipient, before the push bearer. */
export interface NotifyContext {
  readonly message: StoredMessage;
  readonly recipient: RecipientRecord;
  readonly attempt: number;
  /** Mutable: MM1 sets `contentLocation`. */
  readonly notification: NotificationInfo;
  /** Set by the interface that encodes the notification (MM1: the WSP push PDU). */
  pdu?: Uint8Array;
  /** Set instead of `pdu` to send a plain text SMS (MM1: a web link for handsets without MMS). */
  text?: string;
  readonly log: Logger;
  readonly signal: AbortSignal;
}

/** Deliver stage: runs in the deliver job, per non-local recipient, before the target's deliverer. */
export interface DeliverContext {
  readonly message: StoredMessage;
  readonly recipient: RecipientRecord;
  readonly attempt: number;
  parts: MmsPart[];
  readonly log: Logger;
  readonly signal: AbortSignal;
}

/** What a stage hook answers: a verdict, or nothing to continue. */
export type HookResult = Verdict | void | undefined;
export type MessageHook = (ctx: MessageContext) => HookResult | Promise<HookResult>;
export type NotifyHook = (ctx: NotifyContext) => HookResult | Promise<HookResult>;
export type DeliverHook = (ctx: DeliverContext) => HookResult | Promise<HookResult>;

/** Each stage's hook, by stage name. */
export type StageHooks = { [S in SubmissionStage]?: MessageHook } & { notify?: NotifyHook; deliver?: DeliverHook };
