import type { RedisConnectionConfig } from '../redis/redis-connection.js';
import type { RedisDurability } from '../redis/redis-durability.js';
import type { MessageStore } from '../services/message-store.js';
import { KeyvMessageStore } from './keyv-message-store.js';

export type StoreConfig =
  | { type: 'sqlite'; path: string; bodyFilesAbove?: number | undefined }
  | ({ type: 'redis'; prefix?: string | undefined; durability?: RedisDurability | undefined } & RedisConnectionConfig)
  | { type: 'postgres'; url: string; schema?: string | undefined; poolSize?: number | undefined };

/**
 * Records kept in memory by a store one process owns: a message's metadata and its recipients,
 * so about a thousand messages, the ones notified, fetched and acknowledged right now. Each
 * cached record is old-generation heap that every major collection marks: with 20,000 entries
 * the heap grew by ≈ 9 MB between mark-compacts and the m-send-conf p99 at 400/s (bench/e2e, one
 * worker) was 111–218 ms; with 2,000 it was 40–62 ms, at the same CPU per message.
 */
const SQLITE_CACHE_ENTRIES = 2_000;

/** What the embedded store promises; there is no server whose settings could break it. */
const SQLITE_DURABILITY = 'SQLite WAL: acknowledged messages survive a crash of this process; an OS crash may lose the last commits';

export interface StoreOpenOptions {
  /** Other worker processes of this node open the same SQLite file (no record cache, atomic updates). */
  shared?: boolean;
}

/** Builds the configured store; server client code is loaded only when that server is configured. */
export async function createMessageStore(config: StoreConfig, options: StoreOpenOptions = {}): Promise<MessageStore> {
  if (config.type === 'sqlite') {
    const { openSqliteKeyv } = await import('./sqlite-keyv.js');
    const { keyv, blobs, atomic, together } = await openSqliteKeyv(config.path, options.shared, config.bodyFilesAbove);
    const durability = async () => ({ ok: true, detail: SQLITE_DURABILITY });
    // Other workers write the file too: a cached record could be stale, and only SQLite's lock
    // (not this process's mutex) makes a read-modify-write safe.
    if (options.shared) return new KeyvMessageStore(keyv, { blobs, atomic, together, durability });
    // One process owns the SQLite file, so a write-through cache of hot records is safe.
    return new KeyvMessageStore(keyv, { cacheEntries: SQLITE_CACHE_ENTRIES, blobs, together, durability });
  }
  if (config.type === 'postgres') {
    const { openPool } = await import('../postgres/postgres-pool.js');
    const { openPostgresKeyv } = await import('../postgres/postgres-keyv.js');
    const { checkPostgresDurability } = await import('../postgres/postgres-durability.js');
    const { postgresError } = await import('../postgres/postgres-pool.js');
    const pool = openPool({ url: config.url, schema: config.schema ?? 'openmmsc', poolSize: config.poolSize ?? 10 }, () => {
      // A dropped idle connection is replaced on the next query; the query's caller sees real errors.
    });
    try {
      const { keyv, blobs, atomic, together } = await openPostgresKeyv(pool, config.schema ?? 'openmmsc');
      return new KeyvMessageStore(keyv, { atomic, blobs, together, onClose: () => pool.end(), durability: () => checkPostgresDurability(pool) });
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw postgresError('message store', config.url, error);
    }
  }
  const { connectRedis } = await import('../redis/redis-connection.js');
  const { openRedisKeyv } = await import('../redis/redis-keyv.js');
  const { checkRedisDurability } = await import('../redis/redis-durability.js');
  const client = await connectRedis(config, 'message store', { enableAutoPipelining: true });
  const { keyv, blobs, atomic } = openRedisKeyv(client, config.prefix ?? 'openmmsc');
  const promised = config.durability ?? 'always';
  return new KeyvMessageStore(keyv, { atomic, blobs, durability: () => checkRedisDurability(client, promised) });
}
