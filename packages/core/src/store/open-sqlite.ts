import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { BACKSTOP_PAGES, checkpointOffThread } from './wal-checkpointer.js';

/**
 * A connection, and the end of its checkpoints off the event loop: awaited before the owner's
 * last writes are flushed and the connection closed, so that nothing is written in between and
 * the writer's close, the last, removes the WAL.
 */
export interface OpenedSqlite {
  db: Database.Database;
  release(): Promise<void>;
}

/**
 * Opens a SQLite file for one writer process: WAL with synchronous=NORMAL keeps every commit
 * through a killed process (only an OS crash can lose the last ones) without an fsync per commit.
 * better-sqlite3 is synchronous: each statement is microseconds, cheaper than a thread-pool hop.
 */
export function openSqlite(path: string): OpenedSqlite {
  const file = resolve(path);
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { timeout: 5000 });
  // Message bodies are tens of KB: larger pages mean fewer overflow pages per write.
  db.pragma('page_size = 16384');
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  // Statement journals and scratch tables in memory. A batch (a savepoint) that splits pages
  // the turn's commit already changed journals them, and past 64 KB (four pages) SQLite's default
  // puts that journal in a temporary file: at 500 messages/s, ≈ 16 files a second created,
  // written, unlinked and closed on the event loop, a few of them taking milliseconds. What they
  // hold here is a commit's pages or a claim's few rows; nothing sorts a large table.
  db.pragma('temp_store = MEMORY');
  try {
    const release = checkpointOffThread(file);
    // Checkpoints run on another thread; this connection's own is the backstop (see wal-checkpointer).
    db.pragma(`wal_autocheckpoint = ${BACKSTOP_PAGES}`);
    return { db, release };
  } catch {
    // No thread to be had (a resource limit): SQLite's own checkpoints, on this thread, as before.
    return { db, release: async () => {} };
  }
}
