import Keyv from 'keyv';
import { prepareKeyv } from './keyv-message-store.js';
import { SqliteKeyvAdapter } from './sqlite-keyv-adapter.js';

/** Opens (creating if needed) a keyv store in a SQLite file owned by this process. */
export async function openSqliteKeyv(path: string): Promise<Keyv> {
  return prepareKeyv(new Keyv({ store: new SqliteKeyvAdapter(path), namespace: 'mmsc' }));
}
