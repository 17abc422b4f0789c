import { emptyJobStats, type JobInfo, type JobKind, type JobKindStats, type JobState } from '../services/job-queue.js';
import type { SqliteDb } from './sqlite-db.js';

interface StatsRow {
  [column: string]: unknown;
  kind: string;
  waiting: number | null;
  delayed: number | null;
  held: number | null;
  active: number | null;
  failed: number | null;
  oldest_waiting: number | null;
  oldest_held: number | null;
}

/**
 * Depth per kind and state, with the oldest waiting and held job. A held job stays "held" for
 * the age gauge until it runs without being held again, so the age tracks the whole outage.
 */
export async function jobStats(db: SqliteDb, now: number, kinds: Iterable<JobKind>): Promise<Record<JobKind, JobKindStats>> {
  const rows = await db.all<StatsRow>(
    `SELECT kind,
       SUM(state = 'waiting' AND run_at <= ?) AS waiting,
       SUM(state = 'waiting' AND run_at > ? AND held_since IS NULL) AS delayed,
       SUM(state = 'waiting' AND run_at > ? AND held_since IS NOT NULL) AS held,
       SUM(state = 'active') AS active,
       SUM(state = 'failed') AS failed,
       MIN(CASE WHEN state = 'waiting' AND run_at <= ? THEN run_at END) AS oldest_waiting,
       MIN(CASE WHEN state <> 'failed' THEN held_since END) AS oldest_held
     FROM jobs GROUP BY kind`,
    [now, now, now, now],
  );
  const out = emptyJobStats(kinds);
  for (const row of rows) {
    const s: JobKindStats = {
      waiting: row.waiting ?? 0,
      delayed: row.delayed ?? 0,
      held: row.held ?? 0,
      active: row.active ?? 0,
      failed: row.failed ?? 0,
    };
    if (row.oldest_waiting !== null) s.oldestWaitingSince = row.oldest_waiting;
    if (row.oldest_held !== null) s.oldestHeldSince = row.oldest_held;
    out[row.kind] = s;
  }
  return out;
}

interface InfoRow {
  [column: string]: unknown;
  id: string;
  kind: JobKind;
  state: string;
  attempt: number;
  run_at: number;
  held_since: number | null;
  last_error: string | null;
}

export async function jobInfo(db: SqliteDb, id: string, now: number): Promise<JobInfo | undefined> {
  const rows = await db.all<InfoRow>('SELECT id, kind, state, attempt, run_at, held_since, last_error FROM jobs WHERE id = ?', [id]);
  const row = rows[0];
  if (!row) return undefined;
  let state: JobState = row.state === 'active' ? 'active' : row.state === 'failed' ? 'failed' : 'waiting';
  if (state === 'waiting' && row.run_at > now) state = row.held_since === null ? 'delayed' : 'held';
  const info: JobInfo = { id: row.id, kind: row.kind, state, attempt: row.attempt };
  if (state !== 'failed' && state !== 'active') info.runAt = row.run_at;
  if (row.held_since !== null && state !== 'failed') info.heldSince = row.held_since;
  if (row.last_error !== null) info.lastError = row.last_error;
  return info;
}
