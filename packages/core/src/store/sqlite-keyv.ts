import { resolve } from 'node:path';
import Keyv from 'keyv';
import { prepareKeyv } from './keyv-message-store.js';
import { SqliteKeyvAdapter } from './sqlite-keyv-adapter.js';

import type { BlobTable } from './blob-table.js';
import type { AtomicUpdate, WriteTogether } from './keyv-message-store.js';

/**
 * Opens (creating if needed) a keyv store in a SQLite file: owned by this process, or `shared`
 * by the worker processes of one node (writes batched per turn, read-modify-write atomic).
 * Blobs larger than `bodyFilesAbove` bytes are files in `<path>.bodies/`; bodies already there
 * are read whatever it is now (a store opened without it still serves them).
 */
export async function openSqliteKeyv(
  path: string,
  shared = false,
  bodyFilesAbove = Infinity,
): Promise<{ keyv: Keyv; blobs: BlobTable; atomic: AtomicUpdate; together: WriteTogether }> {
  const files = { dir: `${resolve(path)}.bodies`, above: bodyFilesAbove };
  const adapter = new SqliteKeyvAdapter(path, 'openmmsc', shared ? 'batch' : 'turn', files);
  return { keyv: prepareKeyv(new Keyv({ store: adapter, namespace: 'mmsc' })), blobs: adapter.blobs, atomic: adapter.atomic, together: adapter.together };
}
