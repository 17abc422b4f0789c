import { EventEmitter } from 'node:events';
import Keyv, { type KeyvStoreAdapter, type StoredData } from 'keyv';
import { Cluster, type Redis } from 'ioredis';
import { joined, type BlobTable } from '../store/blob-table.js';
import { prepareKeyv, type AtomicUpdate } from '../store/keyv-message-store.js';
import { LastSeenCas } from '../store/last-seen-cas.js';
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
  /** Compare-and-set by the script, from the text this node last saw of the key when it has one. */
  readonly #cas: LastSeenCas;

  constructor(client: Redis | Cluster, prefix: string) {
    super();
    client.defineCommand('openmmscCas', { numberOfKeys: 1, lua: CAS_SCRIPT });
    this.#client = client as Client;
    this.#prefix = `${prefix}:`;
    this.opts = { prefix };
    this.#cas = new LastSeenCas(
      async (full) => (await this.#client.get(full)) ?? undefined,
      async (full, expected, next) => (await this.#client.openmmscCas(full, expected ?? '', next)) === 1,
    );
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return this.#saw(this.#prefix + key, await this.#client.get(this.#prefix + key)) as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    const values = await Promise.all(keys.map((k) => this.#client.get(this.#prefix + k)));
    return values.map((v, i) => this.#saw(this.#prefix + keys[i]!, v) as StoredData<Value | undefined>);
  }

  #saw(full: string, raw: string | null): string | undefined {
    return this.#cas.saw(full, raw ?? undefined);
  }

  async set(key: string, value: string, ttl?: number): Promise<boolean> {
    const full = this.#prefix + key;
    this.#cas.forget(full);
    if (ttl) await this.#client.set(full, value, 'PX', ttl);
    else await this.#client.set(full, value);
    return true;
  }

  async setMany(values: Array<{ key: string; value: string; ttl?: number }>): Promise<void> {
    await Promise.all(values.map((v) => this.set(v.key, v.value, v.ttl)));
  }

  async delete(key: string): Promise<boolean> {
    this.#cas.forget(this.#prefix + key);
    return (await this.#client.del(this.#prefix + key)) > 0;
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    for (const k of keys) this.#cas.forget(this.#prefix + k);
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

  /** Optimistic read-modify-write: the script writes only if the key still holds what was read (or last seen). */
  readonly atomic: AtomicUpdate = {
    modify: <T>(key: string, fn: (current: T | undefined) => T): Promise<T> =>
      this.#cas.modify(`${this.#prefix}${this.namespace ? `${this.namespace}:` : ''}${key}`, fn),
  };

  async disconnect(): Promise<void> {
    await this.#client.quit().catch(() => this.#client.disconnect());
  }
}

/** A keyv over Redis whose keys all start with `prefix`, with binary bodies and cluster-safe read-modify-write. */
export function openRedisKeyv(client: Redis | Cluster, prefix: string): { keyv: Keyv; blobs: BlobTable; atomic: AtomicUpdate } {
  const adapter = new RedisKeyvAdapter(client, prefix);
  return { keyv: prepareKeyv(new Keyv({ store: adapter, namespace: 'mmsc' })), blobs: adapter.blobs, atomic: adapter.atomic };
}
