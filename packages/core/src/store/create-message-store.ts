import type { MessageStore } from '../services/message-store.js';
import { KeyvMessageStore } from './keyv-message-store.js';

export type StoreConfig = { type: 'sqlite'; path: string } | { type: 'redis'; url: string; prefix?: string };

/** Builds the configured store; Redis code is loaded only when Redis is configured. */
export async function createMessageStore(config: StoreConfig): Promise<MessageStore> {
  if (config.type === 'sqlite') {
    const { openSqliteKeyv } = await import('./sqlite-keyv.js');
    // One process owns the SQLite file, so a write-through cache of hot records is safe.
    const { keyv, blobs } = await openSqliteKeyv(config.path);
    return new KeyvMessageStore(keyv, { cacheEntries: 20_000, blobs });
  }
  const { openRedisKeyv } = await import('./redis-keyv.js');
  const { keyv, atomic } = await openRedisKeyv(config.url, config.prefix ?? 'openmmsc');
  return new KeyvMessageStore(keyv, { atomic });
}
