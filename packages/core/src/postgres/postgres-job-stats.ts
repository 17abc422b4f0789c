import type pg from 'pg';
import { emptyJobStats, type JobCounts, type JobInfo, type JobKind, type JobKindStats, type JobState } from '../services/job-queue.js';

type Num = string | null;
const n = (v: Num): number => (v === null ? 0 : Number(v));

interface StatsRow {
  kind: string;
  waiting: Num;
  delayed: Num;
  held: Num;
  active: Num;
  failed: Num;
  oldest_waiting: Num;
  oldest_held: Num;
}

/** Depth per kind and state, with the oldest waiting and held job (as the SQLite queue counts them). */
export async function pgJobStats(pool: pg.Pool, s: string, now: number, kinds: Iterable<JobKind>): Promise<Record<JobKind, JobKindStats>> {
  const r = await pool.query<StatsRow>(
    `SELECT kind,
       count(*) FILTER (WHERE state = 'waiting' AND run_at <= $1) AS waiting,
       count(*) FILTER (WHERE state = 'waiting' AND run_at > $1 AND held_since IS NULL) AS delayed,
       count(*) FILTER (WHERE state = 'waiting' AND run_at > $1 AND held_since IS NOT NULL) AS held,
       count(*) FILTER (WHERE state = 'active') AS active,
       count(*) FILTER (WHERE state = 'failed') AS failed,
       min(run_at) FILTER (WHERE state = 'waiting' AND run_at <= $1) AS oldest_waiting,
       min(held_since) FILTER (WHERE state <> 'failed') AS oldest_held
     FROM ${s}.jobs GROUP BY kind`,
    [now],
  );
  const out = emptyJobStats(kinds);
  for (const row of r.rows) {
    const stats: JobKindStats = { waiting: n(row.waiting), delayed: n(row.delayed), held: n(row.held), active: n(row.active), failed: n(row.failed) };
    if (row.oldest_waiting !== null) stats.oldestWaitingSince = Number(row.oldest_waiting);
    if (row.oldest_held !== null) stats.oldestHeldSince = Number(row.oldest_held);
    out[row.kind] = stats;
  }
  return out;
}

export async function pgJobCounts(pool: pg.Pool, s: string, now: number): Promise<JobCounts> {
  const r = await pool.query<{ waiting: Num; delayed: Num; active: Num; failed: Num }>(
    `SELECT count(*) FILTER (WHERE state = 'waiting' AND run_at <= $1) AS waiting,
            count(*) FILTER (WHERE state = 'waiting' AND run_at > $1) AS delayed,
            count(*) FILTER (WHERE state = 'active') AS active,
            count(*) FILTER (WHERE state = 'failed') AS failed
     FROM ${s}.jobs`,
    [now],
  );
  const row = r.rows[0]!;
  return { waiting: n(row.waiting), delayed: n(row.delayed), active: n(row.active), failed: n(row.failed) };
}

export async function pgJobInfo(pool: pg.Pool, s: string, id: string, now: number): Promise<JobInfo | undefined> {
  const r = await pool.query<{ id: string; kind: JobKind; state: string; attempt: number; run_at: string; held_since: Num; last_error: string | null }>(
    `SELECT id, kind, state, attempt, run_at, held_since, last_error FROM ${s}.jobs WHERE id = $1`,
    [id],
  );
  const row = r.rows[0];
  if (!row) return undefined;
  const runAt = Number(row.run_at);
  let state: JobState = row.state === 'active' ? 'active' : row.state === 'failed' ? 'failed' : 'waiting';
  if (state === 'waiting' && runAt > now) state = row.held_since === null ? 'delayed' : 'held';
  const info: JobInfo = { id: row.id, kind: row.kind, state, attempt: row.attempt };
  if (state !== 'failed' && state !== 'active') info.runAt = runAt;
  if (row.held_since !== null && state !== 'failed') info.heldSince = Number(row.held_since);
  if (row.last_error !== null) info.lastError = row.last_error;
  return info;
}
