import type { JobCounts, JobInfo, JobKind, JobKindStats, JobQueue, JobQueueStartOptions, JobSpec } from '../services/job-queue.js';
import { JobRunner, type Claim, type JobTable } from './job-runner.js';
import { DEFAULT_GRACE_MS, KEEP_FAILED_ROWS, runningJobFromRow, type ClaimedJobRow } from './job-rows.js';
import { SqliteDb } from './sqlite-db.js';
import { migrateJobsTable } from './sqlite-job-schema.js';
import { jobInfo, jobStats } from './sqlite-job-stats.js';

/** Longest sleep between looks at the table: bounds the delay if a wake-up is ever missed. */
const MAX_POLL_MS = 250;
/** A row as `SqliteDb.all` returns it. */
interface JobRow extends ClaimedJobRow {
  [column: string]: unknown;
}

export interface SqliteJobQueueOptions {
  /** Where failures of the queue itself (not of jobs) are reported. */
  onError?: (error: unknown) => void;
  /**
   * This worker process's name, when several workers of one node share the file: claims are
   * marked with it, and `start` gives back only the jobs an earlier process of the same name
   * left active (the other workers' are still running). Unset: this process owns the file.
   */
  owner?: string;
}

/** The jobs table of a SQLite file: a claim is the row being active (marked with its worker). */
class SqliteJobTable implements JobTable<Claim> {
  constructor(
    private readonly db: SqliteDb,
    private readonly owner: string | null,
  ) {}

  async claim(kind: JobKind, limit: number, now: number): Promise<Claim[]> {
    // One UPDATE under SQLite's write lock: two workers never claim the same row. The limit is
    // written into the statement, not bound: SQLite plans with a bound LIMIT's value, so a
    // statement with `LIMIT ?` is prepared again on every run (≈ 20 µs; one statement is kept
    // per limit, at most the kind's concurrency).
    const rows = await this.db.all<JobRow>(
      `UPDATE jobs SET state = 'active', attempt = attempt + 1, updated_at = ?, owner = ?
       WHERE id IN (SELECT id FROM jobs WHERE state = 'waiting' AND kind = ? AND run_at <= ? ORDER BY run_at LIMIT ${sqlLimit(limit)})
       RETURNING id, kind, data, run_at, attempt, max_attempts, backoff, deadline`,
      [now, this.owner, kind, now],
    );
    return rows.map((row) => ({ job: runningJobFromRow(row) }));
  }

  async nextDue(kinds: readonly JobKind[]): Promise<number | undefined> {
    const rows = await this.db.all<{ next: number | null }>(
      `SELECT MIN(run_at) AS next FROM jobs WHERE state = 'waiting' AND kind IN (${kinds.map(() => '?').join(',')})`,
      kinds,
    );
    return rows[0]?.next ?? undefined;
  }

  async complete({ job }: Claim): Promise<void> {
    await this.db.run(`DELETE FROM jobs WHERE id = ? AND state = 'active'`, [job.id]);
  }

  async retry({ job }: Claim, runAt: number, error: string, now: number): Promise<void> {
    await this.db.run(
      `UPDATE jobs SET state = 'waiting', run_at = ?, last_error = ?, held_since = NULL, hold_key = NULL, updated_at = ? WHERE id = ?`,
      [runAt, error, now, job.id],
    );
  }

  async fail({ job }: Claim, error: string, now: number): Promise<boolean> {
    await this.db.run(`UPDATE jobs SET state = 'failed', last_error = ?, held_since = NULL, hold_key = NULL, updated_at = ? WHERE id = ?`, [
      error,
      now,
      job.id,
    ]);
    return true;
  }

  async hold({ job }: Claim, runAt: number, key: string | undefined, reason: string, now: number): Promise<void> {
    await this.db.run(
      `UPDATE jobs SET state = 'waiting', attempt = MAX(0, attempt - 1), run_at = ?, held_since = COALESCE(held_since, ?),
         hold_key = ?, last_error = ?, updated_at = ? WHERE id = ? AND state = 'active'`,
      [runAt, now, key ?? null, reason, now, job.id],
    );
  }

  async handBack({ job }: Claim): Promise<void> {
    await this.db.run(
      `UPDATE jobs SET state = 'waiting', attempt = MAX(0, attempt - 1), updated_at = ? WHERE id = ? AND state = 'active'`,
      [Date.now(), job.id],
    );
  }
}

/** Makes every job a dead process left `active` in the file waiting again (before any worker starts). */
export async function releaseSqliteJobs(path: string): Promise<number> {
  const db = await SqliteDb.open(path);
  try {
    await migrateJobsTable(db);
    return await db.run(`UPDATE jobs SET state = 'waiting', owner = NULL, updated_at = ? WHERE state = 'active'`, [Date.now()]);
  } finally {
    await db.close();
  }
}

/**
 * Durable in-process queue in a SQLite file owned by this process (or shared by the workers of
 * one node, each with its `owner` name). Claiming flips rows to `active`; on `start`, rows a dead
 * process (of the same owner) left `active` are waiting again, so every unfinished job runs (at
 * least once).
 */
export class SqliteJobQueue implements JobQueue {
  readonly #db: SqliteDb;
  readonly #runner: JobRunner<Claim>;
  readonly #owner: string | null;
  #drained: Promise<void> | undefined;
  #closed: Promise<void> | undefined;

  private constructor(db: SqliteDb, options: SqliteJobQueueOptions) {
    this.#db = db;
    this.#owner = options.owner ?? null;
    const onError = options.onError ?? ((error: unknown) => console.error('openmmsc sqlite job queue:', error));
    this.#runner = new JobRunner(new SqliteJobTable(db, this.#owner), { maxPollMs: MAX_POLL_MS, onError });
  }

  static async open(path: string, options: SqliteJobQueueOptions = {}): Promise<SqliteJobQueue> {
    const db = await SqliteDb.open(path, options.owner === undefined ? 'turn' : 'batch');
    await migrateJobsTable(db);
    db.nonBlocking();
    return new SqliteJobQueue(db, options);
  }

  async enqueue(job: JobSpec): Promise<void> {
    const now = Date.now();
    const runAt = job.runAt ?? now;
    // A pending or running id is left alone; a failed one is replaced by the new request.
    const inserted = await this.#db.run(
      `INSERT INTO jobs (id, kind, data, run_at, attempt, max_attempts, backoff, deadline, state, last_error, updated_at)
       VALUES (?, ?, ?, ?, 0, ?, ?, ?, 'waiting', NULL, ?)
       ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, data = excluded.data, run_at = excluded.run_at,
         attempt = 0, max_attempts = excluded.max_attempts, backoff = excluded.backoff, deadline = excluded.deadline, state = 'waiting',
         last_error = NULL, held_since = NULL, hold_key = NULL, updated_at = excluded.updated_at
       WHERE jobs.state = 'failed'`,
      [job.id, job.kind, JSON.stringify(job.data), runAt, job.maxAttempts, JSON.stringify(job.backoff), job.deadline ?? null, now],
    );
    if (inserted > 0) this.#runner.dueAt(job.kind, runAt);
  }

  async cancel(id: string, kind?: JobKind): Promise<boolean> {
    const sql = `DELETE FROM jobs WHERE id = ? AND state = 'waiting'${kind === undefined ? '' : ' AND kind = ?'}`;
    return (await this.#db.run(sql, kind === undefined ? [id] : [id, kind])) > 0;
  }

  async start(options: JobQueueStartOptions): Promise<void> {
    if (this.#runner.started) throw new Error('job queue already started');
    if (this.#runner.closing) throw new Error('job queue is closed');
    if (this.#owner === null) await this.#db.run(`UPDATE jobs SET state = 'waiting', updated_at = ? WHERE state = 'active'`, [Date.now()]);
    else await this.#db.run(`UPDATE jobs SET state = 'waiting', owner = NULL, updated_at = ? WHERE state = 'active' AND owner = ?`, [Date.now(), this.#owner]);
    await this.#db.run(
      `DELETE FROM jobs WHERE state = 'failed' AND id NOT IN
         (SELECT id FROM jobs WHERE state = 'failed' ORDER BY updated_at DESC LIMIT ?)`,
      [KEEP_FAILED_ROWS],
    );
    this.#runner.start(options);
  }

  drain(graceMs = DEFAULT_GRACE_MS): Promise<void> {
    this.#drained ??= this.#runner.drain(graceMs);
    return this.#drained;
  }

  close(graceMs = DEFAULT_GRACE_MS): Promise<void> {
    this.#closed ??= this.drain(graceMs).then(() => this.#db.close());
    return this.#closed;
  }

  async counts(): Promise<JobCounts> {
    const now = Date.now();
    const rows = await this.#db.all<{ waiting: number | null; delayed: number | null; active: number | null; failed: number | null }>(
      `SELECT SUM(state = 'waiting' AND run_at <= ?) AS waiting, SUM(state = 'waiting' AND run_at > ?) AS delayed,
              SUM(state = 'active') AS active, SUM(state = 'failed') AS failed FROM jobs`,
      [now, now],
    );
    const row = rows[0];
    return { waiting: row?.waiting ?? 0, delayed: row?.delayed ?? 0, active: row?.active ?? 0, failed: row?.failed ?? 0 };
  }

  /** An index range (`jobs_due`: state, kind, run_at): reads the due jobs only, not the delayed backlog. */
  async dueCount(kinds: readonly JobKind[]): Promise<number> {
    if (kinds.length === 0) return 0;
    const rows = await this.#db.all<{ n: number }>(
      `SELECT COUNT(*) AS n FROM jobs WHERE state = 'waiting' AND kind IN (${kinds.map(() => '?').join(', ')}) AND run_at <= ?`,
      [...kinds, Date.now()],
    );
    return rows[0]?.n ?? 0;
  }

  stats(): Promise<Record<JobKind, JobKindStats>> {
    return jobStats(this.#db, Date.now(), this.#runner.kinds());
  }

  job(id: string): Promise<JobInfo | undefined> {
    return jobInfo(this.#db, id, Date.now());
  }

  async wake(key: string): Promise<number> {
    const now = Date.now();
    const woken = await this.#db.run(`UPDATE jobs SET run_at = ?, updated_at = ? WHERE hold_key = ? AND state = 'waiting' AND run_at > ?`, [now, now, key, now]);
    if (woken > 0) this.#runner.poke();
    return woken;
  }

  async ping(): Promise<void> {
    await this.#db.all('SELECT 1');
  }
}

/** A row count written into SQL text: always a whole number (0 claims nothing). */
function sqlLimit(limit: number): number {
  return Number.isFinite(limit) ? Math.max(0, Math.floor(limit)) : 0;
}
