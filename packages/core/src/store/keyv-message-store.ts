import type Keyv from 'keyv';
import type { MmsPart } from '../model/message.js';
import type { RecipientRecord } from '../model/recipient-state.js';
import type { DurabilityCheck, KeyValueStore, MessageStore, StoredMessage } from '../services/message-store.js';
import { BoundedMap } from '../util/bounded-map.js';
import { randomId } from '../util/ids.js';
import { decodePartBlob, encodePartBlob, type BlobEntry, type BlobTable } from './blob-table.js';
import { KeyedMutex } from './keyed-mutex.js';
import { decodeValue, encodeValue } from './value-codec.js';

/**
 * Compare-and-set on one key, for adapters shared by several processes (Redis). Without it,
 * read-modify-write is serialised only inside this process, which is enough for a SQLite file
 * owned by one process.
 */
export interface AtomicUpdate {
  /** Applies `fn` to the current value and writes the result only if nobody wrote in between. */
  modify<T>(key: string, fn: (current: T | undefined) => T): Promise<T>;
}

/**
 * Blobs and records committed as one transaction, for a backend that has them (SQLite,
 * PostgreSQL). A message is then saved in one commit; without it (Redis, whose keys a cluster
 * spreads over nodes), its record is written after its pieces have committed, so that a crash
 * between the two never exposes half a message.
 */
export interface WriteTogether {
  /** `records` are keyv keys (the namespace is the adapter's) and values, written as keyv would. */
  write(blobs: readonly BlobEntry[], records: ReadonlyArray<{ key: string; value: unknown }>): Promise<void>;
}

export interface KeyvMessageStoreOptions {
  atomic?: AtomicUpdate;
  /** Saves a message in one transaction (see `WriteTogether`). */
  together?: WriteTogether;
  /** Called once by `close()` after keyv disconnected (e.g. to drop a pooled client). */
  onClose?: () => Promise<void>;
  /**
   * Keep recent metadata and recipient records in memory (write-through). Only for a store this
   * process alone writes (the embedded SQLite file): other writers would make it stale.
   */
  cacheEntries?: number;
  /** Where part bodies go when the backend stores bytes natively; else they go through keyv. */
  blobs?: BlobTable;
  /** Compares what the backend's server is set to do with what "stored" promises. */
  durability?: () => Promise<DurabilityCheck>;
}

/** What `msg:{id}` holds: the metadata plus where its pieces live, so `delete` finds them all. */
interface MessageRecord {
  message: StoredMessage;
  parts: number;
  recipients: number[];
  /**
   * Generation of the parts: `replaceParts` writes a new generation, then switches the record
   * to it, so a reader never sees a mix, and variants of older generations stop being found.
   */
  gen: number;
}

/**
 * What `var:{id}:{gen}:{variant}` holds when the backend stores bytes: the variant's parts are
 * blobs under one save's token, so a variant saved again never mixes with the parts it replaces.
 * (A variant of a backend without blobs, or saved before variants were blobs, is the parts array.)
 */
interface VariantRecord {
  token: string;
  parts: number;
}

const isVariantRecord = (value: unknown): value is VariantRecord =>
  typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as VariantRecord).token === 'string';

const msgKey = (id: string): string => `msg:${id}`;
const partKey = (id: string, gen: number, i: number): string => `part:${id}:${gen}:${i}`;
const rcptKey = (id: string, index: number): string => `rcpt:${id}:${index}`;
const varKey = (id: string, gen: number, variant: string): string => `var:${id}:${gen}:${variant}`;
const varIndexKey = (id: string): string => `vars:${id}`;
const varPartKeys = (id: string, gen: number, variant: string, r: VariantRecord): string[] =>
  Array.from({ length: r.parts }, (_, i) => `vpart:${id}:${gen}:${variant}:${r.token}:${i}`);

/** Installs the Date- and bytes-preserving codec and makes every adapter error reach the caller. */
export function prepareKeyv(keyv: Keyv): Keyv {
  keyv.serialize = (data) => encodeValue(data);
  keyv.deserialize = (text) => decodeValue(text);
  keyv.throwOnErrors = true;
  // Errors are rethrown to the caller; an unhandled 'error' event must not crash the process too.
  keyv.on('error', () => {});
  return keyv;
}

export class KeyvMessageStore implements MessageStore {
  readonly #keyv: Keyv;
  readonly #mutex = new KeyedMutex();
  readonly #atomic: AtomicUpdate | undefined;
  readonly #together: WriteTogether | undefined;
  readonly #onClose: (() => Promise<void>) | undefined;
  /** Recent records (oldest forgotten first): recent messages are the ones being worked on. */
  readonly #cache: BoundedMap<string, unknown> | undefined;
  readonly #blobs: BlobTable | undefined;
  readonly #durability: (() => Promise<DurabilityCheck>) | undefined;
  #closed = false;

  /** `keyv` must have gone through `prepareKeyv`. */
  constructor(keyv: Keyv, options: KeyvMessageStoreOptions = {}) {
    this.#keyv = keyv;
    this.#atomic = options.atomic;
    this.#together = options.together;
    this.#onClose = options.onClose;
    if (options.cacheEntries) this.#cache = new BoundedMap<string, unknown>(options.cacheEntries);
    this.#blobs = options.blobs;
    this.#durability = options.durability;
  }

  async save(message: StoredMessage, parts: readonly MmsPart[], recipients: readonly RecipientRecord[]): Promise<void> {
    const id = message.id;
    const pieces: Array<{ key: string; value: unknown }> = recipients.map((r) => ({ key: rcptKey(id, r.index), value: r }));
    const blobs = this.#partEntries(id, 0, parts, pieces);
    const record: MessageRecord = { message, parts: parts.length, recipients: recipients.map((r) => r.index), gen: 0 };
    if (this.#together) {
      // One transaction: one commit in the sender's wait, where the ordered writes below take two.
      await this.#together.write(blobs, [...pieces, { key: msgKey(id), value: record }]);
    } else {
      // Bodies (as blobs) and records go out together: one round trip to a server store, not two.
      await Promise.all([blobs.length > 0 ? this.#blobs!.set(blobs) : undefined, pieces.length > 0 ? this.#keyv.setMany(pieces) : undefined]);
      // Metadata last: it is the commit record, so a crash mid-save never exposes half a message.
      await this.#keyv.set(msgKey(id), record);
    }
    if (this.#cache) {
      for (const r of recipients) this.#cache.set(rcptKey(id, r.index), r);
      this.#cache.set(msgKey(id), record);
    }
  }

  async get(id: string): Promise<StoredMessage | undefined> {
    return (await this.#record(id))?.message;
  }

  async update(message: StoredMessage): Promise<void> {
    await this.#modify<MessageRecord>(msgKey(message.id), (current) => {
      if (current === undefined) throw new Error(`message ${message.id} not found`);
      return { ...current, message };
    });
  }

  async getParts(id: string): Promise<MmsPart[] | undefined> {
    return (await this.getPartsRevision(id))?.parts;
  }

  async getPartsRevision(id: string): Promise<{ parts: MmsPart[]; revision: number } | undefined> {
    const record = await this.#record(id);
    if (record === undefined) return undefined;
    if (record.parts === 0) return { parts: [], revision: record.gen };
    const keys = Array.from({ length: record.parts }, (_, i) => partKey(id, record.gen, i));
    const parts = this.#blobs
      ? (await this.#blobs.get(keys)).map((b, i) => (b === undefined ? undefined : decodePartBlob(b, keys[i]!)))
      : await this.#keyv.getMany<MmsPart>(keys);
    if (parts.some((p) => p === undefined)) throw new Error(`message ${id}: parts missing from the store`);
    return { parts: parts as MmsPart[], revision: record.gen };
  }

  async replaceParts(id: string, parts: readonly MmsPart[]): Promise<void> {
    const old = await this.#record(id);
    if (old === undefined) throw new Error(`message ${id} not found`);
    const gen = old.gen + 1;
    const pieces: Array<{ key: string; value: unknown }> = [];
    const blobs = this.#partEntries(id, gen, parts, pieces);
    await Promise.all([blobs.length > 0 ? this.#blobs!.set(blobs) : undefined, pieces.length > 0 ? this.#keyv.setMany(pieces) : undefined]);
    let size = 0;
    for (const part of parts) size += part.data.byteLength;
    // The switch is the commit; metadata derived from the parts changes with it.
    const committed = await this.#modify<MessageRecord>(msgKey(id), (current) => {
      if (current === undefined) throw new Error(`message ${id} was deleted`);
      return { ...current, gen, parts: parts.length, message: { ...current.message, size, partCount: parts.length } };
    });
    if (committed.gen !== gen) return;
    const stale: string[] = [];
    const staleBlobs: string[] = [];
    for (let i = 0; i < old.parts; i++) (this.#blobs ? staleBlobs : stale).push(partKey(id, old.gen, i));
    const variants = (await this.#keyv.get<string[]>(varIndexKey(id))) ?? [];
    for (const name of variants) stale.push(varKey(id, old.gen, name));
    staleBlobs.push(...(await this.#variantBlobs(id, old.gen, variants)));
    if (this.#blobs && staleBlobs.length > 0) await this.#blobs.delete(staleBlobs);
    if (stale.length > 0) await this.#keyv.deleteMany(stale);
  }

  async saveVariant(id: string, variant: string, parts: readonly MmsPart[], madeFrom?: number): Promise<boolean> {
    const record = await this.#record(id);
    if (record === undefined) throw new Error(`message ${id} not found`);
    if (madeFrom !== undefined && madeFrom !== record.gen) return false;
    // Index first: a crash in between leaves a name without a variant, never an unfindable variant.
    await this.#modify<string[]>(varIndexKey(id), (names = []) => (names.includes(variant) ? names : [...names, variant]));
    const key = varKey(id, record.gen, variant);
    let bodies: string[] = [];
    if (!this.#blobs) {
      await this.#keyv.set(key, parts);
    } else {
      // Bodies as blobs, not base64 in JSON: a 300 KB variant costs the event loop no 400 KB string
      // to build on save and to parse on every retrieval. Inline: a variant is made to fit a class
      // budget and read on every retrieval, which must not wait in the thread pool's queue behind
      // the files that adaptations and large submissions write. The record, written last, commits.
      const saved: VariantRecord = { token: randomId(6), parts: parts.length };
      bodies = varPartKeys(id, record.gen, variant, saved);
      if (parts.length > 0) await this.#blobs.set(parts.map((part, i) => ({ key: bodies[i]!, value: encodePartBlob(part), inline: true })));
      let replaced: unknown;
      await this.#modify<unknown>(key, (current) => {
        replaced = current;
        return saved;
      });
      if (isVariantRecord(replaced)) await this.#blobs.delete(varPartKeys(id, record.gen, variant, replaced));
    }
    // Parts replaced while this was written: `replaceParts` may have dropped the old generation's
    // variants before this one landed among them, where nothing reads it and nothing removes it.
    if ((await this.#record(id))?.gen === record.gen) return true;
    await this.#keyv.delete(key);
    if (this.#blobs && bodies.length > 0) await this.#blobs.delete(bodies);
    return false;
  }

  async getVariant(id: string, variant: string): Promise<MmsPart[] | undefined> {
    const record = await this.#record(id);
    if (record === undefined) return undefined;
    const key = varKey(id, record.gen, variant);
    for (let attempt = 0; attempt < 2; attempt++) {
      const stored = await this.#keyv.get<MmsPart[] | VariantRecord>(key);
      if (!isVariantRecord(stored)) return stored;
      if (!this.#blobs || stored.parts === 0) return [];
      const keys = varPartKeys(id, record.gen, variant, stored);
      const blobs = await this.#blobs.get(keys);
      if (blobs.every((b) => b !== undefined)) {
        try {
          return blobs.map((b, i) => decodePartBlob(b!, keys[i]!));
        } catch {
          return undefined; // damaged on disk: as for a part gone, below
        }
      }
      // Saved again meanwhile, and these blobs removed: read the new record once more.
    }
    // Unlike a message's own parts, a variant can be made again from them: one with a part gone
    // or damaged is none, so the class is adapted again and saved over it.
    return undefined;
  }

  async getRecipients(id: string): Promise<RecipientRecord[]> {
    const record = await this.#record(id);
    if (record === undefined || record.recipients.length === 0) return [];
    const keys = record.recipients.map((i) => rcptKey(id, i));
    const cached = this.#cache && keys.map((k) => this.#cache!.get(k) as RecipientRecord | undefined);
    if (cached && cached.every((r) => r !== undefined)) return cached as RecipientRecord[];
    const rows = await this.#keyv.getMany<RecipientRecord>(keys);
    return rows.filter((r): r is RecipientRecord => r !== undefined);
  }

  async getRecipient(id: string, index: number): Promise<RecipientRecord | undefined> {
    const key = rcptKey(id, index);
    return (this.#cache?.get(key) as RecipientRecord | undefined) ?? this.#keyv.get<RecipientRecord>(key);
  }

  async updateRecipient(
    id: string,
    index: number,
    fn: (current: RecipientRecord) => RecipientRecord,
  ): Promise<RecipientRecord> {
    return this.#modify<RecipientRecord>(rcptKey(id, index), (current) => {
      if (current === undefined) throw new Error(`message ${id} has no recipient ${index}`);
      return fn(current);
    });
  }

  async delete(id: string): Promise<void> {
    const record = await this.#record(id);
    const variants = (await this.#keyv.get<string[]>(varIndexKey(id))) ?? [];
    // Metadata first: once it is gone the message is gone, even if a crash leaves pieces behind.
    this.#cache?.delete(msgKey(id));
    await this.#keyv.delete(msgKey(id));
    const keys = [varIndexKey(id)];
    if (record !== undefined) {
      const variantBlobs = await this.#variantBlobs(id, record.gen, variants);
      for (const v of variants) keys.push(varKey(id, record.gen, v));
      const partKeys = Array.from({ length: record.parts }, (_, i) => partKey(id, record.gen, i));
      if (this.#blobs) await this.#blobs.delete([...partKeys, ...variantBlobs]);
      else keys.push(...partKeys);
      for (const index of record.recipients) {
        keys.push(rcptKey(id, index));
        this.#cache?.delete(rcptKey(id, index));
      }
    }
    await this.#keyv.deleteMany(keys);
  }

  kv(namespace: string): KeyValueStore {
    const keyv = this.#keyv;
    const prefix = `kv:${namespace}:`;
    return {
      get: <T = unknown>(key: string) => keyv.get<T>(prefix + key),
      set: async <T = unknown>(key: string, value: T, ttlMs?: number) => {
        await keyv.set(prefix + key, value, ttlMs);
      },
      delete: (key: string) => keyv.delete(prefix + key),
      update: <T = unknown>(key: string, fn: (current: T | undefined) => T) => this.#modify<T>(prefix + key, fn),
    };
  }

  async ping(): Promise<void> {
    const key = 'ping';
    await this.#keyv.set(key, Date.now(), 60_000);
    if ((await this.#keyv.get<number>(key)) === undefined) throw new Error('message store did not return what it stored');
  }

  async durability(): Promise<DurabilityCheck> {
    return this.#durability ? this.#durability() : { ok: true, detail: 'no server settings to check' };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#keyv.disconnect();
    await this.#onClose?.();
  }

  /**
   * Part bodies as blobs when the backend has them (returned, to be written), else as keyv
   * entries added to `pieces`.
   */
  #partEntries(id: string, gen: number, parts: readonly MmsPart[], pieces: Array<{ key: string; value: unknown }>): BlobEntry[] {
    if (!this.#blobs) {
      parts.forEach((part, i) => pieces.push({ key: partKey(id, gen, i), value: part }));
      return [];
    }
    return parts.map((part, i) => ({ key: partKey(id, gen, i), value: encodePartBlob(part) }));
  }

  /** The blob keys of the named variants of one generation (none for variants kept as JSON). */
  async #variantBlobs(id: string, gen: number, variants: readonly string[]): Promise<string[]> {
    if (!this.#blobs || variants.length === 0) return [];
    const records = await this.#keyv.getMany<unknown>(variants.map((v) => varKey(id, gen, v)));
    return records.flatMap((r, i) => (isVariantRecord(r) ? varPartKeys(id, gen, variants[i]!, r) : []));
  }

  async #record(id: string): Promise<MessageRecord | undefined> {
    const key = msgKey(id);
    const cached = this.#cache?.get(key) as MessageRecord | undefined;
    if (cached) return cached;
    const record = await this.#keyv.get<MessageRecord>(key);
    if (record) this.#cache?.set(key, record);
    return record;
  }

  async #modify<T>(key: string, fn: (current: T | undefined) => T): Promise<T> {
    return this.#mutex.run(key, async () => {
      if (this.#atomic) return this.#atomic.modify<T>(key, fn);
      const current = (this.#cache?.get(key) as T | undefined) ?? (await this.#keyv.get<T>(key));
      const next = fn(current);
      await this.#keyv.set(key, next);
      if (this.#cache && (key.startsWith('msg:') || key.startsWith('rcpt:'))) this.#cache.set(key, next);
      return next;
    });
  }
}
