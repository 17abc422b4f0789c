import Keyv from 'keyv';
import { prepareKeyv } from './keyv-message-store.js';
import { SqliteKeyvAdapter } from './sqlite-keyv-adapter.js';

import type { BlobTable } from './blob-table.js';

/** Opens (creating if needed) a keyv store in a SQLite file owned by this process. */
export async function openSqliteKeyv(path: string): Promise<{ keyv: Keyv; blobs: BlobTable }> {
  const adapter = new SqliteKeyvAdapter(path);
  return { keyv: prepareKeyv(new Keyv({ store: adapter, namespace: 'mmsc' })), blobs: adapter.blobs };
}
