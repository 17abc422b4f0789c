import type Database from 'better-sqlite3';
import { commitAtTurnEnd } from './turn-end.js';

/**
 * How writes share a transaction. `turn`: the transaction opens at the first write of an
 * event-loop turn and commits at the turn's end, in its check phase (`commitAtTurnEnd`; a file
 * one process owns: its writes see each other at once). `batch`: writes are queued and run
 * together at the turn's end, in one transaction opened and committed there (a file several
 * worker processes write: the write lock is held only for the statements, never across a turn
 * of other work, so another worker waits microseconds for it, not the length of this one's turn).
 */
export type CommitMode = 'turn' | 'batch';

interface Waiting {
  resolve: () => void;
  reject: (error: Error) => void;
}

interface Queued {
  fn: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

const toError = (error: unknown): Error => (error instanceof Error ? error : new Error(String(error)));
const isBusy = (error: unknown): boolean => (error as { code?: string } | null)?.code === 'SQLITE_BUSY';
/** How long a batch keeps retrying while other workers hold the write lock. */
const BUSY_LIMIT_MS = 5000;

/**
 * Group commit for one better-sqlite3 connection: writes made in the same turn of the event loop
 * share one transaction. Each write's promise settles only after that commit, so "resolved" still
 * means "durable" (WAL, synchronous=NORMAL), while the per-commit cost (WAL frames for the same
 * B-tree pages, locking) is paid once per batch.
 */
export class GroupCommit {
  readonly #db: Database.Database;
  readonly #mode: CommitMode;
  #waiting: Waiting[] = [];
  #open = false;
  #queued: Queued[] = [];
  #scheduled = false;
  #busySince: number | undefined;

  constructor(db: Database.Database, mode: CommitMode = 'turn') {
    this.#db = db;
    this.#mode = mode;
  }

  /**
   * From now on (after schema set-up, which may wait) a batch that finds the write lock taken
   * does not sleep in SQLite's busy handler, which would stall this worker's event loop: it
   * tries again a timer tick later, with the writes queued meanwhile joining it.
   */
  nonBlocking(): void {
    if (this.#mode === 'batch') this.#db.pragma('busy_timeout = 0');
  }

  write<T>(fn: () => T): Promise<T> {
    if (this.#mode === 'batch') return this.#enqueue(fn);
    if (!this.#open) {
      this.#db.exec('BEGIN IMMEDIATE');
      this.#open = true;
      commitAtTurnEnd(() => this.#commit());
    }
    let value: T;
    try {
      value = fn();
    } catch (error) {
      return Promise.reject(toError(error));
    }
    return new Promise<T>((resolve, reject) => {
      this.#waiting.push({ resolve: () => resolve(value), reject });
    });
  }

  /** Commits what is pending now (used before closing). */
  flush(): void {
    if (this.#open) this.#commit();
    if (this.#queued.length > 0) {
      // Closing: wait for the lock as long as SQLite would, rather than drop the writes.
      if (this.#mode === 'batch') this.#db.pragma('busy_timeout = 5000');
      this.#runBatch();
    }
  }

  #enqueue<T>(fn: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#queued.push({ fn, resolve: resolve as (value: unknown) => void, reject });
      if (this.#scheduled) return;
      this.#scheduled = true;
      commitAtTurnEnd(() => this.#runBatch());
    });
  }

  #runBatch(): void {
    this.#scheduled = false;
    const queued = this.#queued;
    this.#queued = [];
    if (queued.length === 0) return;
    try {
      // IMMEDIATE: the write lock up front, so a read-modify-write in `fn` sees the latest commit.
      this.#db.exec('BEGIN IMMEDIATE');
      this.#busySince = undefined;
    } catch (error) {
      const now = Date.now();
      this.#busySince ??= now;
      if (isBusy(error) && now - this.#busySince < BUSY_LIMIT_MS) {
        this.#queued = [...queued, ...this.#queued];
        this.#scheduled = true;
        setTimeout(() => this.#runBatch(), 0);
        return;
      }
      this.#busySince = undefined;
      for (const q of queued) q.reject(toError(error));
      return;
    }
    const outcomes = queued.map((q) => {
      try {
        return { ok: true as const, value: q.fn() };
      } catch (error) {
        // A failed statement is undone alone (SQLite's statement rollback); the others still commit.
        return { ok: false as const, error: toError(error) };
      }
    });
    try {
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#rollback();
      for (const q of queued) q.reject(toError(error));
      return;
    }
    outcomes.forEach((o, i) => (o.ok ? queued[i]!.resolve(o.value) : queued[i]!.reject(o.error)));
  }

  #rollback(): void {
    try {
      this.#db.exec('ROLLBACK');
    } catch {
      // Already rolled back by SQLite.
    }
  }

  #commit(): void {
    if (!this.#open) return;
    const waiting = this.#waiting;
    this.#waiting = [];
    this.#open = false;
    try {
      this.#db.exec('COMMIT');
    } catch (error) {
      this.#rollback();
      for (const w of waiting) w.reject(error as Error);
      return;
    }
    for (const w of waiting) w.resolve();
  }
}
