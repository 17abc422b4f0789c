import type { BackendConfig } from '../config/kernel-schema.js';

/** The queue defaults to the store's backend: a sibling SQLite file, or the same Redis or PostgreSQL. */
export function queueBackendFor(store: BackendConfig, queue: BackendConfig | undefined): BackendConfig {
  if (queue) return queue;
  if (store.type === 'sqlite') return { ...store, path: store.path.replace(/(\.sqlite3?|\.db)?$/, '.queue$1') };
  return store;
}
