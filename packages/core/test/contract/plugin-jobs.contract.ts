import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import pino from 'pino';
import { createKernelMetrics } from '../../src/kernel/kernel-metrics.js';
import { PluginJobRegistry } from '../../src/kernel/plugin-jobs.js';
import type { PluginJob, PluginJobs } from '../../src/plugin/plugin-jobs.js';
import { HoldJobError, PermanentJobError, type JobQueue } from '../../src/services/job-queue.js';
import { systemClock } from '../../src/util/clock.js';
import { SLACK_MS, sleep, waitFor, type QueueFixture } from './job-queue-kit.js';

/** What a plugin's job carries in these tests: the payload type `define` is checked against. */
interface Forward {
  to: string;
  tries: number[];
}

/** One node: a queue and the plugin-job registry the kernel would build on it. */
interface Node {
  queue: JobQueue;
  registry: PluginJobRegistry;
  metrics: ReturnType<typeof createKernelMetrics>;
  jobs(plugin: string): PluginJobs;
  start(): Promise<void>;
}

/**
 * `ctx.jobs` on a backend, as plugins use it: kinds and ids namespaced by plugin, typed payloads,
 * the retry policy vocabulary (attempts, time budget, back-off factor), delay, cancel by id,
 * holds with wake, failure callback, and jobs surviving a reopen of the store.
 */
export function pluginJobsContract(name: string, newFixture: () => Promise<QueueFixture>): void {
  describe(`ctx.jobs contract: ${name}`, () => {
    const open: JobQueue[] = [];
    after(async () => {
      for (const queue of open) await queue.close(100).catch(() => {});
    });
    async function node(fixture: QueueFixture): Promise<Node> {
      const queue = await fixture.open();
      open.push(queue);
      const metrics = createKernelMetrics();
      const registry = new PluginJobRegistry(() => ({ queue, metrics, log: pino({ level: 'silent' }), clock: systemClock }));
      return {
        queue,
        registry,
        metrics,
        jobs: (plugin) => registry.forPlugin(plugin),
        start: () => queue.start(registry.withPluginKinds({ handlers: {}, concurrency: {}, onFailed: () => {} })),
      };
    }
    const fresh = async () => node(await newFixture());
    const quick = { maxAttempts: 3, backoff: { initial: 20, max: 1000 } };

    it('runs a defined kind with its typed payload, namespaced by plugin, counted in the job metrics', async () => {
      const n = await fresh();
      const seen: PluginJob<Forward>[] = [];
      const forward = n.jobs('mm-x').define<Forward>('forward', async (job) => void seen.push(job), quick);
      assert.equal(forward.kind, 'mm-x/forward');
      await n.start();
      const id = await forward.enqueue({ to: 'peer.example', tries: [1, 2] }, { id: 'tx-1' });
      assert.equal(id, 'tx-1');
      await waitFor('job run', () => seen.length === 1);
      assert.deepEqual({ ...seen[0]! }, { id: 'tx-1', kind: 'forward', data: { to: 'peer.example', tries: [1, 2] }, attempt: 1, maxAttempts: 3 });
      const stats = await n.queue.stats();
      assert.ok(stats['mm-x/forward'], 'stats list the plugin kind');
      assert.equal(stats.notify.waiting, 0, 'and still the kernel kinds');
      const text = await n.metrics.registry.getSingleMetricAsString('openmmsc_jobs_total');
      assert.match(text, /openmmsc_jobs_total\{kind="mm-x\/forward",outcome="done"\} 1/);
      const queued = await n.metrics.registry.getSingleMetricAsString('openmmsc_jobs_queued');
      assert.equal(queued.includes('kind="mm-x/forward"'), false, 'gauges wait for observe');
    });

    it('keeps two plugins apart: the same kind name and id are two jobs', async () => {
      const n = await fresh();
      const ran: string[] = [];
      n.jobs('a').define('send', async (job) => void ran.push(`a:${job.id}`), quick);
      n.jobs('b').define('send', async (job) => void ran.push(`b:${job.id}`), quick);
      await n.start();
      await n.jobs('a').enqueue('send', {}, { id: 'same' });
      await n.jobs('b').enqueue('send', {}, { id: 'same' });
      await waitFor('both jobs', () => ran.length === 2);
      assert.deepEqual(ran.sort(), ['a:same', 'b:same']);
    });

    it('retries with the policy back-off (factor 3), then calls onFailed once', async () => {
      const n = await fresh();
      const at: number[] = [];
      const failed: { job: PluginJob<unknown>; error: Error }[] = [];
      n.jobs('p').define(
        'flaky',
        async (job) => {
          at.push(Date.now());
          throw new Error(`down ${job.attempt}`);
        },
        { maxAttempts: 3, backoff: { initial: '40ms', factor: 3, max: '1s' }, onFailed: (job, error) => void failed.push({ job, error }) },
      );
      await n.start();
      await n.jobs('p').enqueue('flaky', { x: 1 }, { id: 'f' });
      await waitFor('onFailed', () => failed.length === 1);
      await sleep(200);
      assert.equal(at.length, 3);
      assert.ok(at[1]! - at[0]! >= 40 - SLACK_MS, 'first back-off too short');
      assert.ok(at[2]! - at[1]! >= 120 - SLACK_MS, 'second back-off did not grow by the factor');
      assert.equal(failed.length, 1);
      assert.equal(failed[0]!.job.id, 'f');
      assert.equal(failed[0]!.job.attempt, 3);
      assert.equal(failed[0]!.error.message, 'down 3');
      assert.equal((await n.jobs('p').job('f'))?.state, 'failed');
    });

    it('until: retries stop once the time budget is used, whatever the attempt count', async () => {
      const n = await fresh();
      const at: number[] = [];
      let failedAt = 0;
      n.jobs('p').define(
        'budget',
        async () => {
          at.push(Date.now());
          throw new Error('still down');
        },
        { until: '300ms', backoff: { initial: 50, max: 50 }, onFailed: () => void (failedAt = Date.now()) },
      );
      await n.start();
      const enqueued = Date.now();
      await n.jobs('p').enqueue('budget', {});
      await waitFor('onFailed', () => failedAt > 0, 5000);
      assert.ok(at.length >= 3, `only ${at.length} attempts in the budget`);
      assert.ok(at.length <= 8, `${at.length} attempts: the budget was not kept`);
      assert.ok(failedAt - enqueued >= 300 - SLACK_MS, 'gave up before the budget was used');
      assert.ok(at.at(-1)! - enqueued <= 300 + 1000, 'retried long after the budget');
    });

    it('PermanentJobError fails at once', async () => {
      const n = await fresh();
      let runs = 0;
      let failed = 0;
      n.jobs('p').define(
        'refused',
        async () => {
          runs++;
          throw new PermanentJobError('peer said no');
        },
        { ...quick, onFailed: () => void failed++ },
      );
      await n.start();
      await n.jobs('p').enqueue('refused', {});
      await waitFor('onFailed', () => failed === 1);
      await sleep(100);
      assert.equal(runs, 1);
    });

    it('delay, idempotent ids and cancel by id', async () => {
      const n = await fresh();
      const ran: { id: string; at: number; data: unknown }[] = [];
      const later = n.jobs('p').define<{ v: number }>('later', async (job) => void ran.push({ id: job.id, at: Date.now(), data: job.data }), quick);
      await n.start();
      const t0 = Date.now();
      await later.enqueue({ v: 1 }, { id: 'keep', delay: '150ms' });
      await later.enqueue({ v: 2 }, { id: 'keep', delay: 0 });
      await later.enqueue({ v: 3 }, { id: 'drop', delay: 150 });
      assert.equal((await n.jobs('p').job('drop'))?.state, 'delayed');
      assert.equal(await n.jobs('p').cancel('drop'), true);
      assert.equal(await n.jobs('p').cancel('drop'), false, 'nothing left to cancel');
      assert.equal(await n.jobs('other').cancel('keep'), false, 'another plugin cannot cancel it');
      await waitFor('delayed job', () => ran.length === 1);
      await sleep(250);
      assert.deepEqual(ran.map((r) => [r.id, r.data]), [['keep', { v: 1 }]]);
      assert.ok(ran[0]!.at - t0 >= 150 - SLACK_MS, 'ran before its delay');
    });

    it('HoldJobError holds without using an attempt; wake runs it again', async () => {
      const n = await fresh();
      const attempts: number[] = [];
      n.jobs('p').define(
        'bearer',
        async (job) => {
          attempts.push(job.attempt);
          if (attempts.length === 1) throw new HoldJobError('link down', { delayMs: 60_000, key: 'p:link' });
        },
        { maxAttempts: 1, backoff: { initial: 10, max: 10 } },
      );
      await n.start();
      await n.jobs('p').enqueue('bearer', {}, { id: 'h' });
      await waitFor('held', async () => (await n.jobs('p').job('h'))?.state === 'held');
      assert.equal((await n.queue.stats())['p/bearer']?.held, 1);
      assert.equal(await n.jobs('p').wake('p:link'), 1);
      await waitFor('run after wake', () => attempts.length === 2);
      assert.deepEqual(attempts, [1, 1], 'the hold used no attempt');
    });

    it('a job enqueued before a stop runs after the store is reopened', async () => {
      const fixture = await newFixture();
      const first = await node(fixture);
      const down = first.jobs('p').define('resend', async () => {
        throw new Error('peer down');
      }, { maxAttempts: 10, backoff: { initial: 100, max: 100 } });
      await first.start();
      await down.enqueue({ what: 'report' }, { id: 'r1' });
      await waitFor('first attempt', async () => ((await first.jobs('p').job('r1'))?.attempt ?? 0) >= 1);
      await first.queue.close(100);

      const second = await node(fixture);
      const ran: PluginJob<{ what: string }>[] = [];
      second.jobs('p').define<{ what: string }>('resend', async (job) => void ran.push(job), { maxAttempts: 10, backoff: { initial: 100, max: 100 } });
      await second.start();
      await waitFor('run after reopen', () => ran.length === 1);
      assert.equal(ran[0]!.id, 'r1');
      assert.deepEqual(ran[0]!.data, { what: 'report' });
      assert.ok(ran[0]!.attempt >= 2, 'the attempts before the stop still count');
    });
  });
}
