import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { createJobQueue } from '../src/queue/create-job-queue.js';
import { releaseSqliteJobs } from '../src/queue/sqlite-job-queue.js';
import type { JobQueue, RunningJob } from '../src/services/job-queue.js';
import { sleep, spec, startOptions, waitFor } from './contract/job-queue-kit.js';

const dir = mkdtempSync(join(tmpdir(), 'openmmsc-worker-queue-'));
after(() => rmSync(dir, { recursive: true, force: true }));

/** A handler that records each run and holds it until `release()`. */
function holding() {
  const runs: RunningJob[] = [];
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  return { runs, release, handler: async (job: RunningJob) => void (runs.push(job), await released) };
}

describe('SQLite queue shared by the workers of one node', () => {
  it('two workers never claim the same job, and both take some', async () => {
    const path = join(dir, 'claims.sqlite');
    const a = await createJobQueue({ type: 'sqlite', path }, { owner: 'worker-1' });
    const b = await createJobQueue({ type: 'sqlite', path }, { owner: 'worker-2' });
    const seen = new Map<string, string[]>();
    const run = (who: string) => async (job: RunningJob) => {
      seen.set(job.id, [...(seen.get(job.id) ?? []), who]);
      await sleep(1);
    };
    try {
      for (let i = 0; i < 200; i++) await (i % 2 ? a : b).enqueue(spec(`j${i}`));
      await Promise.all([a.start(startOptions({ notify: run('a') })), b.start(startOptions({ notify: run('b') }))]);
      await waitFor('every job run', () => seen.size === 200, 20_000);
      await sleep(300);
      const twice = [...seen].filter(([, by]) => by.length > 1);
      assert.deepEqual(twice, [], 'a job ran twice');
      const byA = [...seen.values()].filter((by) => by[0] === 'a').length;
      assert.ok(byA > 0 && byA < 200, `both workers claim jobs (a ran ${byA} of 200)`);
    } finally {
      await Promise.all([a.close(0), b.close(0)]);
    }
  });

  it('a restarted worker takes back only the jobs its dead predecessor held, not another live worker’s', async () => {
    const path = join(dir, 'takeover.sqlite');
    const one = holding();
    const two = holding();
    const first = await createJobQueue({ type: 'sqlite', path }, { owner: 'worker-1' });
    const second = await createJobQueue({ type: 'sqlite', path }, { owner: 'worker-2' });
    let replacement: JobQueue | undefined;
    try {
      await first.start(startOptions({ notify: one.handler }, () => {}, { notify: 3 }));
      for (let i = 0; i < 3; i++) await first.enqueue(spec(`one-${i}`));
      await waitFor('worker 1 holds three jobs', () => one.runs.length === 3);
      await second.start(startOptions({ notify: two.handler }, () => {}, { notify: 3 }));
      for (let i = 0; i < 3; i++) await second.enqueue(spec(`two-${i}`));
      await waitFor('worker 2 holds three jobs', () => two.runs.length === 3);
      assert.equal((await second.counts()).active, 6);

      // Worker 1 "dies" (its claims stay active in the file) and is replaced in the same slot.
      const again: RunningJob[] = [];
      replacement = await createJobQueue({ type: 'sqlite', path }, { owner: 'worker-1' });
      await replacement.start(startOptions({ notify: async (job) => void again.push(job) }));
      await waitFor('the replacement runs its predecessor’s jobs', () => again.length === 3);
      await sleep(300);
      assert.deepEqual(again.map((j) => j.id).sort(), ['one-0', 'one-1', 'one-2'], 'only worker 1’s jobs, none of live worker 2’s');
      assert.ok(again.every((j) => j.attempt === 2), 'the dead run counts as an attempt');
      assert.equal((await second.counts()).active, 3, 'worker 2’s three are still active');
    } finally {
      one.release();
      two.release();
      await Promise.all([first.close(0), second.close(0), replacement?.close(0)]);
    }
  });

  it('the primary gives back every active job before any worker starts', async () => {
    const path = join(dir, 'release.sqlite');
    const held = holding();
    const queue = await createJobQueue({ type: 'sqlite', path }, { owner: 'worker-7' });
    try {
      await queue.start(startOptions({ notify: held.handler }));
      await queue.enqueue(spec('left'));
      await waitFor('claimed', () => held.runs.length === 1);
      assert.equal(await releaseSqliteJobs(path), 1);
      assert.equal((await queue.counts()).active, 0);
    } finally {
      held.release();
      await queue.close(0);
    }
  });
});
