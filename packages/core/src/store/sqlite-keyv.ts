import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import Keyv from 'keyv';
import { KeyvSqlite } from '@keyv/sqlite';
import { prepareKeyv } from './keyv-message-store.js';

/** Opens (creating if needed) a keyv store in a SQLite file tuned for one writer process. */
export async function openSqliteKeyv(path: string): Promise<Keyv> {
  const file = resolve(path);
  await mkdir(dirname(file), { recursive: true });
  const adapter = new KeyvSqlite({ uri: `sqlite://${file}`, table: 'openmmsc', busyTimeout: 5000 });
  // WAL + synchronous=NORMAL survives a killed process (only an OS crash can lose the last
  // commits) and lets a save commit without an fsync per key.
  await adapter.query('PRAGMA journal_mode=WAL');
  await adapter.query('PRAGMA synchronous=NORMAL');
  return prepareKeyv(new Keyv({ store: adapter, namespace: 'mmsc' }));
}
