import type { MmsHeaders, MmsPart, Origin } from '../model/message.js';
import type { RecipientRecord } from '../model/recipient-state.js';

export type AttributeValue = string | number | boolean;

/** Message metadata as persisted; parts and recipients are stored beside it. */
export interface StoredMessage {
  id: string;
  headers: MmsHeaders;
  origin: Origin;
  /** Epoch ms when the kernel accepted it. */
  receivedAt: number;
  /** Epoch ms after which undelivered recipients expire. */
  expiresAt: number;
  /** Sum of part body sizes in bytes. */
  size: number;
  partCount: number;
  recipientCount: number;
  attributes: Record<string, AttributeValue>;
  /** The route targets the ingress accepted (`SubmitInput.acceptTargets`), kept for later re-routing. */
  acceptTargets?: readonly string[];
}

/** What a backend promises for an acknowledged write, compared with what its server is set to do. */
export interface DurabilityCheck {
  /** False when the server cannot keep the promise, or could not be asked. */
  ok: boolean;
  /** The promise and the server settings found, or why they could not be read. */
  detail: string;
}

/** Plugin-private durable key/value space (a namespace of the message store). */
export interface KeyValueStore {
  get<T = unknown>(key: string): Promise<T | undefined>;
  /** `ttlMs` makes the entry vanish after that long. */
  set<T = unknown>(key: string, value: T, ttlMs?: number): Promise<void>;
  delete(key: string): Promise<boolean>;
  /**
   * Read-modify-write of one entry, atomic across every process sharing the store (a cluster):
   * `fn` gets the current value and returns the new one; nothing is written when it throws.
   * `fn` may run more than once (on a conflicting write elsewhere it runs again on the newer
   * value), so it must have no side effects. The entry keeps no TTL.
   */
  update<T = unknown>(key: string, fn: (current: T | undefined) => T): Promise<T>;
}

/**
 * Durable store of messages, their parts and per-recipient state. Implementations: keyv over
 * SQLite (embedded), Redis or PostgreSQL (cluster). All methods are safe to call from any node of a cluster.
 */
export interface MessageStore {
  /** Persists metadata, parts and recipients; resolves only when all of it is durable. */
  save(message: StoredMessage, parts: readonly MmsPart[], recipients: readonly RecipientRecord[]): Promise<void>;
  get(id: string): Promise<StoredMessage | undefined>;
  /** Replaces metadata (not parts or recipients). */
  update(message: StoredMessage): Promise<void>;
  getParts(id: string): Promise<MmsPart[] | undefined>;
  /**
   * The parts and their revision (how many times `replaceParts` changed them), read together: what
   * a variant made from these parts is saved against (`saveVariant`'s `madeFrom`).
   */
  getPartsRevision(id: string): Promise<{ parts: MmsPart[]; revision: number } | undefined>;
  /** Replaces the parts (MM7 ReplaceReq) and drops every adapted variant of the old ones. */
  replaceParts(id: string, parts: readonly MmsPart[]): Promise<void>;
  /**
   * An adapted copy of the parts for one adaptation class (empty: the originals suit it). Saving
   * a class again replaces its variant whole: a reader gets the earlier one or the new one.
   * `madeFrom`: the revision of the parts it was made from. Parts replaced since (an adaptation
   * runs for seconds, a ReplaceReq may land meanwhile) make it a variant of content that is gone:
   * it is not kept, and the answer is false.
   */
  saveVariant(id: string, variant: string, parts: readonly MmsPart[], madeFrom?: number): Promise<boolean>;
  /** The class's variant; `undefined` when there is none, or it cannot be read whole (made again). */
  getVariant(id: string, variant: string): Promise<MmsPart[] | undefined>;
  getRecipients(id: string): Promise<RecipientRecord[]>;
  getRecipient(id: string, index: number): Promise<RecipientRecord | undefined>;
  /** Read-modify-write of one recipient; `fn` may throw to abort without writing. */
  updateRecipient(
    id: string,
    index: number,
    fn: (current: RecipientRecord) => RecipientRecord,
  ): Promise<RecipientRecord>;
  /** Removes the message, its parts, variants and recipients. */
  delete(id: string): Promise<void>;
  kv(namespace: string): KeyValueStore;
  ping(): Promise<void>;
  /** Checks that the server's settings keep what "stored" promises (absent: nothing to check). */
  durability?(): Promise<DurabilityCheck>;
  close(): Promise<void>;
}
