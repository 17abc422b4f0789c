import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HoldJobError, type JobQueue, type RunningJob } from '../../src/services/job-queue.js';
import { SLACK_MS, sleep, spec, startOptions, startRecording, waitFor, type QueueFixture } from './job-queue-kit.js';

/** Holds (`HoldJobError`), `wake`, `stats` and `job`: what a job waiting for a resource needs from a queue. */
export function jobQueueHoldContract(newFixture: () => Promise<QueueFixture>, track: (queue: JobQueue) => Promise<JobQueue>): void {
  describe('holds', () => {
    async function fresh(): Promise<{ queue: JobQueue }> {
      const fixture = await newFixture();
      return { queue: await track(await fixture.open()) };
    }

    it('HoldJobError holds the job without using an attempt and runs it after the delay', async () => {
      const { queue } = await fresh();
      const { runs, failed } = await startRecording(queue, 'notify', (_job, sofar) => {
        if (sofar.length <= 3) throw new HoldJobError('bearer throttled', { delayMs: 80 });
      });
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
      const { runs, failed } = await startRecording(queue, 'deliver', (job, sofar) => {
        if (sofar.length <= 2) throw new HoldJobError('link down', { delayMs: 20, key: 'link' });
        throw new Error(`real ${job.attempt}`);
      });
      await queue.enqueue(spec('mixed', { kind: 'deliver', maxAttempts: 2, backoff: { baseMs: 20, maxMs: 20, jitter: 0 } }));
      await waitFor('onFailed', () => failed.length === 1);
      assert.deepEqual(runs.map((r) => r.attempt), [1, 1, 1, 2]);
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
      // Each hold is recorded when its run ends, in no set order: wait for both, not the last enqueued.
      await waitFor('a-jobs held', async () => (await queue.job('w-a1'))?.state === 'held' && (await queue.job('w-a2'))?.state === 'held');
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
  });
}
