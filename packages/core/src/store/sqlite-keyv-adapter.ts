import { EventEmitter } from 'node:events';
import type Database from 'better-sqlite3';
import type { KeyvStoreAdapter, StoredData } from 'keyv';
import { GroupCommit, type CommitMode } from './group-commit.js';
import type { AtomicUpdate, WriteTogether } from './keyv-message-store.js';
import { openSqlite, type OpenedSqlite } from './open-sqlite.js';
import { ReusedJoin, byteLength, type BlobEntry, type BlobTable } from './blob-table.js';
import { BlobFiles } from './blob-files.js';
import { decodeValue, encodeValue } from './value-codec.js';

const NO_BYTES = Buffer.alloc(0);
/** Part blobs up to this size are joined in one reused buffer (see `ReusedJoin`). */
const REUSED_JOIN_BYTES = 1 << 20;

/**
 * A keyv storage adapter on better-sqlite3. Keyv hands it serialized strings (expiry included),
 * so it is a plain key → text table; `setMany` writes in one transaction.
 */
export class SqliteKeyvAdapter extends EventEmitter implements KeyvStoreAdapter {
  opts: { table: string };
  namespace?: string;
  readonly #db: Database.Database;
  readonly #opened: OpenedSqlite;
  readonly #writes: GroupCommit;
  readonly #get: Database.Statement<[string], { value: string }>;
  readonly #set: Database.Statement<[string, string]>;
  readonly #delete: Database.Statement<[string]>;
  readonly #setMany: (entries: Array<{ key: string; value: string }>) => void;
  readonly #rows: (blobs: readonly BlobEntry[], inFiles: readonly BlobEntry[], records: Array<{ key: string; value: string }>) => void;
  readonly #blobGet: Database.Statement<[string], { value: Buffer }>;
  readonly #blobSet: Database.Statement<[string, Buffer]>;
  readonly #blobDelete: Database.Statement<[string], { size: number }>;
  readonly #files: BlobFiles | undefined;
  readonly #filesAbove: number;
  readonly #join = new ReusedJoin(REUSED_JOIN_BYTES);
  #sweep: NodeJS.Timeout | undefined;

  /**
   * `mode`: `batch` when several worker processes write the file (see `CommitMode`).
   * `files`: blobs larger than `above` bytes go to files in `dir` (see `BlobFiles`); their row
   * stays, empty, as the commit record that the file belongs to the store.
   */
  constructor(path: string, table = 'openmmsc', mode: CommitMode = 'turn', files?: { dir: string; above: number }) {
    super();
    this.opts = { table };
    this.#opened = openSqlite(path);
    this.#db = this.#opened.db;
    this.#writes = new GroupCommit(this.#db, mode);
    // Records are kept in their key's B-tree (WITHOUT ROWID), and written again in place (an upsert,
    // not REPLACE's delete and append): a record's update changes one page, where a row-id table
    // and its key index changed three, each written whole to the WAL and again by the checkpoint.
    // Files made before keep their row-id table; the statements are the same for both. Bodies stay
    // in a row-id table: tens of KB overflow its pages either way, and an index B-tree holds less
    // of a row on the page.
    this.#db.exec(`CREATE TABLE IF NOT EXISTS ${table} (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID`);
    this.#get = this.#db.prepare(`SELECT value FROM ${table} WHERE key = ?`);
    this.#set = this.#db.prepare(`INSERT INTO ${table} (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`);
    this.#delete = this.#db.prepare(`DELETE FROM ${table} WHERE key = ?`);
    this.#db.exec(`CREATE TABLE IF NOT EXISTS ${table}_blobs (key TEXT PRIMARY KEY, value BLOB NOT NULL)`);
    this.#blobGet = this.#db.prepare(`SELECT value FROM ${table}_blobs WHERE key = ?`);
    this.#blobSet = this.#db.prepare(`INSERT OR REPLACE INTO ${table}_blobs (key, value) VALUES (?, ?)`);
    this.#blobDelete = this.#db.prepare(`DELETE FROM ${table}_blobs WHERE key = ? RETURNING length(value) AS size`);
    this.#files = files && new BlobFiles(files.dir);
    this.#filesAbove = files?.above ?? Infinity;
    this.#setMany = this.#db.transaction((entries: Array<{ key: string; value: string }>) => {
      for (const e of entries) this.#set.run(e.key, e.value);
    });
    this.#rows = this.#db.transaction((blobs: readonly BlobEntry[], inFiles: readonly BlobEntry[], records: Array<{ key: string; value: string }>) => {
      // A body in a file keeps an empty row: the record that the file belongs to the store.
      for (const e of blobs) this.#blobSet.run(e.key, inFiles.includes(e) ? NO_BYTES : this.#join.join(e.value));
      for (const r of records) this.#set.run(r.key, r.value);
    });
    this.#writes.nonBlocking();
    if (this.#files) {
      // Once now for files left by an earlier crash, and once after the grace period for those
      // left by a crash just before this start.
      void this.#sweepFiles();
      this.#sweep = setTimeout(() => void this.#sweepFiles(), 65_000).unref();
    }
  }

  async get<Value>(key: string): Promise<StoredData<Value> | undefined> {
    return this.#get.get(key)?.value as StoredData<Value> | undefined;
  }

  async getMany<Value>(keys: string[]): Promise<Array<StoredData<Value | undefined>>> {
    return keys.map((k) => this.#get.get(k)?.value as StoredData<Value | undefined>);
  }

  set(key: string, value: string): Promise<boolean> {
    return this.#writes.write(() => (this.#set.run(key, value), true));
  }

  setMany(values: Array<{ key: string; value: string }>): Promise<void> {
    return this.#writes.write(() => this.#setMany(values));
  }

  delete(key: string): Promise<boolean> {
    return this.#writes.write(() => this.#delete.run(key).changes > 0);
  }

  deleteMany(keys: string[]): Promise<boolean> {
    return this.#writes.write(() => {
      let any = false;
      for (const k of keys) any = this.#delete.run(k).changes > 0 || any;
      return any;
    });
  }

  async has(key: string): Promise<boolean> {
    return this.#get.get(key) !== undefined;
  }

  async clear(): Promise<void> {
    const prefix = this.namespace ? `${this.namespace}:` : '';
    await this.#writes.write(() =>
      this.#db.prepare(`DELETE FROM ${this.opts.table} WHERE key LIKE ? ESCAPE '\\'`).run(`${prefix.replace(/[\\%_]/g, '\\$&')}%`),
    );
  }

  /** Raw bytes beside the keyv table (message bodies), committed with the same group commit. */
  readonly blobs: BlobTable = {
    set: (entries) => this.#writeRows(entries, []),
    get: async (keys) => {
      const rows = keys.map((k) => this.#blobGet.get(k)?.value);
      if (!this.#files) return rows;
      return Promise.all(rows.map((row, i) => (row?.byteLength === 0 ? this.#files!.read(keys[i]!) : row)));
    },
    delete: async (keys) => {
      const spilled = await this.#writes.write(() => keys.filter((k) => this.#blobDelete.get(k)?.size === 0));
      // A file whose unlink fails here is an orphan the next sweep removes.
      if (this.#files) await Promise.all(spilled.map((k) => this.#files!.remove(k).catch(() => undefined)));
    },
  };

  /** Blobs and keyv records in one transaction: all of them commit, or none (a savepoint). */
  readonly together: WriteTogether = {
    write: (blobs, records) => {
      const prefix = this.namespace ? `${this.namespace}:` : '';
      return this.#writeRows(
        blobs,
        records.map((r) => ({ key: `${prefix}${r.key}`, value: encodeValue({ value: r.value }) })),
      );
    },
  };

  /** Large bodies to their files first, then every row in one savepoint of the turn's commit. */
  async #writeRows(entries: readonly BlobEntry[], records: Array<{ key: string; value: string }>): Promise<void> {
    const files = this.#files;
    const large = files ? entries.filter((e) => !e.inline && byteLength(e.value) > this.#filesAbove) : [];
    // The file first, then its row: a row never points at a body that is not all there.
    await Promise.all(large.map((e) => files!.write(e.key, e.value)));
    try {
      await this.#writes.write(() => this.#rows(entries, large, records));
    } catch (error) {
      await Promise.all(large.map((e) => files!.remove(e.key).catch(() => undefined)));
      throw error;
    }
  }

  async #sweepFiles(): Promise<void> {
    // Errors leave garbage files only; the next start sweeps again.
    await this.#files?.sweep((key) => !this.#db.open || this.#blobGet.get(key)?.value.byteLength === 0).catch(() => undefined);
  }

  /**
   * Read-modify-write inside the write transaction: SQLite's write lock makes it atomic against
   * every other connection to the file, in this process or in another worker.
   */
  readonly atomic: AtomicUpdate = {
    modify: <T>(key: string, fn: (current: T | undefined) => T): Promise<T> =>
      this.#writes.write(() => {
        const full = `${this.namespace ? `${this.namespace}:` : ''}${key}`;
        const raw = this.#get.get(full)?.value;
        const next = fn(raw === undefined ? undefined : decodeValue<{ value?: T }>(raw).value);
        this.#set.run(full, encodeValue({ value: next }));
        return next;
      }),
  };

  async disconnect(): Promise<void> {
    clearTimeout(this.#sweep);
    await this.#opened.release();
    this.#writes.flush();
    if (this.#db.open) this.#db.close();
  }
}
