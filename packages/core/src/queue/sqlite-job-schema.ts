import type { SqliteDb } from './sqlite-db.js';

// WITHOUT ROWID: the table is its id's B-tree, so a job's insert, claim and delete change that tree
// and jobs_due, not a third (the id index of a row-id table). Files made before keep their table.
const TABLE = `
CREATE TABLE IF NOT EXISTS jobs (
  id TEXT PRIMARY KEY,
  kind TEXT NOT NULL,
  data TEXT NOT NULL,
  run_at INTEGER NOT NULL,
  attempt INTEGER NOT NULL DEFAULT 0,
  max_attempts INTEGER NOT NULL,
  backoff TEXT NOT NULL,
  state TEXT NOT NULL,
  last_error TEXT,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS jobs_due ON jobs (state, kind, run_at);`;

/** Columns added after the first release; files written by older versions get them on open. */
const ADDED_COLUMNS: ReadonlyArray<[string, string]> = [
  // Set while the job waits for a resource (HoldJobError): since when, and the key `wake` uses.
  ['held_since', 'INTEGER'],
  ['hold_key', 'TEXT'],
  // Epoch ms after which a failed attempt is not retried (a job's time budget), NULL for none.
  ['deadline', 'INTEGER'],
  // Which worker process of the node claimed an active job (NULL: the node runs one process).
  ['owner', 'TEXT'],
];

/** Creates the jobs table, or brings one written by an older version up to date. */
export async function migrateJobsTable(db: SqliteDb): Promise<void> {
  await db.exec(TABLE);
  const columns = new Set((await db.all<{ name: string }>('PRAGMA table_info(jobs)')).map((c) => c.name));
  for (const [name, type] of ADDED_COLUMNS) {
    if (!columns.has(name)) await db.exec(`ALTER TABLE jobs ADD COLUMN ${name} ${type}`);
  }
  await db.exec('CREATE INDEX IF NOT EXISTS jobs_hold ON jobs (hold_key) WHERE hold_key IS NOT NULL');
}
