import type Database from 'better-sqlite3';
import { GroupCommit, type CommitMode } from '../store/group-commit.js';
import { openSqlite, type OpenedSqlite } from '../store/open-sqlite.js';

export type SqlParam = string | number | null;
export type Row = Record<string, unknown>;

/** Promise-shaped helpers over one better-sqlite3 connection, with prepared statements cached. */
export class SqliteDb {
  readonly #db: Database.Database;
  readonly #statements = new Map<string, Database.Statement>();
  readonly #writes: GroupCommit;
  readonly #opened: OpenedSqlite;

  private constructor(opened: OpenedSqlite, mode: CommitMode) {
    this.#opened = opened;
    this.#db = opened.db;
    this.#writes = new GroupCommit(opened.db, mode);
  }

  static async open(path: string, mode: CommitMode = 'turn'): Promise<SqliteDb> {
    return new SqliteDb(openSqlite(path), mode);
  }

  #prepare(sql: string): Database.Statement {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  run(sql: string, params: readonly SqlParam[] = []): Promise<number> {
    const statement = this.#prepare(sql);
    return this.#writes.write(() => statement.run(...params).changes);
  }

  async all<T extends Row = Row>(sql: string, params: readonly SqlParam[] = []): Promise<T[]> {
    const statement = this.#prepare(sql);
    if (statement.readonly) return statement.all(...params) as T[];
    // UPDATE … RETURNING: a write that answers rows.
    return this.#writes.write(() => (statement.reader ? statement.all(...params) : (statement.run(...params), [])) as T[]);
  }

  /** Schema is in place: writes no longer wait inside SQLite for another worker's lock (see `GroupCommit`). */
  nonBlocking(): void {
    this.#writes.nonBlocking();
  }

  async exec(sql: string): Promise<void> {
    this.#writes.flush();
    this.#db.exec(sql);
  }

  async close(): Promise<void> {
    await this.#opened.release();
    this.#writes.flush();
    this.#statements.clear();
    this.#db.close();
  }
}
