import type { BackoffPolicy, JobKind, JsonObject, RunningJob } from '../services/job-queue.js';

/**
 * A claimed row of a SQL jobs table (SQLite, PostgreSQL): `data` and `backoff` are JSON text;
 * PostgreSQL hands its `bigint` times back as strings.
 */
export interface ClaimedJobRow {
  id: string;
  kind: JobKind;
  data: string;
  run_at: number | string;
  attempt: number;
  max_attempts: number;
  backoff: string;
  deadline: number | string | null;
}

export function runningJobFromRow(row: ClaimedJobRow): RunningJob {
  const job: RunningJob = {
    id: row.id,
    kind: row.kind,
    data: JSON.parse(row.data) as JsonObject,
    runAt: Number(row.run_at),
    maxAttempts: row.max_attempts,
    backoff: JSON.parse(row.backoff) as BackoffPolicy,
    attempt: row.attempt,
  };
  if (row.deadline !== null) job.deadline = Number(row.deadline);
  return job;
}

/** How long `drain` and `close` wait for running jobs unless told otherwise. */
export const DEFAULT_GRACE_MS = 10_000;
/** Failed jobs a SQL table keeps for inspection; older ones are pruned on start. */
export const KEEP_FAILED_ROWS = 10_000;
