import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import sqlite3 from 'sqlite3';

export type SqlParam = string | number | null;
export type Row = Record<string, unknown>;

/** Promise helpers over one `sqlite3` connection. */
export class SqliteDb {
  readonly #db: sqlite3.Database;

  private constructor(db: sqlite3.Database) {
    this.#db = db;
  }

  /** Opens the file in WAL mode with synchronous=NORMAL: commits survive a killed process. */
  static async open(path: string): Promise<SqliteDb> {
    const file = resolve(path);
    await mkdir(dirname(file), { recursive: true });
    const db = await new Promise<sqlite3.Database>((ok, fail) => {
      const handle = new sqlite3.Database(file, (err) => (err ? fail(err) : ok(handle)));
    });
    db.configure('busyTimeout', 5000);
    const wrapped = new SqliteDb(db);
    await wrapped.all('PRAGMA journal_mode=WAL');
    await wrapped.run('PRAGMA synchronous=NORMAL');
    return wrapped;
  }

  run(sql: string, params: readonly SqlParam[] = []): Promise<number> {
    return new Promise((ok, fail) => {
      this.#db.run(sql, params, function (this: sqlite3.RunResult, err: Error | null) {
        if (err) fail(err);
        else ok(this.changes);
      });
    });
  }

  all<T extends Row = Row>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    return new Promise((ok, fail) => {
      this.#db.all(sql, params, (err: Error | null, rows: T[]) => (err ? fail(err) : ok(rows)));
    });
  }

  exec(sql: string): Promise<void> {
    return new Promise((ok, fail) => this.#db.exec(sql, (err) => (err ? fail(err) : ok())));
  }

  close(): Promise<void> {
    return new Promise((ok, fail) => this.#db.close((err) => (err ? fail(err) : ok())));
  }
}
