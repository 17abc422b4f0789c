import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { HoldJobError, type PluginJobs } from '@openmmsc/core';
import { startTestMmsc, testPlugin, waitFor } from '@openmmsc/testkit';

/** A plugin whose setup defines a kind and whose start enqueues one job of it. */
function jobbyPlugin(run: (data: { n: number }) => Promise<void>) {
  const handle: { jobs?: PluginJobs } = {};
  const plugin = testPlugin('jobby', (ctx) => {
    handle.jobs = ctx.jobs;
    const tick = ctx.jobs.define<{ n: number }>('tick', (job) => run(job.data), { maxAttempts: 5, backoff: { initial: '10ms', max: '50ms' }, concurrency: 2 });
    return {
      async start() {
        await tick.enqueue({ n: 7 }, { id: 'first' });
      },
    };
  });
  return { plugin, handle };
}

describe('ctx.jobs in a running MMSC', () => {
  it('runs a plugin job and shows its kind in the job gauges and counters', async () => {
    const seen: number[] = [];
    let release: () => void = () => {};
    const gate = new Promise<void>((r) => (release = r));
    const { plugin } = jobbyPlugin(async (data) => {
      seen.push(data.n);
      await gate;
    });
    const t = await startTestMmsc({ plugins: [plugin] });
    try {
      await waitFor('job running', () => seen.length === 1);
      const running = await t.mmsc.registry.getSingleMetricAsString('openmmsc_jobs_queued');
      assert.match(running, /openmmsc_jobs_queued\{kind="jobby\/tick",state="active"\} 1/);
      assert.match(running, /kind="notify",state="waiting"/, 'the kernel kinds are still there');
      release();
      await waitFor('job done', async () => /kind="jobby\/tick",outcome="done"\} 1/.test(await t.mmsc.registry.getSingleMetricAsString('openmmsc_jobs_total')));
      assert.deepEqual(seen, [7]);
    } finally {
      release();
      await t.stop();
    }
  });

  it('refuses what would fail later: kinds defined after start, bad names, policies and payloads', async () => {
    const { plugin, handle } = jobbyPlugin(async () => {});
    const t = await startTestMmsc({ plugins: [plugin] });
    try {
      const jobs = handle.jobs!;
      const policy = { maxAttempts: 2, backoff: { initial: 10, max: 10 } };
      assert.throws(() => jobs.define('late', async () => {}, policy), /define job kinds in setup/);
      await assert.rejects(jobs.enqueue('nope', {}), /job kind nope is not defined/);
      await assert.rejects(jobs.enqueue('tick', [1, 2]), /must be a JSON object/);
      await assert.rejects(jobs.enqueue('tick', { n: 1 }, { delay: 'soon' }), /invalid duration/);
    } finally {
      await t.stop();
    }
  });

  it('a setup that defines a bad kind fails the start with the plugin named', async () => {
    const bad = (kind: string, policy: object) =>
      testPlugin('bad-jobs', (ctx) => {
        ctx.jobs.define(kind, async () => {}, policy as never);
      });
    const cases: Array<[string, object, RegExp]> = [
      ['has:colon', { maxAttempts: 1, backoff: { initial: 1, max: 1 } }, /use letters, digits/],
      ['ok', { backoff: { initial: 1, max: 1 } }, /give maxAttempts, until, or both/],
      ['ok', { maxAttempts: 0, backoff: { initial: 1, max: 1 } }, /maxAttempts must be an integer/],
      ['ok', { maxAttempts: 2, backoff: { initial: '1m', max: '1s' } }, /backoff.max is below backoff.initial/],
      ['ok', { maxAttempts: 2, backoff: { initial: 1, max: 1, jitter: 2 } }, /jitter must be within 0..1/],
      ['ok', { until: 'forever', backoff: { initial: 1, max: 1 } }, /invalid duration/],
    ];
    for (const [kind, policy, expected] of cases) {
      await assert.rejects(startTestMmsc({ plugins: [bad(kind, policy)] }), (error: Error) => {
        assert.match(error.message, /plugin bad-jobs failed to set up/);
        assert.match(String((error.cause as Error | undefined)?.message ?? error.message), expected);
        return true;
      });
    }
  });

  it('a held plugin job waits across a restart and runs once woken', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'openmmsc-plugin-jobs-'));
    const store = { type: 'sqlite' as const, path: join(dir, 'store.sqlite') };
    try {
      const first = jobbyPlugin(async () => {
        throw new HoldJobError('resource down', { delayMs: 3_600_000, key: 'jobby:resource' });
      });
      const a = await startTestMmsc({ plugins: [first.plugin], config: { store } });
      await waitFor('held', async () => (await first.handle.jobs!.job('first'))?.state === 'held');
      await a.stop();

      const ran: number[] = [];
      const second = jobbyPlugin(async (data) => void ran.push(data.n));
      const b = await startTestMmsc({ plugins: [second.plugin], config: { store } });
      try {
        assert.equal((await second.handle.jobs!.job('first'))?.state, 'held', 'still held after the restart (the new enqueue was a no-op)');
        assert.equal(await second.handle.jobs!.wake('jobby:resource'), 1);
        await waitFor('run after wake', () => ran.length === 1);
        assert.deepEqual(ran, [7]);
      } finally {
        await b.stop();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
