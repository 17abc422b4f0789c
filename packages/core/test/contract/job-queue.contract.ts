import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { PermanentJobError, RetryLaterError, type JobQueue, type RunningJob } from '../../src/services/job-queue.js';
import { jobQueueHoldContract } from './job-queue-holds.contract.js';
import { SLACK_MS, sleep, spec, slowRun, startOptions, startRecording, waitFor, type QueueFixture } from './job-queue-kit.js';

export type { QueueFixture } from './job-queue-kit.js';

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
      const { runs: attempts, failed } = await startRecording(queue, 'report', (job) => {
        throw new Error(`boom ${job.attempt}`);
      });
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
      const { runs: attempts, failed } = await startRecording(queue, 'notify', () => {
        throw new RetryLaterError('busy', 250);
      });
      await queue.enqueue(spec('later-please', { maxAttempts: 2, backoff: { baseMs: 1, maxMs: 1, jitter: 0 } }));
      await waitFor('onFailed', () => failed.length === 1);
      assert.deepEqual(attempts.map((a) => a.attempt), [1, 2]);
      assert.ok(attempts[1]!.at - attempts[0]!.at >= 250 - SLACK_MS, 'RetryLaterError delay ignored');
    });

    it('PermanentJobError fails at once without retries', async () => {
      const { queue } = await fresh();
      const { runs, failed } = await startRecording(queue, 'expire', () => {
        throw new PermanentJobError('no such subscriber');
      });
      await queue.enqueue(spec('perm', { kind: 'expire', maxAttempts: 5 }));
      await waitFor('onFailed', () => failed.length === 1);
      await sleep(150);
      assert.equal(runs.length, 1);
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
      assert.equal(await queue.cancel('future', 'notify'), false, 'named with another kind: not cancelled');
      assert.equal(await queue.cancel('future', 'deliver'), true);
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
      const slow = slowRun(250);
      await queue.start(startOptions({ notify: () => slow.run() }));
      await queue.enqueue(spec('slow'));
      await waitFor('job start', () => slow.started);
      await queue.close(5000);
      assert.equal(slow.finished, true);
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

    it('drain stops claiming and waits for running jobs; enqueue still works and the job waits for the next start', async () => {
      const fixture = await newFixture();
      const first = await track(await fixture.open());
      const slow = slowRun(200);
      const ran: string[] = [];
      await first.start(
        startOptions({
          notify: async (job) => {
            ran.push(job.id);
            if (job.id === 'running') await slow.run();
          },
        }),
      );
      await first.enqueue(spec('running'));
      await waitFor('job start', () => slow.started);
      await first.drain(5000);
      assert.equal(slow.finished, true, 'drain waited for the running job');
      // Draining is not closing: jobs can still be enqueued (a handset fetching during shutdown
      // queues its delivery report) and cancelled, but nothing more is claimed here.
      await first.enqueue(spec('after-drain', { kind: 'notify' }));
      await first.enqueue(spec('cancel-me', { kind: 'deliver', runAt: Date.now() + 60_000 }));
      assert.equal(await first.cancel('cancel-me'), true);
      await sleep(150);
      assert.deepEqual(ran, ['running']);
      await first.close();

      const second = await track(await fixture.open());
      const seen: string[] = [];
      await second.start(startOptions({ notify: async (job) => void seen.push(job.id), deliver: async (job) => void seen.push(job.id) }));
      await waitFor('job enqueued while draining runs after restart', () => seen.includes('after-drain'));
      await sleep(50);
      assert.deepEqual(seen, ['after-drain']);
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

    it('a queue closed right after it opens leaves no failure behind', async () => {
      // A queue may still be connecting in the background when it opens (BullMQ asks each
      // server its version): a close that overtakes that must not leave a rejection that ends
      // the process.
      const escaped: unknown[] = [];
      const record = (error: unknown): void => void escaped.push(error);
      process.on('unhandledRejection', record);
      try {
        for (let i = 0; i < 5; i++) {
          const fixture = await newFixture();
          await (await fixture.open()).close(0);
        }
        await sleep(100);
      } finally {
        process.off('unhandledRejection', record);
      }
      assert.deepEqual(escaped, []);
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

    jobQueueHoldContract(newFixture, track);
  });
}
