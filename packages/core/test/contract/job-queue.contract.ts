import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import {
  HoldJobError,
  PermanentJobError,
  RetryLaterError,
  type JobHandler,
  type JobKind,
  type JobQueue,
  type JobQueueStartOptions,
  type JobSpec,
  type RunningJob,
} from '../../src/services/job-queue.js';

/** One place to keep jobs (a file, a Redis prefix); `open` may be called again to reopen it. */
export interface QueueFixture {
  open(): Promise<JobQueue>;
}

// Timing-based assertions only check lower bounds (never "fast enough").
const SLACK_MS = 5;

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, cond: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await cond())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(5);
  }
}

function spec(id: string, extra: Partial<JobSpec> = {}): JobSpec {
  return { id, kind: 'notify', data: { n: 1, s: 'x', list: [1, 'a'] }, maxAttempts: 3, backoff: { baseMs: 20, maxMs: 1000, jitter: 0 }, ...extra };
}

function startOptions(
  handlers: Partial<Record<JobKind, JobHandler>>,
  onFailed: JobQueueStartOptions['onFailed'] = () => {},
  concurrency: Partial<Record<JobKind, number>> = {},
): JobQueueStartOptions {
  return { handlers, onFailed, concurrency: { notify: 4, deliver: 4, report: 4, expire: 4, ...concurrency } };
}

export function jobQueueContract(name: string, newFixture: () => Promise<QueueFixture>): void {
  describe(`JobQueue contract: ${name}`, () => {
    const open: JobQueue[] = [];
    async function track(queue: JobQueue): Promise<JobQueue> {
      open.push(queue);
      return queue;
    }
    async function fresh(): Promise<{ queue: JobQueue; fixture: QueueFixture }> {
      const fixture = await newFixture();
      return { queue: await track(await fixture.open()), fixture };
    }
    after(async () => {
      for (const queue of open) await queue.close(100).catch(() => {});
    });

    it('runs a job with its spec and attempt 1, then forgets it', async () => {
      const { queue } = await fresh();
      const seen: RunningJob[] = [];
      await queue.start(startOptions({ deliver: async (job) => void seen.push(job) }));
      await queue.enqueue(spec('a:1/x', { kind: 'deliver' }));
      await waitFor('job run', () => seen.length === 1);
      const job = seen[0]!;
      assert.equal(job.id, 'a:1/x');
      assert.equal(job.kind, 'deliver');
      assert.deepEqual(job.data, { n: 1, s: 'x', list: [1, 'a'] });
      assert.equal(job.attempt, 1);
      assert.equal(job.maxAttempts, 3);
      assert.deepEqual(job.backoff, { baseMs: 20, maxMs: 1000, jitter: 0 });
      await sleep(50);
      assert.deepEqual(await queue.counts(), { waiting: 0, delayed: 0, active: 0, failed: 0 });
      await queue.ping();
    });

    it('enqueue is idempotent while the job is pending', async () => {
      const { queue } = await fresh();
      await queue.enqueue(spec('dup', { data: { v: 1 } }));
      await queue.enqueue(spec('dup', { data: { v: 2 } }));
      assert.equal((await queue.counts()).waiting, 1);
      const seen: unknown[] = [];
      await queue.start(startOptions({ notify: async (job) => void seen.push(job.data) }));
      await waitFor('job run', () => seen.length >= 1);
      await sleep(200);
      assert.deepEqual(seen, [{ v: 1 }]);
    });

    it('respects runAt', async () => {
      const { queue } = await fresh();
      const runAt = Date.now() + 400;
      let ranAt = 0;
      await queue.start(startOptions({ notify: async () => void (ranAt = Date.now()) }));
      await queue.enqueue(spec('later', { runAt }));
      const counts = await queue.counts();
      assert.equal(counts.delayed, 1);
      assert.equal(counts.waiting, 0);
      await waitFor('delayed job', () => ranAt > 0);
      assert.ok(ranAt >= runAt - SLACK_MS, `ran ${runAt - ranAt} ms early`);
    });

    it('retries with back-off, then calls onFailed once after exactly maxAttempts', async () => {
      const { queue } = await fresh();
      const attempts: { attempt: number; at: number }[] = [];
      const failed: { job: RunningJob; error: Error }[] = [];
      await queue.start(
        startOptions(
          {
            report: async (job) => {
              attempts.push({ attempt: job.attempt, at: Date.now() });
              throw new Error(`boom ${job.attempt}`);
            },
          },
          (job, error) => void failed.push({ job, error }),
        ),
      );
      await queue.enqueue(spec('flaky', { kind: 'report', maxAttempts: 3, backoff: { baseMs: 60, maxMs: 1000, jitter: 0 } }));
      await waitFor('onFailed', () => failed.length === 1);
      await sleep(300);
      assert.deepEqual(attempts.map((a) => a.attempt), [1, 2, 3]);
      assert.ok(attempts[1]!.at - attempts[0]!.at >= 60 - SLACK_MS, 'first back-off too short');
      assert.ok(attempts[2]!.at - attempts[1]!.at >= 120 - SLACK_MS, 'second back-off not exponential');
      assert.equal(failed.length, 1);
      assert.equal(failed[0]!.job.id, 'flaky');
      assert.equal(failed[0]!.job.attempt, 3);
      assert.equal(failed[0]!.error.message, 'boom 3');
      assert.equal((await queue.counts()).failed, 1);
    });

    it('RetryLaterError sets the delay and counts an attempt', async () => {
      const { queue } = await fresh();
      const attempts: { attempt: number; at: number }[] = [];
      const failed: RunningJob[] = [];
      await queue.start(
        startOptions(
          {
            notify: async (job) => {
              attempts.push({ attempt: job.attempt, at: Date.now() });
              throw new RetryLaterError('busy', 250);
            },
          },
          (job) => void failed.push(job),
        ),
      );
      await queue.enqueue(spec('later-please', { maxAttempts: 2, backoff: { baseMs: 1, maxMs: 1, jitter: 0 } }));
      await waitFor('onFailed', () => failed.length === 1);
      assert.deepEqual(attempts.map((a) => a.attempt), [1, 2]);
      assert.ok(attempts[1]!.at - attempts[0]!.at >= 250 - SLACK_MS, 'RetryLaterError delay ignored');
    });

    it('HoldJobError holds the job without using an attempt and runs it after the delay', async () => {
      const { queue } = await fresh();
      const runs: { attempt: number; at: number }[] = [];
      const failed: RunningJob[] = [];
      await queue.start(
        startOptions(
          {
            notify: async (job) => {
              runs.push({ attempt: job.attempt, at: Date.now() });
              if (runs.length <= 3) throw new HoldJobError('bearer throttled', { delayMs: 80 });
            },
          },
          (job) => void failed.push(job),
        ),
      );
      // Two attempts in all: the three holds would use them up if they counted.
      await queue.enqueue(spec('held', { maxAttempts: 2, backoff: { baseMs: 1, maxMs: 1, jitter: 0 } }));
      await waitFor('four runs', () => runs.length === 4);
      await sleep(50);
      assert.deepEqual(runs.map((r) => r.attempt), [1, 1, 1, 1]);
      for (let i = 1; i < runs.length; i++) assert.ok(runs[i]!.at - runs[i - 1]!.at >= 80 - SLACK_MS, `hold ${i} ended early`);
      assert.equal(failed.length, 0);
      assert.equal(await queue.job('held'), undefined, 'done jobs are forgotten');
    });

    it('after holds, real failures still get exactly maxAttempts', async () => {
      const { queue } = await fresh();
      const attempts: number[] = [];
      const failed: { job: RunningJob; error: Error }[] = [];
      await queue.start(
        startOptions(
          {
            deliver: async (job) => {
              attempts.push(job.attempt);
              if (attempts.length <= 2) throw new HoldJobError('link down', { delayMs: 20, key: 'link' });
              throw new Error(`real ${job.attempt}`);
            },
          },
          (job, error) => void failed.push({ job, error }),
        ),
      );
      await queue.enqueue(spec('mixed', { kind: 'deliver', maxAttempts: 2, backoff: { baseMs: 20, maxMs: 20, jitter: 0 } }));
      await waitFor('onFailed', () => failed.length === 1);
      assert.deepEqual(attempts, [1, 1, 1, 2]);
      assert.equal(failed[0]!.job.attempt, 2);
      assert.equal(failed[0]!.error.message, 'real 2');
      const info = await queue.job('mixed');
      assert.equal(info?.state, 'failed');
      assert.equal(info?.heldSince, undefined, 'a failed job is not held');
    });

    it('wake ends the hold of the jobs held with that key, and only theirs', async () => {
      const { queue } = await fresh();
      const ran: string[] = [];
      const firstRun = new Set<string>();
      await queue.start(
        startOptions({
          notify: async (job) => {
            if (!firstRun.has(job.id)) {
              firstRun.add(job.id);
              throw new HoldJobError('waiting for the bearer', { delayMs: 60_000, key: job.data.key as string });
            }
            ran.push(job.id);
          },
        }),
      );
      const before = Date.now();
      await queue.enqueue(spec('w-a1', { data: { key: 'bearer-a' } }));
      await queue.enqueue(spec('w-a2', { data: { key: 'bearer-a' } }));
      await queue.enqueue(spec('w-b', { data: { key: 'bearer-b' } }));
      await waitFor('three holds', () => firstRun.size === 3);
      await waitFor('held state recorded', async () => (await queue.job('w-b'))?.state === 'held');
      const held = (await queue.job('w-b'))!;
      assert.equal(held.kind, 'notify');
      assert.equal(held.attempt, 0, 'a hold uses no attempt');
      assert.ok(held.heldSince! >= before - SLACK_MS && held.heldSince! <= Date.now());
      assert.ok(held.runAt! >= before + 60_000 - SLACK_MS, `held until the end of its delay: ${JSON.stringify(held)}, before ${before}`);
      await waitFor('a-jobs held', async () => (await queue.job('w-a2'))?.state === 'held');
      assert.equal(await queue.wake('bearer-a'), 2);
      await waitFor('woken jobs ran', () => ran.length === 2);
      await sleep(100);
      assert.deepEqual(ran.sort(), ['w-a1', 'w-a2']);
      assert.equal((await queue.job('w-b'))?.state, 'held');
      assert.equal(await queue.wake('bearer-a'), 0, 'a second wake finds nothing held');
      assert.equal(await queue.wake('nobody'), 0);
    });

    it('stats give depth per kind and state, with the oldest waiting and held job', async () => {
      const { queue } = await fresh();
      let holds = 0;
      await queue.start(
        startOptions({
          notify: async () => {
            holds++;
            throw new HoldJobError('no link bound', { delayMs: 60_000, key: 'k' });
          },
        }),
      );
      const t0 = Date.now();
      await queue.enqueue(spec('s-held'));
      await queue.enqueue(spec('s-later', { kind: 'deliver', runAt: t0 + 60_000 }));
      // No report handler runs: these wait, due, for as long as the test lasts.
      await queue.enqueue(spec('s-wait-1', { kind: 'report' }));
      await queue.enqueue(spec('s-wait-2', { kind: 'report' }));
      await waitFor('the hold', () => holds === 1);
      await waitFor('held counted', async () => (await queue.stats()).notify.held === 1);
      await sleep(30);
      const stats = await queue.stats();
      assert.deepEqual(
        { ...stats.notify, oldestHeldSince: undefined },
        { waiting: 0, delayed: 0, held: 1, active: 0, failed: 0, oldestHeldSince: undefined },
      );
      assert.ok(stats.notify.oldestHeldSince! >= t0 - SLACK_MS && stats.notify.oldestHeldSince! <= Date.now() - 25);
      assert.deepEqual(stats.deliver, { waiting: 0, delayed: 1, held: 0, active: 0, failed: 0 });
      assert.equal(stats.report.waiting, 2);
      assert.ok(stats.report.oldestWaitingSince! <= Date.now() - 25, 'waited at least as long as the test slept');
      assert.ok(stats.report.oldestWaitingSince! >= t0 - 1000);
      assert.deepEqual(stats.expire, { waiting: 0, delayed: 0, held: 0, active: 0, failed: 0 });
      const counts = await queue.counts();
      assert.equal(counts.delayed, 2, 'counts() keeps held jobs among the delayed');
    });

    it('a held job stays held across a restart, and wake still finds it', async () => {
      const fixture = await newFixture();
      const first = await track(await fixture.open());
      let held = false;
      await first.start(
        startOptions({
          notify: async () => {
            held = true;
            throw new HoldJobError('smsc down', { delayMs: 60_000, key: 'smsc' });
          },
        }),
      );
      await first.enqueue(spec('survivor'));
      await waitFor('hold', () => held);
      await waitFor('held state', async () => (await first.job('survivor'))?.state === 'held');
      await first.close();
      const second = await track(await fixture.open());
      const info = await second.job('survivor');
      assert.equal(info?.state, 'held');
      assert.equal(info?.attempt, 0);
      const seen: RunningJob[] = [];
      await second.start(startOptions({ notify: async (job) => void seen.push(job) }));
      assert.equal(await second.wake('smsc'), 1);
      await waitFor('woken after restart', () => seen.length === 1);
      assert.equal(seen[0]!.attempt, 1);
    });

    it('PermanentJobError fails at once without retries', async () => {
      const { queue } = await fresh();
      let runs = 0;
      const failed: { job: RunningJob; error: Error }[] = [];
      await queue.start(
        startOptions(
          {
            expire: async () => {
              runs++;
              throw new PermanentJobError('no such subscriber');
            },
          },
          (job, error) => void failed.push({ job, error }),
        ),
      );
      await queue.enqueue(spec('perm', { kind: 'expire', maxAttempts: 5 }));
      await waitFor('onFailed', () => failed.length === 1);
      await sleep(150);
      assert.equal(runs, 1);
      assert.equal(failed[0]!.job.attempt, 1);
      assert.equal(failed[0]!.error.name, 'PermanentJobError');
      assert.equal(failed[0]!.error.message, 'no such subscriber');
    });

    it('cancels a pending job only', async () => {
      const { queue } = await fresh();
      let release!: () => void;
      const gate = new Promise<void>((r) => (release = r));
      let started = false;
      await queue.start(
        startOptions({
          notify: async () => {
            started = true;
            await gate;
          },
        }),
      );
      await queue.enqueue(spec('future', { kind: 'deliver', runAt: Date.now() + 60_000 }));
      await queue.enqueue(spec('busy'));
      await waitFor('job start', () => started);
      assert.equal(await queue.cancel('future'), true);
      assert.equal(await queue.cancel('future'), false);
      assert.equal(await queue.cancel('unknown'), false);
      assert.equal(await queue.cancel('busy'), false, 'a running job is not pending');
      release();
      assert.equal((await queue.counts()).delayed, 0);
    });

    it('never runs more jobs of a kind at once than its concurrency', async () => {
      const { queue } = await fresh();
      let running = 0;
      let peak = 0;
      let done = 0;
      let otherPeak = 0;
      let other = 0;
      await queue.start(
        startOptions(
          {
            notify: async () => {
              peak = Math.max(peak, ++running);
              await sleep(40);
              running--;
              done++;
            },
            deliver: async () => {
              otherPeak = Math.max(otherPeak, ++other);
              await sleep(40);
              other--;
              done++;
            },
          },
          () => {},
          { notify: 2, deliver: 3 },
        ),
      );
      for (let i = 0; i < 8; i++) await queue.enqueue(spec(`c${i}`));
      for (let i = 0; i < 9; i++) await queue.enqueue(spec(`d${i}`, { kind: 'deliver' }));
      await waitFor('all jobs', () => done === 17);
      assert.equal(peak, 2);
      assert.equal(otherPeak, 3);
    });

    it('close waits for an active job to finish', async () => {
      const { queue } = await fresh();
      let started = false;
      let finished = false;
      await queue.start(
        startOptions({
          notify: async () => {
            started = true;
            await sleep(250);
            finished = true;
          },
        }),
      );
      await queue.enqueue(spec('slow'));
      await waitFor('job start', () => started);
      await queue.close(5000);
      assert.equal(finished, true);
    });

    it('close aborts a handler after graceMs and the job runs again after restart', async () => {
      const fixture = await newFixture();
      const first = await track(await fixture.open());
      let aborted = false;
      let started = false;
      await first.start(
        startOptions({
          notify: (_job, signal) =>
            new Promise<void>((_ok, fail) => {
              started = true;
              signal.addEventListener('abort', () => {
                aborted = true;
                fail(new Error('aborted'));
              });
            }),
        }),
      );
      await first.enqueue(spec('interrupted'));
      await waitFor('job start', () => started);
      await first.close(100);
      assert.equal(aborted, true);

      const second = await track(await fixture.open());
      const seen: RunningJob[] = [];
      await second.start(startOptions({ notify: async (job) => void seen.push(job) }));
      await waitFor('job rerun', () => seen.length === 1);
      assert.equal(seen[0]!.id, 'interrupted');
      assert.equal(seen[0]!.attempt, 1, 'an interrupted run must not use up an attempt');
    });

    it('a job enqueued before close runs after reopening (at least once)', async () => {
      const fixture = await newFixture();
      const first = await fixture.open();
      await first.enqueue(spec('persisted', { kind: 'deliver', data: { keep: true } }));
      await first.close();
      const second = await track(await fixture.open());
      const seen: RunningJob[] = [];
      await second.start(startOptions({ deliver: async (job) => void seen.push(job) }));
      await waitFor('job after reopen', () => seen.length === 1);
      assert.deepEqual(seen[0]!.data, { keep: true });
    });

    it('a failed id can be enqueued again', async () => {
      const { queue } = await fresh();
      let runs = 0;
      const failed: string[] = [];
      await queue.start(
        startOptions(
          {
            notify: async () => {
              runs++;
              if (runs === 1) throw new PermanentJobError('first time');
            },
          },
          (job) => void failed.push(job.id),
        ),
      );
      await queue.enqueue(spec('again'));
      await waitFor('failure', () => failed.length === 1);
      await queue.enqueue(spec('again'));
      await waitFor('second run', () => runs === 2);
      await sleep(50);
      assert.equal((await queue.counts()).failed, 0);
    });
  });
}
