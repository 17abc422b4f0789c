import type Database from 'better-sqlite3';

/**
 * Group commit for one better-sqlite3 connection: writes made in the same turn of the event loop
 * share one transaction, committed on the next `setImmediate`. Each write's promise settles only
 * after that commit, so "resolved" still means "durable" (WAL, synchronous=NORMAL), while the
 * per-commit cost (WAL frames for the same B-tree pages, locking) is paid once per batch.
 */
export class GroupCommit {
  readonly #db: Database.Database;
  #waiting: Array<{ resolve: () => void; reject: (error: Error) => void }> = [];
  #open = false;

  constructor(db: Database.Database) {
    this.#db = db;
  }

  write<T>(fn: () => T): Promise<T> {
    if (!this.#open) {
      this.#db.exec('BEGIN IMMEDIATE');
      this.#open = true;
      setImmediate(() => this.#commit());
    }
    let value: T;
    try {
      value = fn();
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error(String(error)));
    }
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({ resolve: () => resolve(value), reject });
    });
  }

  /** Commits what is pending now (used before closing). */
  flush(): void {
    if (this.#open) this.#commit();
  }

  #commit(): void {
    if (!this.#open) return;
    const waiting = this.#waiting;
    this.#waiting = [];
    this.#open = false;
    try {
      this.#db.exec('COMMIT');
    } catch (error) {
      try {
        this.#db.exec('ROLLBACK');
      } catch {
        // Already rolled back by SQLite.
      }
      for (const w of waiting) w.reject(error as Error);
      return;
    }
    for (const w of waiting) w.resolve();
  }
}
