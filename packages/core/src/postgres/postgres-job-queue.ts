import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { JobCounts, JobInfo, JobKind, JobKindStats, JobQueue, JobQueueStartOptions, JobSpec } from '../services/job-queue.js';
import { JobRunner, type Claim, type JobTable } from '../queue/job-runner.js';
import { DEFAULT_GRACE_MS, KEEP_FAILED_ROWS, runningJobFromRow, type ClaimedJobRow } from '../queue/job-rows.js';
import { jobTables } from './postgres-job-schema.js';
import { JobSignals } from './postgres-job-signals.js';
import { pgJobCounts, pgJobInfo, pgJobStats } from './postgres-job-stats.js';
import { DB_NOW_MS, migrate, openPool, postgresError, schemaIdent, type PostgresConnection } from './postgres-pool.js';

/** Safety net behind LISTEN/NOTIFY (and what finds jobs other nodes scheduled for later). */
const MAX_POLL_MS = 2000;
export const DEFAULT_LEASE_MS = 3000;

export interface PostgresJobQueueOptions extends PostgresConnection {
  /**
   * How long a claimed job stays this node's without a heartbeat (sent every third of it). A job
   * of a node that died is claimed by another one a lease (plus up to a second) later.
   */
  leaseMs?: number;
  onError?: (error: unknown) => void;
}

interface PgClaim extends Claim {
  /** Proves the claim is still ours: another node's claim of the same row has another token. */
  token: string;
}

class PostgresJobTable implements JobTable<PgClaim> {
  constructor(
    private readonly pool: pg.Pool,
    private readonly s: string,
    private readonly leaseMs: number,
  ) {}

  async claim(kind: JobKind, limit: number, now: number): Promise<PgClaim[]> {
    const token = randomUUID();
    // SKIP LOCKED: nodes claiming at once each take different rows instead of queueing on locks.
    const r = await this.pool.query<ClaimedJobRow>(
      `UPDATE ${this.s}.jobs j SET state = 'active', attempt = j.attempt + 1, token = $4, lease_until = ${DB_NOW_MS} + $5, updated_at = $3
       FROM (SELECT id FROM ${this.s}.jobs WHERE state = 'waiting' AND kind = $1 AND run_at <= $3
             ORDER BY run_at LIMIT $2 FOR UPDATE SKIP LOCKED) c
       WHERE j.id = c.id
       RETURNING j.id, j.kind, j.data, j.run_at, j.attempt, j.max_attempts, j.backoff, j.deadline`,
      [kind, limit, now, token, this.leaseMs],
    );
    return r.rows.map((row) => ({ token, job: runningJobFromRow(row) }));
  }

  async nextDue(kinds: readonly JobKind[]): Promise<number | undefined> {
    const r = await this.pool.query<{ next: string | null }>(
      `SELECT min(run_at) AS next FROM ${this.s}.jobs WHERE state = 'waiting' AND kind = ANY($1)`,
      [kinds],
    );
    const next = r.rows[0]?.next;
    return next === null || next === undefined ? undefined : Number(next);
  }

  async complete({ job, token }: PgClaim): Promise<void> {
    await this.pool.query(`DELETE FROM ${this.s}.jobs WHERE id = $1 AND token = $2`, [job.id, token]);
  }

  async retry({ job, token }: PgClaim, runAt: number, error: string, now: number): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.s}.jobs SET state = 'waiting', run_at = $3, last_error = $4, held_since = NULL, hold_key = NULL,
         token = NULL, lease_until = NULL, updated_at = $5 WHERE id = $1 AND token = $2`,
      [job.id, token, runAt, error, now],
    );
  }

  async fail({ job, token }: PgClaim, error: string, now: number): Promise<boolean> {
    const r = await this.pool.query(
      `UPDATE ${this.s}.jobs SET state = 'failed', last_error = $3, held_since = NULL, hold_key = NULL,
         token = NULL, lease_until = NULL, updated_at = $4 WHERE id = $1 AND token = $2`,
      [job.id, token, error, now],
    );
    return r.rowCount === 1;
  }

  async hold({ job, token }: PgClaim, runAt: number, key: string | undefined, reason: string, now: number): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.s}.jobs SET state = 'waiting', attempt = GREATEST(0, attempt - 1), run_at = $3, held_since = COALESCE(held_since, $4),
         hold_key = $5, last_error = $6, token = NULL, lease_until = NULL, updated_at = $4 WHERE id = $1 AND token = $2`,
      [job.id, token, runAt, now, key ?? null, reason],
    );
  }

  async handBack({ job, token }: PgClaim): Promise<void> {
    await this.pool.query(
      `UPDATE ${this.s}.jobs SET state = 'waiting', attempt = GREATEST(0, attempt - 1), token = NULL, lease_until = NULL, updated_at = $3
       WHERE id = $1 AND token = $2`,
      [job.id, token, Date.now()],
    );
  }

  /** Keeps the leases of the jobs running here. */
  async renew(tokens: readonly string[]): Promise<void> {
    if (tokens.length === 0) return;
    await this.pool.query(`UPDATE ${this.s}.jobs SET lease_until = ${DB_NOW_MS} + $2 WHERE token = ANY($1) AND state = 'active'`, [tokens, this.leaseMs]);
  }

  /** Jobs whose node stopped renewing are due again (the lost run counts as an attempt). */
  async reclaimExpired(now: number): Promise<string[]> {
    const r = await this.pool.query<{ kind: string }>(
      `UPDATE ${this.s}.jobs SET state = 'waiting', token = NULL, lease_until = NULL, updated_at = $1
       WHERE state = 'active' AND lease_until < ${DB_NOW_MS} RETURNING kind`,
      [now],
    );
    return [...new Set(r.rows.map((row) => row.kind))];
  }
}

/**
 * Durable job queue on PostgreSQL, shared by every node pointing at the same schema. Nodes claim
 * due jobs with `FOR UPDATE SKIP LOCKED`, hold them under a lease renewed by a heartbeat, and
 * wake each other with LISTEN/NOTIFY; a job whose node died is due again once its lease runs out.
 */
export class PostgresJobQueue implements JobQueue {
  readonly #pool: pg.Pool;
  readonly #s: string;
  readonly #table: PostgresJobTable;
  readonly #runner: JobRunner<PgClaim>;
  readonly #signals: JobSignals;
  readonly #leaseMs: number;
  readonly #onError: (error: unknown) => void;
  #heartbeat: NodeJS.Timeout | undefined;
  #reaper: NodeJS.Timeout | undefined;
  #drained: Promise<void> | undefined;
  #closed: Promise<void> | undefined;

  private constructor(pool: pg.Pool, options: PostgresJobQueueOptions, onError: (error: unknown) => void) {
    this.#pool = pool;
    this.#s = schemaIdent(options.schema);
    this.#leaseMs = Math.max(300, options.leaseMs ?? DEFAULT_LEASE_MS);
    this.#onError = onError;
    this.#table = new PostgresJobTable(pool, this.#s, this.#leaseMs);
    this.#runner = new JobRunner(this.#table, { maxPollMs: MAX_POLL_MS, onError });
    this.#signals = new JobSignals({
      url: options.url,
      channel: `${this.#s}_jobs`,
      pool,
      onKind: (kind) => {
        if (this.#runner.hasRoom(kind as JobKind)) this.#runner.poke(kind as JobKind);
      },
      onError,
    });
  }

  static async open(options: PostgresJobQueueOptions): Promise<PostgresJobQueue> {
    const onError = options.onError ?? ((error: unknown) => console.error('openmmsc postgres job queue:', error));
    const pool = openPool(options, onError);
    try {
      await migrate(pool, options.schema, jobTables(schemaIdent(options.schema)));
    } catch (error) {
      await pool.end().catch(() => undefined);
      throw postgresError('job queue', options.url, error);
    }
    return new PostgresJobQueue(pool, options, onError);
  }

  async enqueue(job: JobSpec): Promise<void> {
    const now = Date.now();
    const runAt = job.runAt ?? now;
    // A pending or running id is left alone; a failed one is replaced by the new request.
    const r = await this.#pool.query(
      `INSERT INTO ${this.#s}.jobs (id, kind, data, run_at, attempt, max_attempts, backoff, deadline, state, updated_at)
       VALUES ($1, $2, $3, $4, 0, $5, $6, $8, 'waiting', $7)
       ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, data = excluded.data, run_at = excluded.run_at,
         attempt = 0, max_attempts = excluded.max_attempts, backoff = excluded.backoff, deadline = excluded.deadline, state = 'waiting',
         last_error = NULL, held_since = NULL, hold_key = NULL, token = NULL, lease_until = NULL, updated_at = excluded.updated_at
       WHERE ${this.#s}.jobs.state = 'failed'`,
      [job.id, job.kind, JSON.stringify(job.data), runAt, job.maxAttempts, JSON.stringify(job.backoff), now, job.deadline ?? null],
    );
    if (r.rowCount === 0) return;
    if (runAt <= now) this.#signals.announce(job.kind);
    this.#runner.dueAt(job.kind, runAt);
  }

  async cancel(id: string, kind?: JobKind): Promise<boolean> {
    const r = await this.#pool.query(`DELETE FROM ${this.#s}.jobs WHERE id = $1 AND state = 'waiting' AND ($2::text IS NULL OR kind = $2)`, [id, kind ?? null]);
    return r.rowCount === 1;
  }

  async start(options: JobQueueStartOptions): Promise<void> {
    if (this.#runner.started) throw new Error('job queue already started');
    if (this.#runner.closing) throw new Error('job queue is closed');
    await this.#pool.query(
      `DELETE FROM ${this.#s}.jobs WHERE state = 'failed' AND id NOT IN
         (SELECT id FROM ${this.#s}.jobs WHERE state = 'failed' ORDER BY updated_at DESC LIMIT $1)`,
      [KEEP_FAILED_ROWS],
    );
    await this.#signals.listen();
    this.#heartbeat = setInterval(() => {
      this.#table.renew(this.#runner.claims().map((c) => c.token)).catch(this.#onError);
    }, this.#leaseMs / 3).unref();
    this.#reaper = setInterval(() => void this.#reclaim(), Math.min(1000, this.#leaseMs / 3)).unref();
    this.#runner.start(options);
  }

  drain(graceMs = DEFAULT_GRACE_MS): Promise<void> {
    this.#drained ??= (async () => {
      clearInterval(this.#reaper);
      await this.#runner.drain(graceMs);
      clearInterval(this.#heartbeat);
    })();
    return this.#drained;
  }

  close(graceMs = DEFAULT_GRACE_MS): Promise<void> {
    this.#closed ??= this.drain(graceMs).then(async () => {
      await this.#signals.close();
      await this.#pool.end();
    });
    return this.#closed;
  }

  counts(): Promise<JobCounts> {
    return pgJobCounts(this.#pool, this.#s, Date.now());
  }

  stats(): Promise<Record<JobKind, JobKindStats>> {
    return pgJobStats(this.#pool, this.#s, Date.now(), this.#runner.kinds());
  }

  job(id: string): Promise<JobInfo | undefined> {
    return pgJobInfo(this.#pool, this.#s, id, Date.now());
  }

  async wake(key: string): Promise<number> {
    const now = Date.now();
    const r = await this.#pool.query<{ kind: string }>(
      `UPDATE ${this.#s}.jobs SET run_at = $1, updated_at = $1 WHERE hold_key = $2 AND state = 'waiting' AND run_at > $1 RETURNING kind`,
      [now, key],
    );
    for (const kind of new Set(r.rows.map((row) => row.kind))) {
      this.#signals.announce(kind);
      this.#runner.poke(kind);
    }
    return r.rows.length;
  }

  async ping(): Promise<void> {
    await this.#pool.query('SELECT 1');
  }

  async #reclaim(): Promise<void> {
    try {
      const kinds = await this.#table.reclaimExpired(Date.now());
      for (const kind of kinds) {
        this.#signals.announce(kind);
        this.#runner.poke(kind as JobKind);
      }
    } catch (error) {
      this.#onError(error);
    }
  }
}
