import type pg from 'pg';
import type { DurabilityCheck } from '../services/message-store.js';

/**
 * A commit is durable when the server flushes WAL before answering: `fsync` on and
 * `synchronous_commit` not `off` (off loses up to three `wal_writer_delay`s of commits on a crash).
 */
export async function checkPostgresDurability(pool: pg.Pool): Promise<DurabilityCheck> {
  try {
    const r = await pool.query<{ fsync: string; synchronous_commit: string }>(
      `SELECT current_setting('fsync') AS fsync, current_setting('synchronous_commit') AS synchronous_commit`,
    );
    const { fsync, synchronous_commit: sync } = r.rows[0]!;
    const settings = `fsync ${fsync}, synchronous_commit ${sync}`;
    if (fsync === 'on' && sync !== 'off') return { ok: true, detail: `committed writes survive a crash of PostgreSQL or its machine (${settings})` };
    return { ok: false, detail: `PostgreSQL has ${settings}: acknowledged messages can be lost if it crashes (set fsync on, synchronous_commit on)` };
  } catch (error) {
    return { ok: false, detail: `could not be checked: ${(error as Error).message}` };
  }
}
