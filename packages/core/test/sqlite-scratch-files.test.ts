import assert from 'node:assert/strict';
import { mkdtempSync, watch } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { SqliteKeyvAdapter } from '../src/store/sqlite-keyv-adapter.js';

// SQLite reads SQLITE_TMPDIR when it first makes a temporary file in a process: set before any.
const scratch = mkdtempSync(join(tmpdir(), 'openmmsc-sqlite-scratch-'));
process.env.SQLITE_TMPDIR = scratch;
const files = mkdtempSync(join(tmpdir(), 'openmmsc-sqlite-files-'));

/** Names of the temporary files SQLite makes in `scratch` while `fn` runs (each is unlinked at once, so watched, not listed). */
async function scratchFilesDuring(fn: () => Promise<void>): Promise<string[]> {
  const made: string[] = [];
  const watcher = watch(scratch, (_event, name) => made.push(String(name)));
  try {
    await fn();
    // inotify's events come after the calls that caused them.
    await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    watcher.close();
  }
  return [...new Set(made)];
}

const key = (i: number, tag: string) => `mmsc:rcpt:${String(i).padStart(6, '0')}${tag}`;

/**
 * A commit of a busy turn writes records one by one and then a batch, which better-sqlite3 runs
 * in a savepoint. When the batch's inserts split pages the turn already changed, SQLite copies
 * those pages to a statement journal, and with its default scratch space that journal goes to a
 * temporary file past 64 KB: four pages of 16 KB. At 500 messages a second that was ≈ 16 files a
 * second, each created, written, unlinked and closed on the event loop (bench/e2e, stop 33).
 */
describe('SQLite scratch space', () => {
  after(async () => {
    await rm(scratch, { recursive: true, force: true });
    await rm(files, { recursive: true, force: true });
  });

  it('the same writes on a connection with SQLite’s default scratch space make a temporary file (the watch sees them)', async () => {
    const db = new Database(join(files, 'default.sqlite'));
    try {
      db.pragma('page_size = 16384');
      db.pragma('journal_mode = WAL');
      db.exec('CREATE TABLE kv (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID');
      const insert = db.prepare('INSERT INTO kv (key, value) VALUES (?, ?)');
      const batch = db.transaction((from: number) => {
        for (let i = 0; i < 100; i++) insert.run(key(from + i, 'b'), 'x'.repeat(2000));
      });
      const made = await scratchFilesDuring(async () => {
        db.exec('BEGIN IMMEDIATE');
        for (let i = 0; i < 100; i++) insert.run(key(i * 3, 'a'), 'y'.repeat(2000));
        batch(1);
        db.exec('COMMIT');
      });
      assert.ok(made.length > 0, 'no temporary file seen: the watch would not see one made by the store either');
    } finally {
      db.close();
    }
  });

  it('the store’s commits keep their statement journals in memory: no temporary file', async () => {
    const adapter = new SqliteKeyvAdapter(join(files, 'store.sqlite'));
    try {
      const made = await scratchFilesDuring(async () => {
        // One turn: records one by one, then a batch whose inserts split the pages they changed.
        const writes: Promise<unknown>[] = [];
        for (let i = 0; i < 100; i++) writes.push(adapter.set(key(i * 3, 'a'), 'y'.repeat(2000)));
        writes.push(adapter.setMany(Array.from({ length: 100 }, (_, i) => ({ key: key(i + 1, 'b'), value: 'x'.repeat(2000) }))));
        await Promise.all(writes);
      });
      assert.deepEqual(made, []);
      assert.equal((await adapter.get(key(50, 'b')))?.length, 2000, 'the batch committed');
    } finally {
      await adapter.disconnect();
    }
  });
});
