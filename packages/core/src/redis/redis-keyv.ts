import { EventEmitter } from 'node:events';
import Keyv, { type KeyvStoreAdapter, type StoredData } from 'keyv';
import { Cluster, type Redis } from 'ioredis';
import { joined, type BlobTable } from '../store/blob-table.js';
import { prepareKeyv, type AtomicUpdate } from '../store/keyv-message-store.js';
import { decodeValue, encodeValue } from '../store/value-codec.js';
import { BoundedMap } from '../util/bounded-map.js';
import { masters } from './redis-connection.js';

// Writes NEW only if the key still holds EXPECTED (an empty EXPECTED means "absent").
const CAS_SCRIPT = `
local cur = redis.call('GET', KEYS[1])
if (cur == false and ARGV[1] == '') or cur == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[2])
  return 1
end
return 0`;

type Client = (Redis | Cluster) & { openmmscCas(key: string, expected: string, next: string): Promise<number> };

/** Records whose last text this node remembers, as the first guess of a compare-and-set. */
const REMEMBERED = 2048;

/**
 * A keyv storage adapter on ioredis: one key per entry, part bodies as binary strings, and
 * compare-and-set for records several nodes update. Every command names one key, and several
 * keys are sent as one pipeline of single-key commands (auto-pipelining), so it works the same
 * on one server, behind Sentinel and on a Redis Cluster (where keys of one message may live on
 * different nodes).
 */
export class RedisKeyvAdapter extends EventEmitter implements KeyvStoreAdapter {
  opts: { prefix: string };
  namespace?: string;
  readonly #client: Client;
  readonly #prefix: string;
  /**
   * The text each recently read or written key held, as this node last saw it. A record is
   * mostly moved right after it was read or moved here (found, then moved; notified, then
   * retrieved): the compare-and-set can start from that text instead of reading it again. The
   * script checks it against the key, so a guess made stale by another node only costs the read
   * it would have cost anyway. Never used to answer a read.
   */
  readonly #seen = new BoundedMap<string, string>(REMEMBERED);

  constructor(client: Redis | Cluster, prefix: string) {
    super();
    client.defineCommand('openmmscCas', { numberOfKeys: 1, lua: CAS_SCRIPT });
    this.#client = client as Client;
    this.#prefix = `${prefix}:`;
    this.opts = { prefix };
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return this.#saw(this.#prefix + key, await this.#client.get(this.#prefix + key)) as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    const values = await Promise.all(keys.map((k) => this.#client.get(this.#prefix + k)));
    return values.map((v, i) => this.#saw(this.#prefix + keys[i]!, v) as StoredData<Value | undefined>);
  }

  #saw(full: string, raw: string | null): string | undefined {
    if (raw === null) {
      this.#seen.delete(full);
      return undefined;
    }
    this.#seen.set(full, raw);
    return raw;
  }

  async set(key: string, value: string, ttl?: number): Promise<boolean> {
    const full = this.#prefix + key;
    // Forgotten first: while the write is on its way, the text last seen is neither old nor new.
    this.#seen.delete(full);
    if (ttl) await this.#client.set(full, value, 'PX', ttl);
    else await this.#client.set(full, value);
    return true;
  }

  async setMany(values: Array<{ key: string; value: string; ttl?: number }>): Promise<void> {
    await Promise.all(values.map((v) => this.set(v.key, v.value, v.ttl)));
  }

  async delete(key: string): Promise<boolean> {
    this.#seen.delete(this.#prefix + key);
    return (await this.#client.del(this.#prefix + key)) > 0;
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    for (const k of keys) this.#seen.delete(this.#prefix + k);
    const removed = await Promise.all(keys.map((k) => this.#client.del(this.#prefix + k)));
    return removed.some((n) => n > 0);
  }

  async has(key: string): Promise<boolean> {
    return (await this.#client.exists(this.#prefix + key)) > 0;
  }

  async clear(): Promise<void> {
    const match = `${this.#prefix}${this.namespace ? `${this.namespace}:` : ''}*`;
    for (const node of masters(this.#client)) {
      let cursor = '0';
      do {
        const [next, keys] = await node.scan(cursor, 'MATCH', match, 'COUNT', 500);
        cursor = next;
        await Promise.all(keys.map((k) => this.#client.del(k)));
      } while (cursor !== '0');
    }
  }

  /** Part bodies as binary strings (a third smaller than base64 in JSON). */
  readonly blobs: BlobTable = {
    set: async (entries) => {
      await Promise.all(entries.map((e) => this.#client.set(`${this.#prefix}blob:${e.key}`, joined(e.value))));
    },
    get: async (keys) => {
      const values = await Promise.all(keys.map((k) => this.#client.getBuffer(`${this.#prefix}blob:${k}`)));
      return values.map((v) => v ?? undefined);
    },
    delete: async (keys) => {
      await Promise.all(keys.map((k) => this.#client.del(`${this.#prefix}blob:${k}`)));
    },
  };

  /**
   * Optimistic read-modify-write: another node may write between the read and the script; then
   * read again. The first round starts from the text this node last saw, when it has one.
   */
  readonly atomic: AtomicUpdate = {
    modify: async <T>(key: string, fn: (current: T | undefined) => T): Promise<T> => {
      const full = `${this.#prefix}${this.namespace ? `${this.namespace}:` : ''}${key}`;
      const guess = this.#seen.get(full);
      if (guess !== undefined) {
        const written = await this.#casFrom(full, guess, fn).catch(() => undefined);
        // Stale (or `fn` refused the older value): as if there had been no guess.
        if (written) return written.next;
      }
      for (let round = 0; round < 100; round++) {
        const raw = await this.#client.get(full);
        const written = await this.#casFrom(full, raw, fn);
        if (written) return written.next;
      }
      throw new Error(`too much contention updating ${key}`);
    },
  };

  /** `fn` applied to `raw`, written if the key still holds `raw`; undefined when it did not. */
  async #casFrom<T>(full: string, raw: string | null, fn: (current: T | undefined) => T): Promise<{ next: T } | undefined> {
    const next = fn(raw === null ? undefined : decodeValue<{ value?: T }>(raw).value);
    const text = encodeValue({ value: next });
    if ((await this.#client.openmmscCas(full, raw ?? '', text)) !== 1) {
      this.#seen.delete(full);
      return undefined;
    }
    this.#seen.set(full, text);
    return { next };
  }

  async disconnect(): Promise<void> {
    await this.#client.quit().catch(() => this.#client.disconnect());
  }
}

/** A keyv over Redis whose keys all start with `prefix`, with binary bodies and cluster-safe read-modify-write. */
export function openRedisKeyv(client: Redis | Cluster, prefix: string): { keyv: Keyv; blobs: BlobTable; atomic: AtomicUpdate } {
  const adapter = new RedisKeyvAdapter(client, prefix);
  return { keyv: prepareKeyv(new Keyv({ store: adapter, namespace: 'mmsc' })), blobs: adapter.blobs, atomic: adapter.atomic };
}
