import { EventEmitter } from 'node:events';
import Keyv, { type KeyvStoreAdapter, type StoredData } from 'keyv';
import type pg from 'pg';
import { joined, type BlobEntry, type BlobTable } from '../store/blob-table.js';
import { prepareKeyv, type AtomicUpdate, type WriteTogether } from '../store/keyv-message-store.js';
import { LastSeenCas } from '../store/last-seen-cas.js';
import { encodeValue } from '../store/value-codec.js';
import { migrate, schemaIdent } from './postgres-pool.js';

/** How often entries whose TTL passed are deleted (keyv hides them on read meanwhile). */
const SWEEP_MS = 10 * 60_000;

const tables = (s: string): string => `
CREATE TABLE IF NOT EXISTS ${s}.kv (key text PRIMARY KEY, value text NOT NULL, expires bigint);
CREATE INDEX IF NOT EXISTS kv_expires ON ${s}.kv (expires) WHERE expires IS NOT NULL;
CREATE TABLE IF NOT EXISTS ${s}.blobs (key text PRIMARY KEY, value bytea NOT NULL);`;

/**
 * A keyv storage adapter on PostgreSQL: keyv's serialized text by key, part bodies as `bytea`
 * beside it, and compare-and-set for records several nodes update. Each call is one statement
 * in its own transaction: resolved means committed (durable as `synchronous_commit` says).
 */
export class PostgresKeyvAdapter extends EventEmitter implements KeyvStoreAdapter {
  opts: { schema: string };
  namespace?: string;
  readonly #pool: pg.Pool;
  readonly #s: string;
  readonly #sweep: NodeJS.Timeout;
  /** Compare-and-set by a conditional UPDATE, from the text this node last saw of the key when it has one. */
  readonly #cas: LastSeenCas;

  private constructor(pool: pg.Pool, schema: string) {
    super();
    this.#pool = pool;
    this.#s = schemaIdent(schema);
    this.opts = { schema };
    this.#cas = new LastSeenCas(
      async (key) => (await this.#pool.query<{ value: string }>(`SELECT value FROM ${this.#s}.kv WHERE key = $1`, [key])).rows[0]?.value,
      async (key, expected, next) => {
        const r =
          expected === undefined
            ? await this.#pool.query(`INSERT INTO ${this.#s}.kv (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING`, [key, next])
            : await this.#pool.query(`UPDATE ${this.#s}.kv SET value = $2, expires = NULL WHERE key = $1 AND value = $3`, [key, next, expected]);
        return r.rowCount === 1;
      },
    );
    this.#sweep = setInterval(() => void this.#deleteExpired().catch((e: unknown) => this.emit('error', e)), SWEEP_MS).unref();
  }

  static async open(pool: pg.Pool, schema: string): Promise<PostgresKeyvAdapter> {
    await migrate(pool, schema, tables(schemaIdent(schema)));
    const adapter = new PostgresKeyvAdapter(pool, schema);
    await adapter.#deleteExpired();
    return adapter;
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    const r = await this.#pool.query<{ value: string }>(`SELECT value FROM ${this.#s}.kv WHERE key = $1`, [key]);
    return this.#cas.saw(key, r.rows[0]?.value) as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    const r = await this.#pool.query<{ key: string; value: string }>(`SELECT key, value FROM ${this.#s}.kv WHERE key = ANY($1)`, [keys]);
    const byKey = new Map(r.rows.map((row) => [row.key, row.value]));
    return keys.map((k) => this.#cas.saw(k, byKey.get(k)) as StoredData<Value | undefined>);
  }

  async set(key: string, value: string, ttl?: number): Promise<boolean> {
    await this.setMany([{ key, value, ...(ttl ? { ttl } : {}) }]);
    return true;
  }

  async setMany(values: Array<{ key: string; value: string; ttl?: number }>): Promise<void> {
    if (values.length === 0) return;
    for (const v of values) this.#cas.forget(v.key);
    const now = Date.now();
    await this.#pool.query(
      `INSERT INTO ${this.#s}.kv (key, value, expires) SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[])
       ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires`,
      [values.map((v) => v.key), values.map((v) => v.value), values.map((v) => (v.ttl ? now + v.ttl : null))],
    );
  }

  async delete(key: string): Promise<boolean> {
    return this.deleteMany([key]);
  }

  async deleteMany(keys: string[]): Promise<boolean> {
    for (const k of keys) this.#cas.forget(k);
    const r = await this.#pool.query(`DELETE FROM ${this.#s}.kv WHERE key = ANY($1)`, [keys]);
    return (r.rowCount ?? 0) > 0;
  }

  async has(key: string): Promise<boolean> {
    return (await this.get(key)) !== undefined;
  }

  async clear(): Promise<void> {
    const prefix = this.namespace ? `${this.namespace}:` : '';
    await this.#pool.query(`DELETE FROM ${this.#s}.kv WHERE starts_with(key, $1)`, [prefix]);
  }

  /** Part bodies as `bytea`, not base64 text. */
  readonly blobs: BlobTable = {
    set: async (entries) => {
      // One parameter per body, sent as bytes: an array of bytea would go as hex text (twice the size, parsed).
      const rows = entries.map((_, i) => `($${2 * i + 1}, $${2 * i + 2})`).join(', ');
      await this.#pool.query(
        `INSERT INTO ${this.#s}.blobs (key, value) VALUES ${rows} ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        entries.flatMap((e) => [e.key, joined(e.value)]),
      );
    },
    get: async (keys) => {
      const r = await this.#pool.query<{ key: string; value: Buffer }>(`SELECT key, value FROM ${this.#s}.blobs WHERE key = ANY($1)`, [keys]);
      const byKey = new Map(r.rows.map((row) => [row.key, row.value]));
      return keys.map((k) => byKey.get(k));
    },
    delete: async (keys) => {
      await this.#pool.query(`DELETE FROM ${this.#s}.blobs WHERE key = ANY($1)`, [keys]);
    },
  };

  /**
   * Bodies and records in one statement (the bodies' insert a data-modifying WITH, which runs
   * whether or not the outer insert reads it): one round trip and one transaction for a message.
   */
  readonly together: WriteTogether = {
    write: async (blobs: readonly BlobEntry[], records) => {
      const prefix = this.namespace ? `${this.namespace}:` : '';
      for (const r of records) this.#cas.forget(`${prefix}${r.key}`);
      const rows = blobs.map((_, i) => `($${2 * i + 3}, $${2 * i + 4})`).join(', ');
      const bodies = blobs.length === 0 ? '' : `WITH bodies AS (INSERT INTO ${this.#s}.blobs (key, value) VALUES ${rows} ON CONFLICT (key) DO UPDATE SET value = excluded.value) `;
      await this.#pool.query(
        `${bodies}INSERT INTO ${this.#s}.kv (key, value, expires) SELECT k, v, NULL FROM unnest($1::text[], $2::text[]) AS r(k, v)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, expires = excluded.expires`,
        [records.map((r) => `${prefix}${r.key}`), records.map((r) => encodeValue({ value: r.value })), ...blobs.flatMap((e) => [e.key, joined(e.value)])],
      );
    },
  };

  /** Optimistic read-modify-write: the write happens only if the row still holds what was read (or last seen). */
  readonly atomic: AtomicUpdate = {
    modify: <T>(key: string, fn: (current: T | undefined) => T): Promise<T> => this.#cas.modify(this.namespace ? `${this.namespace}:${key}` : key, fn),
  };

  async disconnect(): Promise<void> {
    clearInterval(this.#sweep);
  }

  async #deleteExpired(): Promise<void> {
    await this.#pool.query(`DELETE FROM ${this.#s}.kv WHERE expires < $1`, [Date.now()]);
  }
}

/** A keyv over PostgreSQL, with bodies as `bytea` and cluster-safe read-modify-write. */
export async function openPostgresKeyv(pool: pg.Pool, schema: string): Promise<{ keyv: Keyv; blobs: BlobTable; atomic: AtomicUpdate; together: WriteTogether }> {
  const adapter = await PostgresKeyvAdapter.open(pool, schema);
  const keyv = prepareKeyv(new Keyv({ store: adapter, namespace: 'mmsc' }));
  return { keyv, blobs: adapter.blobs, atomic: adapter.atomic, together: adapter.together };
}
