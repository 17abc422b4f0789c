import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createJobQueue } from '../src/queue/create-job-queue.js';
import type { JobQueue, JobSpec } from '../src/services/job-queue.js';
import { SqliteKeyvAdapter } from '../src/store/sqlite-keyv-adapter.js';
import { timeOrderedId } from '../src/util/ids.js';

/**
 * Every page a commit changes is written to the WAL whole (16 KB) and copied again into the file
 * by the checkpoint: at hundreds of messages a second, pages per commit are the store's cost on
 * the event loop. These tests count them, from the WAL's length after a commit into an emptied WAL.
 */
const FRAME = 16_384 + 24;
const WAL_HEADER = 32;

/**
 * Checkpoints and truncates the WAL. A checkpoint already running on the store's checkpointer
 * thread makes TRUNCATE answer busy at once (SQLite does not wait for that lock), and on a disk
 * whose fsync is slow that thread is often mid-checkpoint: try again until the WAL is empty.
 */
async function emptyWal(path: string): Promise<void> {
  const db = new Database(path, { timeout: 5000 });
  try {
    for (let attempt = 0; attempt < 500; attempt++) {
      const [result] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      if (result?.busy === 0 && statSync(`${path}-wal`).size === 0) return;
      await new Promise((r) => setTimeout(r, 10));
    }
    throw new Error(`the WAL of ${path} could not be emptied in 500 tries`);
  } finally {
    db.close();
  }
}

/** Pages the write `fn` committed: the fewest over `tries` (a leaf that splits costs more, rarely). */
async function pagesOf(path: string, tries: number, fn: (i: number) => Promise<unknown>): Promise<number> {
  let fewest = Infinity;
  for (let i = 0; i < tries; i++) {
    await emptyWal(path);
    await fn(i);
    const size = statSync(`${path}-wal`).size;
    fewest = Math.min(fewest, (size - WAL_HEADER) / FRAME);
  }
  return fewest;
}

const record = (n: number): string => JSON.stringify({ value: { state: 'notified', n, pad: 'x'.repeat(600) } });
const job = (id: string, runAt: number): JobSpec => ({ id, kind: 'deliver', data: { id }, runAt, maxAttempts: 3, backoff: { baseMs: 1000, maxMs: 60_000, jitter: 0 } });

describe('SQLite pages per commit', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'openmmsc-pages-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  it('a stored record written again changes its own page only (the key index is the table)', async () => {
    const path = join(dir, 'records.sqlite');
    const store = new SqliteKeyvAdapter(path);
    try {
      const keys = Array.from({ length: 400 }, () => `mmsc:rcpt:${timeOrderedId()}:0`);
      for (const [i, key] of keys.entries()) await store.set(key, record(i));
      // Before: REPLACE deleted the row and appended it again, and moved its key in the index
      // (3–4 pages).
      assert.equal(await pagesOf(path, 5, (i) => store.set(keys[50 + 60 * i]!, record(1000 + i))), 1);
      // A new record at the end of the key order: the last leaf (before: that leaf and the index's).
      assert.equal(await pagesOf(path, 5, () => store.set(`mmsc:rcpt:${timeOrderedId()}:0`, record(0))), 1);
      assert.equal(JSON.parse((await store.get<string>(keys[50]!)) as string).value.n, 1000, 'the update is there');
    } finally {
      await store.disconnect();
    }
  });

  it('a job enqueued or cancelled changes the table and the due index, not a third tree', async () => {
    const path = join(dir, 'jobs.sqlite');
    const queue: JobQueue = await createJobQueue({ type: 'sqlite', path });
    try {
      const later = Date.now() + 3_600_000;
      const ids = Array.from({ length: 400 }, () => `deliver:${timeOrderedId()}:0`);
      for (const id of ids) await queue.enqueue(job(id, later));
      assert.equal(await pagesOf(path, 5, () => queue.enqueue(job(`deliver:${timeOrderedId()}:0`, later + 1))), 2);
      assert.equal(await pagesOf(path, 5, (i) => queue.cancel(ids[40 + 70 * i]!)), 2);
      assert.equal(await queue.job(ids[40]!), undefined, 'the cancelled job is gone');
      // 400, and 5 enqueued, and 5 cancelled.
      assert.equal((await queue.counts()).delayed, 400);
    } finally {
      await queue.close();
    }
  });

  it('a file written by an earlier version (row-id tables, a separate key index) is read and written as it is', async () => {
    const path = join(dir, 'older.sqlite');
    const old = new Database(path);
    old.pragma('page_size = 16384');
    old.pragma('journal_mode = WAL');
    old.exec('CREATE TABLE openmmsc (key TEXT PRIMARY KEY, value TEXT NOT NULL)');
    old.exec('CREATE TABLE openmmsc_blobs (key TEXT PRIMARY KEY, value BLOB NOT NULL)');
    old.exec(`CREATE TABLE jobs (id TEXT PRIMARY KEY, kind TEXT NOT NULL, data TEXT NOT NULL, run_at INTEGER NOT NULL,
      attempt INTEGER NOT NULL DEFAULT 0, max_attempts INTEGER NOT NULL, backoff TEXT NOT NULL, state TEXT NOT NULL,
      last_error TEXT, updated_at INTEGER NOT NULL)`);
    old.exec('CREATE INDEX jobs_due ON jobs (state, kind, run_at)');
    old.prepare('INSERT INTO openmmsc (key, value) VALUES (?, ?)').run('mmsc:msg:a', record(1));
    old.prepare(`INSERT INTO jobs (id, kind, data, run_at, max_attempts, backoff, state, updated_at) VALUES ('j1', 'deliver', '{}', 0, 3, '{"baseMs":1000,"maxMs":60000,"jitter":0}', 'waiting', 0)`).run();
    old.close();

    const store = new SqliteKeyvAdapter(path);
    try {
      assert.equal(JSON.parse((await store.get<string>('mmsc:msg:a')) as string).value.n, 1);
      await store.set('mmsc:msg:a', record(2));
      await store.set('mmsc:msg:b', record(3));
      assert.equal(JSON.parse((await store.get<string>('mmsc:msg:a')) as string).value.n, 2);
      assert.equal(JSON.parse((await store.get<string>('mmsc:msg:b')) as string).value.n, 3);
    } finally {
      await store.disconnect();
    }
    const queue = await createJobQueue({ type: 'sqlite', path });
    try {
      assert.equal((await queue.job('j1'))?.state, 'waiting');
      await queue.enqueue(job('j2', Date.now() + 60_000));
      assert.equal(await queue.cancel('j1'), true);
      assert.deepEqual(await queue.counts(), { waiting: 0, delayed: 1, active: 0, failed: 0 });
    } finally {
      await queue.close();
    }
    const check = new Database(path, { readonly: true });
    try {
      const sql = (check.prepare(`SELECT sql FROM sqlite_schema WHERE name = 'openmmsc'`).get() as { sql: string }).sql;
      assert.doesNotMatch(sql, /WITHOUT ROWID/, 'the older table is kept, not rebuilt');
    } finally {
      check.close();
    }
  });
});
