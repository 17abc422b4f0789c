/** The jobs table; times are epoch ms (`run_at` from the nodes, `lease_until` from the database clock). */
export const jobTables = (s: string): string => `
CREATE TABLE IF NOT EXISTS ${s}.jobs (
  id text PRIMARY KEY,
  kind text NOT NULL,
  data text NOT NULL,
  run_at bigint NOT NULL,
  attempt integer NOT NULL DEFAULT 0,
  max_attempts integer NOT NULL,
  backoff text NOT NULL,
  state text NOT NULL,
  last_error text,
  held_since bigint,
  hold_key text,
  token text,
  lease_until bigint,
  updated_at bigint NOT NULL
);
-- Added after the first release: a job's time budget (epoch ms after which it is not retried).
ALTER TABLE ${s}.jobs ADD COLUMN IF NOT EXISTS deadline bigint;
CREATE INDEX IF NOT EXISTS jobs_due ON ${s}.jobs (kind, run_at) WHERE state = 'waiting';
CREATE INDEX IF NOT EXISTS jobs_lease ON ${s}.jobs (lease_until) WHERE state = 'active';
CREATE INDEX IF NOT EXISTS jobs_hold ON ${s}.jobs (hold_key) WHERE hold_key IS NOT NULL;
CREATE INDEX IF NOT EXISTS jobs_failed ON ${s}.jobs (updated_at) WHERE state = 'failed';`;
