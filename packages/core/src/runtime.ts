import type { RetryOutcome } from './kernel/operator-actions.js';
import type { AdmissionDecision } from './kernel/admission.js';
import type { Address } from './model/address.js';
import type { MmsHeaders, MmsMessage, MmsPart, Origin } from './model/message.js';
import type { RecipientEvent, RecipientRecord, RecipientState } from './model/recipient-state.js';
import type { Reason } from './pipeline/verdict.js';
import type { AttributeValue, StoredMessage } from './services/message-store.js';
import type { DeliveryStatus, Report } from './services/report-sender.js';

export interface SubmitInput {
  message: MmsMessage;
  origin: Origin;
  signal?: AbortSignal;
  /**
   * How the sender would retransmit this message (MM1 transaction id per handset, MM7
   * TransactionID per VASP, …). The same key with the same content within the window gets the
   * first answer again (`retransmission: true`) and nothing new is stored; the same key with
   * other content is a new message (`reusedKey: true`).
   */
  retransmission?: Retransmission;
  /**
   * Route targets this ingress may hand recipients to (e.g. `['local']` for MM3 and MM4: mail
   * and peers reach our own subscribers, never a relay to another network). A recipient routed
   * elsewhere is rejected with `service-denied` ("relaying denied") right after the route stage,
   * also when it is routed again later. Absent: every target.
   */
  acceptTargets?: readonly string[];
}

export interface Retransmission {
  /** Unique per sender on this ingress, e.g. `${vaspId}:${transactionId}`; the kernel scopes it by interface. */
  key: string;
  /** How long an accepted submission is remembered. */
  windowMs: number;
}

export type RecipientOutcome =
  | { address: Address; status: 'accepted' }
  | { address: Address; status: 'rejected'; reason: Reason }
  /** Accepted, but routing or charging will be tried again later. */
  | { address: Address; status: 'deferred'; reason: Reason };

export type SubmitResult = (
  /** Stored durably; at least one recipient accepted or deferred. */
  | { status: 'accepted'; messageId: string; recipients: RecipientOutcome[] }
  /** Permanently refused; nothing stored. */
  | { status: 'rejected'; messageId: string; reason: Reason; recipients: RecipientOutcome[] }
  /** Temporarily refused (try again later); nothing stored. */
  | { status: 'deferred'; messageId: string; reason: Reason; recipients: RecipientOutcome[]; retryAfterMs?: number }
) &
  SubmitResultFlags;

export interface SubmitResultFlags {
  /** The answer already given to an identical earlier submission: nothing new was stored. */
  retransmission?: true;
  /** The retransmission key was used before for other content; this is a new message. */
  reusedKey?: true;
}

export interface TransitionOptions {
  /** Plugin name, for the recipient's history. */
  by: string;
  reason?: string;
  /** Delivery report to send the originator (if asked for); defaults follow the new state. */
  report?: DeliveryStatus | false;
  /** Recipient attributes to merge in the same write. */
  attributes?: Record<string, AttributeValue>;
  /**
   * A state to pass through, in the same write, when the recipient cannot move to the new state
   * directly but can through this one: a handset that fetches before its notification was
   * recorded passes through `notified`. Its side effects (a charging event) happen as for a move.
   */
  via?: { state: RecipientState; reason: string };
}

export interface CancelOutcome {
  /** Recipients moved to `rejected` by this cancel. */
  cancelled: number;
  /** Recipients already final (delivered, rejected or expired) before it. */
  alreadyFinal: number;
  /** Of those, how many had been delivered. */
  delivered: number;
}

/** A message to keep for nobody in particular (an MMBox copy); see `MmscRuntime.keep`. */
export interface KeepInput {
  /** Headers and parts; `headers.messageId` is kept as given (the original's id), else set to the new id. */
  message: MmsMessage;
  origin: Origin;
  /** Epoch ms when the kept message is purged. */
  expiresAt: number;
  attributes?: Record<string, AttributeValue>;
}

export interface ReplaceChanges {
  parts?: readonly MmsPart[];
  headers?: Partial<Pick<MmsHeaders, 'subject' | 'deliveryTime' | 'expiry' | 'messageClass' | 'priority' | 'deliveryReport' | 'readReport' | 'contentType' | 'extra'>>;
}

/**
 * What plugins offer through `ctx.expose`, by plugin name, for `mmsc.plugin(name)` to return
 * typed. A plugin adds itself by declaration merging:
 *
 * ```ts
 * declare module '@openmmsc/core' {
 *   interface PluginExposures { '@acme/plugin-x': { url: string } }
 * }
 * ```
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface PluginExposures {}

/** The running MMSC as plugins and integrators see it. */
export interface MmscRuntime {
  /** Runs a message through receive → route → transcode → charge → store. */
  submit(input: SubmitInput): Promise<SubmitResult>;
  getMessage(id: string): Promise<StoredMessage | undefined>;
  /** The original parts, or an adapted variant's (the originals when that variant is not stored, or empty: they suit its class). */
  getParts(id: string, variant?: string): Promise<MmsPart[] | undefined>;
  getRecipients(id: string): Promise<RecipientRecord[]>;
  /**
   * One recipient by its index, or `undefined`: one record read, where `getRecipients` reads the
   * message's record and every recipient's.
   */
  getRecipient(id: string, index: number): Promise<RecipientRecord | undefined>;
  /**
   * The original parts with their revision, read together: a variant made from them is saved
   * against that revision (`saveVariant`'s `madeFrom`), so that one made from parts a ReplaceReq
   * has replaced meanwhile is never served.
   */
  getPartsRevision(id: string): Promise<{ parts: MmsPart[]; revision: number } | undefined>;
  /**
   * Stores an adapted copy of the parts under an adaptation class; purged with the message.
   * `madeFrom`: the revision the variant was made from (`getPartsRevision`); false when the parts
   * have been replaced since, and the variant is not stored.
   */
  saveVariant(id: string, variant: string, parts: readonly MmsPart[], madeFrom?: number): Promise<boolean>;
  /** The adapted parts of one class, or `undefined` when none was stored (unlike `getParts`). */
  getVariant(id: string, variant: string): Promise<MmsPart[] | undefined>;
  /** Moves one recipient on; final states cancel its pending jobs and send the delivery report. */
  transition(id: string, index: number, state: RecipientState, options: TransitionOptions): Promise<RecipientRecord>;
  setRecipientAttributes(id: string, index: number, attributes: Record<string, AttributeValue>): Promise<RecipientRecord>;
  /** Queues a report for the originator over the interface the message came in on. */
  sendReport(messageId: string, report: Report): Promise<void>;
  /**
   * Stops delivery to every recipient not yet final (MM7 CancelReq). Throws
   * `MessageChangeError('not-found')` for an unknown message.
   */
  cancel(messageId: string, options: { by: string; reason?: string }): Promise<CancelOutcome>;
  /**
   * Runs a recipient's notification (local) or delivery now, skipping its back-off; with
   * `renotify` pushes a fresh notification. Recorded in the recipient's history under `by`.
   */
  retryNow(messageId: string, index: number, options: { by: string; renotify?: boolean }): Promise<RetryOutcome>;
  /**
   * Replaces content or headers while no recipient has fetched the message (MM7 ReplaceReq).
   * Throws `MessageChangeError` (`not-found`, `already-delivered`, `already-final`).
   */
  replace(messageId: string, changes: ReplaceChanges): Promise<void>;
  /**
   * Appends an event to a recipient's history without moving it (also in a final state): e.g.
   * MM1 records the handset's m-cancel-conf as `cancel-confirmed`.
   */
  recordEvent(id: string, index: number, event: RecipientEvent): Promise<RecipientRecord>;
  /**
   * Stores a message that goes to nobody (an MMBox copy): no pipeline, no recipients, no
   * notification; read back with `getMessage` / `getParts` like any other, from any node, and
   * purged at `expiresAt` by a durable job. Returns the stored metadata (its `id` is new).
   */
  keep(input: KeepInput): Promise<StoredMessage>;
  /** Deletes a message stored with `keep` now; false when it is already gone. */
  discard(id: string): Promise<boolean>;
  /** Normalises an address with the MMSC's addressing options. */
  parseAddress(raw: string): Address;
  /**
   * Whether this node takes a new submission now (load, disk space). Ingresses ask before the
   * expensive part of new work (reading and decoding a large body) and answer a refusal with
   * their transient answer and `retryAfterMs`; `submit` asks too. Counted per `iface` when refused.
   */
  admit(iface: string): AdmissionDecision;
  /**
   * What the plugin of that name offered with `ctx.expose` (a listening URL, counters), or
   * `undefined` when it offered nothing or does not run here.
   */
  plugin<N extends keyof PluginExposures>(name: N): PluginExposures[N] | undefined;
  plugin(name: string): unknown;
}
