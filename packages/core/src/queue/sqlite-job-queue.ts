import {
  HoldJobError,
  JOB_KINDS,
  PermanentJobError,
  RetryLaterError,
  backoffDelay,
  isJobError,
  type BackoffPolicy,
  type JobCounts,
  type JobInfo,
  type JobKind,
  type JobKindStats,
  type JobQueue,
  type JobQueueStartOptions,
  type JobSpec,
  type JsonObject,
  type RunningJob,
} from '../services/job-queue.js';
import { SqliteDb } from './sqlite-db.js';
import { migrateJobsTable } from './sqlite-job-schema.js';
import { jobInfo, jobStats } from './sqlite-job-stats.js';

/** Longest sleep between looks at the table: bounds the delay if a wake-up is ever missed. */
const MAX_POLL_MS = 250;
/** Failed jobs kept for inspection; older ones are pruned on start. */
const KEEP_FAILED = 10_000;
const DEFAULT_GRACE_MS = 10_000;

interface JobRow {
  [column: string]: unknown;
  id: string;
  kind: JobKind;
  data: string;
  run_at: number;
  attempt: number;
  max_attempts: number;
  backoff: string;
}

interface Running {
  controller: AbortController;
  done: Promise<void>;
  /** Set when `close` gave up waiting: the row is handed back and the late result ignored. */
  abandoned: boolean;
  job: RunningJob;
}

export interface SqliteJobQueueOptions {
  /** Where failures of the queue itself (not of jobs) are reported. */
  onError?: (error: unknown) => void;
}

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

/**
 * Durable in-process queue in a SQLite file owned by this process. Claiming flips rows to
 * `active`; on `start`, rows a dead process left `active` are waiting again, so every
 * unfinished job runs (at least once).
 */
export class SqliteJobQueue implements JobQueue {
  readonly #db: SqliteDb;
  readonly #onError: (error: unknown) => void;
  #options: JobQueueStartOptions | undefined;
  readonly #active = new Map<string, Running>();
  readonly #activeByKind = new Map<JobKind, number>();
  /** Set by `drain`: nothing more is claimed (enqueue and cancel still work until `close`). */
  #closing = false;
  #drained: Promise<void> | undefined;
  #closed: Promise<void> | undefined;
  #pumping = false;
  #pumpAgain = false;
  #pumpScheduled = false;
  #timer: NodeJS.Timeout | undefined;

  private constructor(db: SqliteDb, options: SqliteJobQueueOptions) {
    this.#db = db;
    this.#onError = options.onError ?? ((error) => console.error('openmmsc sqlite job queue:', error));
  }

  static async open(path: string, options: SqliteJobQueueOptions = {}): Promise<SqliteJobQueue> {
    const db = await SqliteDb.open(path);
    await migrateJobsTable(db);
    return new SqliteJobQueue(db, options);
  }

  async enqueue(job: JobSpec): Promise<void> {
    const now = Date.now();
    // A pending or running id is left alone; a failed one is replaced by the new request.
    await this.#db.run(
      `INSERT INTO jobs (id, kind, data, run_at, attempt, max_attempts, backoff, state, last_error, updated_at)
       VALUES (?, ?, ?, ?, 0, ?, ?, 'waiting', NULL, ?)
       ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, data = excluded.data, run_at = excluded.run_at,
         attempt = 0, max_attempts = excluded.max_attempts, backoff = excluded.backoff, state = 'waiting',
         last_error = NULL, held_since = NULL, hold_key = NULL, updated_at = excluded.updated_at
       WHERE jobs.state = 'failed'`,
      [job.id, job.kind, JSON.stringify(job.data), job.runAt ?? now, job.maxAttempts, JSON.stringify(job.backoff), now],
    );
    this.#schedulePump();
  }

  async cancel(id: string): Promise<boolean> {
    return (await this.#db.run(`DELETE FROM jobs WHERE id = ? AND state = 'waiting'`, [id])) > 0;
  }

  async start(options: JobQueueStartOptions): Promise<void> {
    if (this.#options) throw new Error('job queue already started');
    if (this.#closing) throw new Error('job queue is closed');
    this.#options = options;
    await this.#db.run(`UPDATE jobs SET state = 'waiting', updated_at = ? WHERE state = 'active'`, [Date.now()]);
    await this.#db.run(
      `DELETE FROM jobs WHERE state = 'failed' AND id NOT IN
         (SELECT id FROM jobs WHERE state = 'failed' ORDER BY updated_at DESC LIMIT ?)`,
      [KEEP_FAILED],
    );
    this.#schedulePump();
  }

  drain(graceMs = DEFAULT_GRACE_MS): Promise<void> {
    this.#drained ??= this.#drain(graceMs);
    return this.#drained;
  }

  close(graceMs = DEFAULT_GRACE_MS): Promise<void> {
    this.#closed ??= this.drain(graceMs).then(() => this.#db.close());
    return this.#closed;
  }

  async #drain(graceMs: number): Promise<void> {
    this.#closing = true;
    clearTimeout(this.#timer);
    // A pump may be between its claim and launching handlers: let it launch them, so they are waited for.
    while (this.#pumping) await new Promise((r) => setTimeout(r, 1));
    if (!(await this.#settle(graceMs))) {
      for (const running of this.#active.values()) running.controller.abort(new Error('job queue closing'));
      // Handlers that honour the signal end now; the others are abandoned and their jobs resume later.
      if (!(await this.#settle(Math.min(graceMs, 1000)))) {
        for (const running of this.#active.values()) {
          running.abandoned = true;
          await this.#handBack(running.job).catch(this.#onError);
        }
      }
    }
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

  stats(): Promise<Record<JobKind, JobKindStats>> {
    return jobStats(this.#db, Date.now());
  }

  job(id: string): Promise<JobInfo | undefined> {
    return jobInfo(this.#db, id, Date.now());
  }

  async wake(key: string): Promise<number> {
    const now = Date.now();
    const woken = await this.#db.run(`UPDATE jobs SET run_at = ?, updated_at = ? WHERE hold_key = ? AND state = 'waiting' AND run_at > ?`, [now, now, key, now]);
    if (woken > 0) this.#schedulePump();
    return woken;
  }

  async ping(): Promise<void> {
    await this.#db.all('SELECT 1');
  }

  async #settle(ms: number): Promise<boolean> {
    if (this.#active.size === 0) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((r) => (timer = setTimeout(() => r(false), ms)));
    const all = Promise.allSettled([...this.#active.values()].map((r) => r.done)).then(() => true);
    const settled = await Promise.race([all, timeout]);
    clearTimeout(timer);
    return settled;
  }

  #schedulePump(): void {
    if (!this.#options || this.#closing || this.#pumpScheduled) return;
    this.#pumpScheduled = true;
    setImmediate(() => {
      this.#pumpScheduled = false;
      void this.#pump();
    });
  }

  async #pump(): Promise<void> {
    if (this.#pumping) {
      this.#pumpAgain = true;
      return;
    }
    this.#pumping = true;
    try {
      do {
        this.#pumpAgain = false;
        for (const kind of this.#kindsWithRoom()) {
          if (this.#closing) return;
          const rows = await this.#claim(kind, this.#room(kind));
          for (const row of rows) this.#launch(row);
        }
      } while (this.#pumpAgain && !this.#closing);
      await this.#armTimer();
    } catch (error) {
      this.#onError(error);
      if (!this.#closing) this.#timer = setTimeout(() => this.#schedulePump(), MAX_POLL_MS).unref();
    } finally {
      this.#pumping = false;
    }
  }

  #room(kind: JobKind): number {
    return (this.#options?.concurrency[kind] ?? 0) - (this.#activeByKind.get(kind) ?? 0);
  }

  #kindsWithRoom(): JobKind[] {
    const handlers = this.#options?.handlers ?? {};
    return JOB_KINDS.filter((kind) => handlers[kind] !== undefined && this.#room(kind) > 0);
  }

  async #claim(kind: JobKind, limit: number): Promise<JobRow[]> {
    const now = Date.now();
    return this.#db.all<JobRow>(
      `UPDATE jobs SET state = 'active', attempt = attempt + 1, updated_at = ?
       WHERE id IN (SELECT id FROM jobs WHERE state = 'waiting' AND kind = ? AND run_at <= ? ORDER BY run_at LIMIT ?)
       RETURNING id, kind, data, run_at, attempt, max_attempts, backoff`,
      [now, kind, now, limit],
    );
  }

  /** Sleeps until the next job is due for a kind with room, or `MAX_POLL_MS`. */
  async #armTimer(): Promise<void> {
    clearTimeout(this.#timer);
    const kinds = this.#kindsWithRoom();
    if (this.#closing || kinds.length === 0) return;
    const rows = await this.#db.all<{ next: number | null }>(
      `SELECT MIN(run_at) AS next FROM jobs WHERE state = 'waiting' AND kind IN (${kinds.map(() => '?').join(',')})`,
      kinds,
    );
    const next = rows[0]?.next;
    const wait = next === null || next === undefined ? MAX_POLL_MS : Math.min(MAX_POLL_MS, Math.max(0, next - Date.now()));
    if (!this.#closing) this.#timer = setTimeout(() => this.#schedulePump(), wait).unref();
  }

  #launch(row: JobRow): void {
    const job: RunningJob = {
      id: row.id,
      kind: row.kind,
      data: JSON.parse(row.data) as JsonObject,
      runAt: row.run_at,
      maxAttempts: row.max_attempts,
      backoff: JSON.parse(row.backoff) as BackoffPolicy,
      attempt: row.attempt,
    };
    const running: Running = { controller: new AbortController(), done: Promise.resolve(), abandoned: false, job };
    this.#active.set(job.id, running);
    this.#activeByKind.set(job.kind, (this.#activeByKind.get(job.kind) ?? 0) + 1);
    running.done = this.#execute(running).finally(() => {
      this.#active.delete(job.id);
      this.#activeByKind.set(job.kind, (this.#activeByKind.get(job.kind) ?? 1) - 1);
      this.#schedulePump();
    });
  }

  async #execute(running: Running): Promise<void> {
    const { job, controller } = running;
    const handler = this.#options?.handlers[job.kind];
    let failure: unknown;
    let failed = false;
    try {
      if (!handler) throw new Error(`no handler for ${job.kind}`);
      await handler(job, controller.signal);
    } catch (error) {
      failed = true;
      failure = error;
    }
    if (running.abandoned) return;
    try {
      if (!failed) {
        await this.#db.run(`DELETE FROM jobs WHERE id = ? AND state = 'active'`, [job.id]);
      } else if (this.#closing && controller.signal.aborted) {
        await this.#handBack(job);
      } else if (isJobError(failure, HoldJobError)) {
        await this.#hold(job, failure);
      } else {
        await this.#fail(job, toError(failure));
      }
    } catch (error) {
      this.#onError(error);
    }
  }

  async #fail(job: RunningJob, error: Error): Promise<void> {
    const now = Date.now();
    // A plain boolean: PermanentJobError adds nothing to Error, so a type guard would narrow `error` away.
    const permanent: boolean = error instanceof PermanentJobError || error.name === 'PermanentJobError';
    if (permanent || job.attempt >= job.maxAttempts) {
      await this.#db.run(`UPDATE jobs SET state = 'failed', last_error = ?, held_since = NULL, hold_key = NULL, updated_at = ? WHERE id = ?`, [
        error.message,
        now,
        job.id,
      ]);
      try {
        await this.#options?.onFailed(job, error);
      } catch (callbackError) {
        this.#onError(callbackError);
      }
      return;
    }
    const delay = isJobError(error, RetryLaterError) ? Math.max(0, error.delayMs) : backoffDelay(job.backoff, job.attempt);
    // A real failure ends any hold: the job is back on its attempt budget.
    await this.#db.run(`UPDATE jobs SET state = 'waiting', run_at = ?, last_error = ?, held_since = NULL, hold_key = NULL, updated_at = ? WHERE id = ?`, [
      now + delay,
      error.message,
      now,
      job.id,
    ]);
  }

  /** Puts a job back to wait for a resource, giving back the attempt its claim took. */
  async #hold(job: RunningJob, hold: HoldJobError): Promise<void> {
    const now = Date.now();
    await this.#db.run(
      `UPDATE jobs SET state = 'waiting', attempt = MAX(0, attempt - 1), run_at = ?, held_since = COALESCE(held_since, ?),
         hold_key = ?, last_error = ?, updated_at = ? WHERE id = ? AND state = 'active'`,
      [now + Math.max(0, hold.delayMs), now, hold.key ?? null, hold.message, now, job.id],
    );
  }

  /** Returns an interrupted job to the queue without charging it an attempt. */
  async #handBack(job: RunningJob): Promise<void> {
    await this.#db.run(
      `UPDATE jobs SET state = 'waiting', attempt = MAX(0, attempt - 1), updated_at = ? WHERE id = ? AND state = 'active'`,
      [Date.now(), job.id],
    );
  }
}
