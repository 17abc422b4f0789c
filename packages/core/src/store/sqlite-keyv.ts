import Keyv from 'keyv';
import { prepareKeyv } from './keyv-message-store.js';
import { SqliteKeyvAdapter } from './sqlite-keyv-adapter.js';

import type { BlobTable } from './blob-table.js';
import type { AtomicUpdate } from './keyv-message-store.js';

/**
 * Opens (creating if needed) a keyv store in a SQLite file: owned by this process, or `shared`
 * by the worker processes of one node (writes batched per turn, read-modify-write atomic).
 */
export async function openSqliteKeyv(path: string, shared = false): Promise<{ keyv: Keyv; blobs: BlobTable; atomic: AtomicUpdate }> {
  const adapter = new SqliteKeyvAdapter(path, 'openmmsc', shared ? 'batch' : 'turn');
  return { keyv: prepareKeyv(new Keyv({ store: adapter, namespace: 'mmsc' })), blobs: adapter.blobs, atomic: adapter.atomic };
}
