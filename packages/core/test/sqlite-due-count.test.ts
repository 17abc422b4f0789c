import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import Database from 'better-sqlite3';
import { createJobQueue } from '../src/queue/create-job-queue.js';
import type { JobSpec } from '../src/services/job-queue.js';

const job = (id: string, kind: string, runAt: number): JobSpec => ({ id, kind, data: {}, runAt, maxAttempts: 3, backoff: { baseMs: 1000, maxMs: 60_000, jitter: 0 } });

describe('SQLite job queue: the due-job count admission reads at every sample', () => {
  it('counts due waiting jobs of the given kinds only, from the index, however deep the delayed backlog', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'openmmsc-due-count-'));
    const path = join(dir, 'jobs.sqlite');
    const queue = await createJobQueue({ type: 'sqlite', path });
    try {
      const now = Date.now();
      await queue.enqueue(job('n1', 'notify', now - 1000));
      await queue.enqueue(job('n2', 'notify', now));
      await queue.enqueue(job('d1', 'deliver', now - 5));
      await queue.enqueue(job('p1', 'acme:sync', now - 5));
      for (let i = 0; i < 200; i++) await queue.enqueue(job(`later-${i}`, 'deliver', now + 3_600_000));
      assert.ok(queue.dueCount, 'the SQLite queue provides dueCount');
      assert.equal(await queue.dueCount(['notify', 'deliver', 'report', 'expire']), 3);
      assert.equal(await queue.dueCount(['acme:sync']), 1);
      assert.equal(await queue.dueCount([]), 0);
      const stats = await queue.stats();
      assert.equal(stats.notify!.waiting + stats.deliver!.waiting, 3, 'the same figure stats() gives');
      assert.equal(stats.deliver!.delayed, 200);
    } finally {
      await queue.close();
    }
    // The statement's shape is answered from the jobs_due index alone: no pass over the table.
    const db = new Database(path, { readonly: true });
    try {
      const plan = db
        .prepare(`EXPLAIN QUERY PLAN SELECT COUNT(*) AS n FROM jobs WHERE state = 'waiting' AND kind IN (?, ?) AND run_at <= ?`)
        .all('notify', 'deliver', Date.now()) as Array<{ detail: string }>;
      const detail = plan.map((row) => row.detail).join('; ');
      assert.match(detail, /USING COVERING INDEX jobs_due/, detail);
      assert.doesNotMatch(detail, /SCAN jobs(?! USING)/, detail);
    } finally {
      db.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
